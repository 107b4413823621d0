import { sql } from 'kysely';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type {
  TIvrDefinition,
  TIvrFlow,
  TIvrStep,
  TPhoneNumber,
  TPhoneNumberCreate,
} from '../../../common/contracts/telephony';
import { IvrDefinitionSchema } from '../../../common/contracts/telephony';
import type { Actor } from '../../platform/auth/actor';
import type { SecretBox } from '../../platform/crypto/secret-box';
import type { Database, Tx } from '../../platform/db/database';
import { AppError, notFound } from '../../platform/http/errors';
import { type JobQueue, PermanentJobError, RetryJobError } from '../../platform/jobs/job-queue';
import type { RecordService } from '../../platform/records/records.service';
import {
  type BusinessCalendar,
  businessMinutesBetween,
  getCalendar,
  insertTicketMessage,
  systemActor,
} from '../tickets';
import { agentCallEnded, releaseAgent, routeToAgent, routeToUser, SCREEN_POP_CHANNEL } from './agents';
import { type CallerMatch, checkAnswers, readAnswer } from './answers';
import {
  type AudioUrls,
  callRecording,
  deletePrompt,
  insertAudio,
  listPrompts,
  missingPrompts,
  recordingUrlOf,
} from './audio';
import { DEFAULT_FLOW, type IvrContext, type IvrOutcome, type ResumeOutcome, resume, runFrom } from './ivr';
import { ProviderError, type TelephonyProvider } from './provider';
import { dayOf, recountQueueDays } from './queue-days';
import { APOLOGY, dial, twiml } from './twiml';

/** What binds a sealed auth token to its row (a sealed value copied elsewhere does not open). */
const tokenContext = (workspaceId: string, id: string) => `telephony_numbers.auth_token:${workspaceId}:${id}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CALL_SID = /^CA[0-9a-f]{32}$/i;

interface NumberRow {
  workspace_id: string;
  id: string;
  provider: 'twilio';
  name: string;
  phone_number: string;
  account_sid: string;
  auth_token: string;
  flow_id: string;
  created_at: Date | string;
}

/** A number as the provider's webhooks need it: the workspace, the token, the flow. */
export interface WebhookNumber {
  workspaceId: string;
  id: string;
  phoneNumber: string;
  accountSid: string;
  authToken: string;
  flowId: string;
}

/** An E.164 number from what a provider sends (`+14155550100`, `client:alice`, `anonymous`…), else null. */
export function e164(raw: string | undefined): string | null {
  if (!raw) return null;
  const parsed = parsePhoneNumberFromString(raw.trim().replace(/^00/, '+'));
  return parsed?.isValid() ? parsed.number : null;
}

export const voiceUrlOf = (baseUrl: string, id: string) =>
  `${baseUrl.replace(/\/$/, '')}/api/v1/telephony/twilio/${id}/voice`;
export const statusUrlOf = (baseUrl: string, id: string) =>
  `${baseUrl.replace(/\/$/, '')}/api/v1/telephony/twilio/${id}/status`;

const iso = (d: Date | string) => new Date(d).toISOString();

/** Twilio's CallStatus values (in-progress, no-answer) as the calls object's options. */
const STATUS_OF: Record<string, string> = {
  queued: 'queued',
  initiated: 'queued',
  ringing: 'ringing',
  'in-progress': 'in_progress',
  completed: 'completed',
  busy: 'busy',
  'no-answer': 'no_answer',
  failed: 'failed',
  canceled: 'canceled',
};
const FINAL = new Set(['completed', 'busy', 'no_answer', 'failed', 'canceled']);

export interface TelephonyDeps {
  database: Database;
  records: RecordService;
  secrets: SecretBox;
  baseUrl: string;
  provider: TelephonyProvider;
  now: () => Date;
  /** Signs the URLs of uploaded prompts the provider plays. */
  audio: AudioUrls;
  /** Where a voicemail's recording fetch is queued (RECORDING_QUEUE); none (the demo seed): recordings stay at the provider. */
  jobs?: JobQueue;
}

/** The job that fetches a voicemail's recording from the provider's REST API and stores it. */
export const RECORDING_QUEUE = 'telephony.recording';
export interface RecordingJob {
  callId: string;
  numberId: string;
  recordingSid: string;
}

/** The uploaded audio a flow plays, with where each is named (for a 422 naming the node). */
function audioRefs(def: TIvrDefinition): { id: string; path: string }[] {
  const out: { id: string; path: string }[] = [];
  def.nodes.forEach((n, i) => {
    const p = 'prompt' in n ? n.prompt : undefined;
    if (p?.audioId) out.push({ id: p.audioId, path: `definition.nodes.${i}.prompt.audioId` });
  });
  return out;
}

export class TelephonyService {
  constructor(private readonly deps: TelephonyDeps) {}

  // ---------------------------------------------------------------- numbers and flows (administrators)

  private present(r: NumberRow): TPhoneNumber {
    return {
      id: r.id,
      provider: r.provider,
      name: r.name,
      phoneNumber: r.phone_number,
      accountSid: r.account_sid,
      flowId: r.flow_id,
      voiceUrl: voiceUrlOf(this.deps.baseUrl, r.id),
      statusCallbackUrl: statusUrlOf(this.deps.baseUrl, r.id),
      createdAt: iso(r.created_at),
    };
  }

  async listNumbers(actor: Actor): Promise<TPhoneNumber[]> {
    return this.deps.database.tenantRead(actor.workspaceId, async (tx) => {
      await this.deps.records.access.assertAdmin(tx, actor);
      const { rows } = await sql<NumberRow>`select * from telephony_numbers
        where workspace_id = rapport_workspace() order by created_at, id`.execute(tx);
      return rows.map((r) => this.present(r));
    });
  }

  async createNumber(actor: Actor, input: TPhoneNumberCreate): Promise<TPhoneNumber> {
    return this.deps.database.tenant(actor.workspaceId, async (tx) => {
      await this.deps.records.access.assertAdmin(tx, actor);
      return this.insertNumber(tx, actor.workspaceId, input);
    });
  }

  /** Adds a number (answering with `flowId` or the default flow); the caller has been checked. */
  async insertNumber(tx: Tx, workspaceId: string, input: TPhoneNumberCreate): Promise<TPhoneNumber> {
    const flowId = input.flowId ?? (await this.defaultFlow(tx, workspaceId)).id;
    if (input.flowId) await this.flowRow(tx, input.flowId);
    const { rows: dup } = await sql`select 1 from telephony_numbers
      where workspace_id = rapport_workspace() and phone_number = ${input.phoneNumber}`.execute(tx);
    if (dup.length) {
      throw new AppError('already_exists', 'This phone number is already set up', {
        errors: [{ path: 'phoneNumber', message: 'is already set up in this workspace' }],
      });
    }
    const { rows: idRows } = await sql<{ id: string }>`select gen_random_uuid() as id`.execute(tx);
    const id = idRows[0]?.id as string;
    const sealed = this.deps.secrets.seal(input.authToken, tokenContext(workspaceId, id));
    const { rows } = await sql<NumberRow>`insert into telephony_numbers
        (workspace_id, id, provider, name, phone_number, account_sid, auth_token, flow_id)
      values (${workspaceId}::uuid, ${id}::uuid, ${input.provider}, ${input.name ?? input.phoneNumber},
        ${input.phoneNumber}, ${input.accountSid}, ${sealed}, ${flowId}::uuid)
      returning *`.execute(tx);
    return this.present(rows[0] as NumberRow);
  }

  async updateNumber(
    actor: Actor,
    id: string,
    input: { name?: string; flowId?: string; authToken?: string },
  ): Promise<TPhoneNumber> {
    return this.deps.database.tenant(actor.workspaceId, async (tx) => {
      await this.deps.records.access.assertAdmin(tx, actor);
      if (input.flowId) await this.flowRow(tx, input.flowId);
      const sealed = input.authToken
        ? this.deps.secrets.seal(input.authToken, tokenContext(actor.workspaceId, id))
        : null;
      const { rows } = await sql<NumberRow>`update telephony_numbers set
          name = coalesce(${input.name ?? null}, name),
          flow_id = coalesce(${input.flowId ?? null}::uuid, flow_id),
          auth_token = coalesce(${sealed}, auth_token)
        where workspace_id = rapport_workspace() and id = ${id}::uuid returning *`.execute(tx);
      if (!rows[0]) throw notFound('Phone number');
      return this.present(rows[0]);
    });
  }

  async deleteNumber(actor: Actor, id: string): Promise<void> {
    await this.deps.database.tenant(actor.workspaceId, async (tx) => {
      await this.deps.records.access.assertAdmin(tx, actor);
      const { numAffectedRows } = await sql`delete from telephony_numbers
        where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
      if (!numAffectedRows) throw notFound('Phone number');
    });
  }

  private async flowRow(tx: Tx, id: string): Promise<TIvrFlow> {
    const { rows } = await sql<{
      id: string;
      name: string;
      current_version: number;
      is_default: boolean;
      updated_at: Date | string;
      definition: TIvrDefinition;
    }>`select f.id, f.name, f.current_version, f.is_default, f.updated_at, v.definition
      from telephony_flows f
      join telephony_flow_versions v on v.workspace_id = f.workspace_id and v.flow_id = f.id and v.version = f.current_version
      where f.workspace_id = rapport_workspace() and f.id = ${id}::uuid`.execute(tx);
    const r = rows[0];
    if (!r) {
      throw new AppError('validation_failed', 'flowId names no IVR flow of this workspace', {
        errors: [{ path: 'flowId', message: 'names no IVR flow of this workspace' }],
      });
    }
    return {
      id: r.id,
      name: r.name,
      version: r.current_version,
      isDefault: r.is_default,
      updatedAt: iso(r.updated_at),
      definition: r.definition,
    };
  }

  /** The workspace's default flow, created (DEFAULT_FLOW) when it has none. */
  async defaultFlow(tx: Tx, workspaceId: string): Promise<TIvrFlow> {
    const { rows } = await sql<{ id: string }>`select id from telephony_flows
      where workspace_id = rapport_workspace() and is_default`.execute(tx);
    if (rows[0]) return this.flowRow(tx, rows[0].id);
    return this.insertFlow(tx, workspaceId, null, 'Default', DEFAULT_FLOW, true);
  }

  private async insertFlow(
    tx: Tx,
    workspaceId: string,
    userId: string | null,
    name: string,
    definition: TIvrDefinition,
    isDefault: boolean,
  ): Promise<TIvrFlow> {
    const { rows } = await sql<{ id: string }>`insert into telephony_flows (workspace_id, name, is_default)
      values (${workspaceId}::uuid, ${name}, ${isDefault}) returning id`.execute(tx);
    const id = rows[0]?.id as string;
    await sql`insert into telephony_flow_versions (workspace_id, flow_id, version, definition, created_by)
      values (${workspaceId}::uuid, ${id}::uuid, 1, ${JSON.stringify(definition)}::jsonb, ${userId}::uuid)`.execute(tx);
    return this.flowRow(tx, id);
  }

  async listFlows(actor: Actor): Promise<TIvrFlow[]> {
    return this.deps.database.tenant(actor.workspaceId, async (tx) => {
      await this.deps.records.access.assertAdmin(tx, actor);
      await this.defaultFlow(tx, actor.workspaceId);
      const { rows } = await sql<{ id: string }>`select id from telephony_flows
        where workspace_id = rapport_workspace() order by created_at, id`.execute(tx);
      const out: TIvrFlow[] = [];
      for (const r of rows) out.push(await this.flowRow(tx, r.id));
      return out;
    });
  }

  /**
   * Every uploaded prompt a flow plays, and every business calendar its hours nodes follow, exists in
   * the workspace (else 422 naming the node's field).
   */
  private async checkAudio(tx: Tx, def: TIvrDefinition) {
    const refs = audioRefs(def);
    const missing = new Set(await missingPrompts(tx, [...new Set(refs.map((r) => r.id))]));
    const errors = refs
      .filter((r) => missing.has(r.id))
      .map((r) => ({ path: r.path, message: 'names no uploaded audio of this workspace' }));
    for (const [i, node] of def.nodes.entries()) {
      if (node.kind !== 'hours' || !node.calendarId) continue;
      if (!(await getCalendar(tx, node.calendarId).catch(() => null)))
        errors.push({
          path: `definition.nodes.${i}.calendarId`,
          message: 'names no business calendar of this workspace',
        });
    }
    if (errors.length)
      throw new AppError('validation_failed', `Invalid body: ${errors.map((e) => e.path).join(', ')}`, { errors });
  }

  async createFlow(actor: Actor, input: { name: string; definition: TIvrDefinition }): Promise<TIvrFlow> {
    return this.deps.database.tenant(actor.workspaceId, async (tx) => {
      await this.deps.records.access.assertAdmin(tx, actor);
      await this.checkAudio(tx, input.definition);
      await checkAnswers(tx, this.deps.records, systemActor(actor.workspaceId), input.definition);
      return this.insertFlow(tx, actor.workspaceId, actor.userId, input.name, input.definition, false);
    });
  }

  /** Saves a new version of a flow: calls under way keep the version they started with. */
  async saveFlow(actor: Actor, id: string, input: { name: string; definition: TIvrDefinition }): Promise<TIvrFlow> {
    return this.deps.database.tenant(actor.workspaceId, async (tx) => {
      await this.deps.records.access.assertAdmin(tx, actor);
      await this.checkAudio(tx, input.definition);
      await checkAnswers(tx, this.deps.records, systemActor(actor.workspaceId), input.definition);
      const { rows } = await sql<{ current_version: number }>`update telephony_flows
        set current_version = current_version + 1, name = ${input.name}, updated_at = now()
        where workspace_id = rapport_workspace() and id = ${id}::uuid returning current_version`.execute(tx);
      const version = rows[0]?.current_version;
      if (!version) throw notFound('IVR flow');
      await sql`insert into telephony_flow_versions (workspace_id, flow_id, version, definition, created_by)
        values (${actor.workspaceId}::uuid, ${id}::uuid, ${version}, ${JSON.stringify(input.definition)}::jsonb,
          ${actor.userId}::uuid)`.execute(tx);
      return this.flowRow(tx, id);
    });
  }

  // ---------------------------------------------------------------- the provider's webhooks

  /** A number found by the id in a webhook's path, with its auth token opened; null when unknown. */
  async webhookNumber(id: string): Promise<WebhookNumber | null> {
    if (!UUID.test(id)) return null;
    const row = await this.deps.database.system(async (tx) => {
      const { rows } = await sql<NumberRow>`select * from telephony_numbers where id = ${id}::uuid`.execute(tx);
      return rows[0];
    });
    if (!row) return null;
    return {
      workspaceId: row.workspace_id,
      id: row.id,
      phoneNumber: row.phone_number,
      accountSid: row.account_sid,
      authToken: this.deps.secrets.open(row.auth_token, tokenContext(row.workspace_id, row.id)),
      flowId: row.flow_id,
    };
  }

  /** Serialises the webhooks of one call (Twilio may post the next step and a status change at once). */
  private async lockCall(tx: Tx, callSid: string) {
    await sql`select pg_advisory_xact_lock(hashtext(${`call:${callSid}`}))`.execute(tx);
  }

  private async callBySid(tx: Tx, sys: Actor, callSid: string): Promise<Record<string, unknown> | null> {
    const { data } = await this.deps.records.list(tx, sys, 'calls', {
      limit: 1,
      filter: { field: 'providerCallId', op: 'eq', value: callSid },
    });
    return (data[0] as Record<string, unknown> | undefined) ?? null;
  }

  /**
   * A VIP caller's owner: the first of their account, contact and lead records that carries
   * `tag` (case aside) and has an owner; null when none does.
   */
  private async vipOwner(tx: Tx, sys: Actor, m: CallerMatch, tag: string): Promise<string | null> {
    const wanted = tag.toLowerCase();
    const candidates: [string, string | undefined][] = [
      ['accounts', m.accountId],
      ['contacts', m.contactId],
      ['leads', m.leadId],
    ];
    for (const [object, id] of candidates) {
      if (!id) continue;
      const r = await this.deps.records.get(tx, sys, object, id).catch(() => null);
      const tags = Array.isArray(r?.tags) ? (r.tags as string[]) : [];
      if (r && typeof r.ownerId === 'string' && tags.some((t) => t.toLowerCase() === wanted)) return r.ownerId;
    }
    return null;
  }

  /** Who a number belongs to: a contact (with their account), else a lead, else an account. */
  private async match(tx: Tx, sys: Actor, phone: string | null) {
    const out: { contactId?: string; leadId?: string; accountId?: string; name?: string; firstName?: string | null } =
      {};
    if (!phone) return out;
    for (const object of ['contacts', 'leads', 'accounts'] as const) {
      const { data } = await this.deps.records.list(tx, sys, object, {
        limit: 1,
        sort: 'createdAt',
        filter: { field: 'phone', op: 'eq', value: phone },
      });
      const r = data[0] as Record<string, unknown> | undefined;
      if (!r) continue;
      if (object === 'accounts') {
        out.accountId = String(r.id);
        out.name = String(r.name ?? '');
      } else {
        if (object === 'contacts') out.contactId = String(r.id);
        else out.leadId = String(r.id);
        if (typeof r.accountId === 'string') out.accountId = r.accountId;
        out.firstName = (r.firstName as string | null) ?? null;
        out.name = [r.firstName, r.lastName].filter(Boolean).join(' ') || String(r.email ?? '');
      }
      return out;
    }
    return out;
  }

  private async findOrCreateCall(
    tx: Tx,
    sys: Actor,
    num: WebhookNumber,
    params: Record<string, string>,
    callId?: string,
  ): Promise<Record<string, unknown>> {
    const found = await this.callBySid(tx, sys, params.CallSid as string);
    if (found) return found;
    // A call placed by click-to-call names its record in the URLs given to the provider.
    if (callId && UUID.test(callId)) {
      const placed = await this.deps.records.get(tx, sys, 'calls', callId).catch(() => null);
      if (placed && !placed.providerCallId) {
        return (
          (await this.deps.records.systemWrite(tx, sys, 'calls', callId, { providerCallId: params.CallSid })) ?? placed
        );
      }
    }
    const outbound = (params.Direction ?? '').startsWith('outbound');
    const from = e164(params.From) ?? num.phoneNumber;
    const to = e164(params.To) ?? num.phoneNumber;
    const customer = outbound ? to : from;
    const m = await this.match(tx, sys, e164(outbound ? params.To : params.From));
    return this.deps.records.create(tx, sys, 'calls', {
      direction: outbound ? 'outbound' : 'inbound',
      from,
      to,
      callerName: m.name || customer,
      status: STATUS_OF[params.CallStatus ?? ''] ?? 'ringing',
      contactId: m.contactId ?? null,
      leadId: m.leadId ?? null,
      accountId: m.accountId ?? null,
      startedAt: this.deps.now().toISOString(),
      ivrPath: [],
      providerCallId: params.CallSid,
    });
  }

  /** Twilio's parameters a call webhook must carry, well formed; else the caller hears the apology. */
  private wellFormed(num: WebhookNumber, params: Record<string, string>): boolean {
    return CALL_SID.test(params.CallSid ?? '') && params.AccountSid === num.accountSid;
  }

  /**
   * A voice webhook (the call arriving, or coming back to a node): the TwiML of the flow's
   * next part; the steps are appended to the call's IVR path. Never throws: anything wrong
   * is the apology and a hang-up.
   */
  async voice(
    num: WebhookNumber,
    params: Record<string, string>,
    query: Record<string, string | undefined>,
    log: { warn(o: object, m: string): void },
  ): Promise<string> {
    if (!this.wellFormed(num, params)) return APOLOGY;
    try {
      const audioUrl = await this.deps.audio.signer(this.deps.now());
      return await this.deps.database.tenant(num.workspaceId, async (tx) => {
        const sys = systemActor(num.workspaceId);
        await this.lockCall(tx, params.CallSid as string);
        const call = await this.findOrCreateCall(tx, sys, num, params, query.call);
        // Click-to-call: the agent answered; now ring the customer.
        if (query.call && call.direction === 'outbound') {
          await this.appendPath(tx, sys, call, { steps: [stepOf('dial', 'dial', this.deps.now())] });
          return twiml(dial(String(call.to)).replace('<Dial>', `<Dial callerId="${num.phoneNumber}">`));
        }
        const { definition, version } = await this.flowVersion(tx, num.flowId, query.v);
        let matched: Awaited<ReturnType<TelephonyService['match']>> | undefined;
        const caller = async () => {
          matched ??= await this.match(tx, sys, e164(params.From));
          return matched;
        };
        const ctx: IvrContext = {
          url: (q: Record<string, string>) => `${voiceUrlOf(this.deps.baseUrl, num.id)}?${new URLSearchParams(q)}`,
          version,
          now: this.deps.now(),
          isOpen: (calendarId: string | undefined) => this.isOpen(tx, calendarId),
          caller: async () => {
            const m = await caller();
            return m.name && (m.contactId || m.leadId) ? { firstName: m.firstName ?? null, name: m.name } : null;
          },
          vip: async (tag: string) => {
            const ownerId = await this.vipOwner(tx, sys, await caller(), tag);
            return ownerId ? { ownerId, agent: await routeToUser(tx, ownerId, String(call.id)) } : null;
          },
          answer: async (node) => readAnswer(tx, this.deps.records, sys, node, await caller()),
          route: (queue: string) => routeToAgent(tx, queue, String(call.id)),
          waiting: (queue: string) => this.waiting(tx, sys, queue, String(call.id)),
          audioUrl,
        };
        const out: ResumeOutcome =
          query.node && /^[a-z][a-z0-9_-]{0,39}$/.test(query.node)
            ? await resume(definition, query.node, params, { attempt: query.attempt, step: query.step }, ctx)
            : await runFrom(definition, definition.start, ctx);
        await this.appendPath(tx, sys, call, out);
        if (out.unrouted && typeof call.agentId === 'string') {
          // The agent it rang did not answer: released, and the call has no agent until another takes it.
          await releaseAgent(tx, call.agentId, String(call.id));
          await this.deps.records.systemWrite(tx, sys, 'calls', String(call.id), { agentId: null, ownerId: null });
        }
        if (out.agentId) {
          // The agent owns the call (their "own" scope shows it) and gets the screen-pop.
          await this.deps.records.systemWrite(tx, sys, 'calls', String(call.id), {
            agentId: out.agentId,
            ownerId: out.agentId,
          });
          await sql`select pg_notify(${SCREEN_POP_CHANNEL}, ${JSON.stringify({ workspaceId: num.workspaceId, id: String(call.id) })})`.execute(
            tx,
          );
        }
        if (out.recording && out.voicemail?.kind === 'voicemail') {
          await this.voicemail(tx, sys, call, out.recording, out.voicemail.creates);
          if (out.recording.sid && this.deps.jobs) {
            await this.deps.jobs.enqueue<RecordingJob>(tx, {
              queue: RECORDING_QUEUE,
              workspaceId: num.workspaceId,
              key: `recording:${out.recording.sid}`,
              payload: { callId: String(call.id), numberId: num.id, recordingSid: out.recording.sid },
            });
          }
        }
        return twiml(...out.verbs);
      });
    } catch (err) {
      log.warn({ err: (err as Error).message, numberId: num.id }, 'telephony: voice webhook failed, apology sent');
      return APOLOGY;
    }
  }

  /** Callers in `queue` now: put there, no agent, not ended (this call left out). */
  private async waiting(tx: Tx, sys: Actor, queue: string, callId: string): Promise<number> {
    const ctx = await this.deps.records.context(tx, sys, 'calls', 'read');
    const calls = this.deps.records.scopedRelation(ctx, 'calls');
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${calls} c
      where c.queue = ${queue} and c.agent_id is null and c.ended_at is null and c.id <> ${callId}::uuid
        and coalesce(c.status, '') not in ('completed', 'busy', 'no_answer', 'failed', 'canceled')`.execute(tx);
    return rows[0]?.n ?? 0;
  }

  private async flowVersion(tx: Tx, flowId: string, v: string | undefined) {
    const wanted = v && /^\d{1,6}$/.test(v) ? Number(v) : null;
    const { rows } = await sql<{ definition: unknown; version: number }>`select v.definition, v.version
      from telephony_flows f join telephony_flow_versions v on v.workspace_id = f.workspace_id and v.flow_id = f.id
      where f.workspace_id = rapport_workspace() and f.id = ${flowId}::uuid
        and v.version = coalesce(${wanted}::int, f.current_version)`.execute(tx);
    const r = rows[0];
    if (!r) throw new Error('the number’s flow version is missing');
    return { definition: IvrDefinitionSchema.parse(r.definition), version: r.version };
  }

  private async isOpen(tx: Tx, calendarId: string | undefined): Promise<boolean> {
    if (!calendarId) return true;
    const cal = await getCalendar(tx, calendarId).catch(() => null);
    if (!cal) return true;
    const at = this.deps.now();
    return businessMinutesBetween(at, new Date(at.getTime() + 60_000), cal as BusinessCalendar) > 0;
  }

  private async appendPath(
    tx: Tx,
    sys: Actor,
    call: Record<string, unknown>,
    out: Pick<IvrOutcome, 'steps' | 'queue'>,
  ) {
    const path = [...((call.ivrPath as TIvrStep[] | null) ?? []), ...out.steps].slice(-200);
    const changes: Record<string, unknown> = { ivrPath: path };
    if (out.queue) changes.queue = out.queue;
    await this.deps.records.systemWrite(tx, sys, 'calls', String(call.id), changes);
    call.ivrPath = path;
  }

  /** A voicemail left: its recording on the call, and a ticket or a task to call back. */
  private async voicemail(
    tx: Tx,
    sys: Actor,
    call: Record<string, unknown>,
    recording: { url: string; seconds: number | null },
    creates: 'ticket' | 'task',
  ) {
    await this.deps.records.systemWrite(tx, sys, 'calls', String(call.id), {
      recordingUrl: recording.url,
      disposition: 'voicemail',
    });
    const who = String(call.callerName ?? call.from);
    const text = `Voicemail from ${who} (${String(call.from)})${recording.seconds != null ? `, ${recording.seconds} s` : ''}: ${recording.url}`;
    if (creates === 'ticket') {
      const ticket = await this.deps.records.create(tx, sys, 'tickets', {
        subject: `Voicemail from ${who}`.slice(0, 300),
        channel: 'phone',
        contactId: call.contactId ?? null,
        accountId: call.accountId ?? null,
      });
      await insertTicketMessage(tx, {
        workspaceId: sys.workspaceId,
        ticketId: String(ticket.id),
        kind: 'inbound',
        from: { address: String(call.from), name: who },
        text,
      });
    } else {
      await this.deps.records.create(tx, sys, 'tasks', {
        title: `Call back ${who}`.slice(0, 200),
        description: text,
        relatedObject: 'calls',
        relatedId: String(call.id),
      });
    }
  }

  /**
   * A status callback: the call's status, and when it ended, its end time and duration; a
   * completed call with a known caller is logged as an interaction (channel call) on their
   * timeline, once.
   */
  async status(
    num: WebhookNumber,
    params: Record<string, string>,
    query: Record<string, string | undefined>,
    log: { warn(o: object, m: string): void },
  ) {
    if (!this.wellFormed(num, params)) return;
    const status = STATUS_OF[params.CallStatus ?? ''];
    if (!status) return;
    try {
      await this.deps.database.tenant(num.workspaceId, async (tx) => {
        const sys = systemActor(num.workspaceId);
        await this.lockCall(tx, params.CallSid as string);
        const call = await this.findOrCreateCall(tx, sys, num, params, query.call);
        const now = this.deps.now();
        const changes: Record<string, unknown> = { status };
        if (status === 'in_progress' && !call.answeredAt) changes.answeredAt = now.toISOString();
        if (FINAL.has(status)) {
          const seconds = Number.parseInt(params.CallDuration ?? '', 10);
          changes.durationSeconds = Number.isFinite(seconds) && seconds >= 0 ? seconds : 0;
          changes.endedAt = now.toISOString();
        }
        if (params.RecordingUrl?.startsWith('https://')) changes.recordingUrl = params.RecordingUrl;
        const after = (await this.deps.records.systemWrite(tx, sys, 'calls', String(call.id), changes)) ?? call;
        if (FINAL.has(status)) await agentCallEnded(tx, String(call.id));
        if (FINAL.has(status) && typeof after.queue === 'string' && typeof after.startedAt === 'string') {
          // The day's figures of its queue, counted again with this call ended.
          const day = dayOf(new Date(after.startedAt));
          await recountQueueDays(tx, this.deps.records, num.workspaceId, day, day, after.queue);
        }
        if (status === 'completed' && !after.interactionId) await this.logInteraction(tx, sys, after);
      });
    } catch (err) {
      log.warn({ err: (err as Error).message, numberId: num.id }, 'telephony: status callback failed');
    }
  }

  /** The call on the caller's timeline (and in the "don't contact twice" ledger): an interaction, channel call. */
  private async logInteraction(tx: Tx, sys: Actor, call: Record<string, unknown>) {
    const contactId = (call.contactId as string | null) ?? null;
    const accountId = (call.accountId as string | null) ?? null;
    const leadId = (call.leadId as string | null) ?? null;
    if (!contactId && !accountId && !leadId) return;
    const seconds = Number(call.durationSeconds ?? 0);
    const path = ((call.ivrPath as TIvrStep[] | null) ?? [])
      .map((s) => (s.digits ? `${s.node} (${s.digits})` : s.node))
      .join(' → ');
    const inbound = call.direction === 'inbound';
    const interaction = await this.deps.records.create(tx, sys, 'interactions', {
      topic: `${inbound ? 'Call from' : 'Call to'} ${String(call.callerName ?? (inbound ? call.from : call.to))}`.slice(
        0,
        300,
      ),
      channel: 'call',
      direction: inbound ? 'inbound' : 'outbound',
      occurredAt: String(call.startedAt ?? call.createdAt),
      durationMinutes: Math.ceil(seconds / 60),
      contactId,
      accountId,
      ...(contactId || accountId
        ? { relatedObject: 'calls', relatedId: String(call.id) }
        : { relatedObject: 'leads', relatedId: leadId }),
      ...(call.agentId ? { participantUserIds: [call.agentId] } : {}),
      body: [path ? `IVR: ${path}` : '', call.queue ? `Queue: ${String(call.queue)}` : '', `Duration: ${seconds} s`]
        .filter(Boolean)
        .join('\n'),
    });
    await this.deps.records.systemWrite(tx, sys, 'calls', String(call.id), { interactionId: String(interaction.id) });
  }

  // ---------------------------------------------------------------- audio: prompts and recordings

  async listAudio(actor: Actor) {
    const sign = await this.deps.audio.signer(this.deps.now());
    return this.deps.database.tenantRead(actor.workspaceId, async (tx) => {
      await this.deps.records.access.assertAdmin(tx, actor);
      return listPrompts(tx, sign);
    });
  }

  /** Stores an uploaded prompt: MP3 or WAV by its bytes, at most 5 MB and 10 minutes (else 4xx naming `file`). */
  async uploadAudio(actor: Actor, name: string, bytes: Buffer) {
    const sign = await this.deps.audio.signer(this.deps.now());
    return this.deps.database.tenant(actor.workspaceId, async (tx) => {
      await this.deps.records.access.assertAdmin(tx, actor);
      return insertAudio(tx, actor.workspaceId, { kind: 'prompt', name, bytes, createdBy: actor.userId }, sign);
    });
  }

  async deleteAudio(actor: Actor, id: string) {
    await this.deps.database.tenant(actor.workspaceId, async (tx) => {
      await this.deps.records.access.assertAdmin(tx, actor);
      await deletePrompt(tx, id);
    });
  }

  /** A call's stored recording, for whoever may read the call (the record engine checks). */
  async recording(actor: Actor, callId: string) {
    return this.deps.database.tenantRead(actor.workspaceId, async (tx) => {
      await this.deps.records.get(tx, actor, 'calls', callId);
      const file = await callRecording(tx, callId);
      if (!file) throw notFound('Recording');
      return file;
    });
  }

  /**
   * The recording job: asks the provider's REST API for the voicemail's recording (not finished
   * yet: again later), stores it, and points the call's `recordingUrl` at Rapport's copy, which
   * needs no provider credentials to play.
   */
  async storeRecording(workspaceId: string, job: RecordingJob): Promise<void> {
    const { database, provider, secrets } = this.deps;
    const row = await database.tenantRead(workspaceId, async (tx) => {
      const { rows } = await sql<NumberRow>`select * from telephony_numbers
        where workspace_id = rapport_workspace() and id = ${job.numberId}::uuid`.execute(tx);
      return rows[0];
    });
    if (!row) throw new PermanentJobError('the number is gone');
    let fetched: Awaited<ReturnType<TelephonyProvider['fetchRecording']>>;
    try {
      fetched = await provider.fetchRecording({
        accountSid: row.account_sid,
        authToken: secrets.open(row.auth_token, tokenContext(row.workspace_id, row.id)),
        recordingSid: job.recordingSid,
      });
    } catch (err) {
      if (err instanceof ProviderError && (err.status === 404 || err.status === 401 || err.status === 403)) {
        throw new PermanentJobError(err.message);
      }
      throw err;
    }
    if (fetched.status === 'processing' || fetched.status === 'in-progress') {
      throw new RetryJobError('the recording is not finished yet', 15);
    }
    const bytes = fetched.bytes;
    if (!bytes) throw new PermanentJobError(`the recording is ${fetched.status || 'unavailable'}`);
    const sign = await this.deps.audio.signer(this.deps.now());
    await database.tenant(workspaceId, async (tx) => {
      const sys = systemActor(workspaceId);
      const call = await this.deps.records.get(tx, sys, 'calls', job.callId).catch(() => null);
      if (!call) return;
      try {
        await insertAudio(
          tx,
          workspaceId,
          {
            kind: 'recording',
            name: `Voicemail from ${String(call.from)}`,
            bytes,
            callId: job.callId,
            providerSid: job.recordingSid,
          },
          sign,
        );
      } catch (err) {
        if (err instanceof AppError) throw new PermanentJobError(`the recording was refused: ${err.message}`);
        throw err;
      }
      await this.deps.records.systemWrite(tx, sys, 'calls', job.callId, {
        recordingUrl: recordingUrlOf(this.deps.baseUrl, job.callId),
      });
    });
  }

  // ---------------------------------------------------------------- click-to-call

  /**
   * Places a call through the provider: the agent's phone rings first; when they answer, the
   * voice webhook dials the customer. The call record is created as the caller (calls:
   * create), then the provider's id is stored on it.
   */
  async dial(
    actor: Actor,
    input: { to: string; agentPhone: string; numberId?: string; contactId?: string },
  ): Promise<{ callId: string; providerCallId: string; status: string }> {
    const { database, records } = this.deps;
    const prepared = await database.tenant(actor.workspaceId, async (tx) => {
      const { rows } = await sql<NumberRow>`select * from telephony_numbers where workspace_id = rapport_workspace()
        and (${input.numberId ?? null}::uuid is null or id = ${input.numberId ?? null}::uuid)
        order by created_at, id limit 1`.execute(tx);
      const row = rows[0];
      if (!row) {
        throw new AppError('validation_failed', 'No phone number to call from: set one up first', {
          errors: [{ path: 'numberId', message: 'names no phone number of this workspace' }],
        });
      }
      const m = input.contactId
        ? { contactId: input.contactId }
        : await this.match(tx, systemActor(actor.workspaceId), input.to);
      const call = await records.create(tx, actor, 'calls', {
        direction: 'outbound',
        from: row.phone_number,
        to: input.to,
        callerName: ('name' in m && m.name) || input.to,
        status: 'queued',
        agentId: actor.userId,
        contactId: m.contactId ?? null,
        startedAt: this.deps.now().toISOString(),
        ivrPath: [],
      });
      return { row, callId: String(call.id) };
    });
    const { row, callId } = prepared;
    let placed: { sid: string; status: string };
    try {
      placed = await this.deps.provider.placeCall({
        accountSid: row.account_sid,
        authToken: this.deps.secrets.open(row.auth_token, tokenContext(row.workspace_id, row.id)),
        from: row.phone_number,
        to: input.agentPhone,
        url: `${voiceUrlOf(this.deps.baseUrl, row.id)}?call=${callId}`,
        statusCallback: `${statusUrlOf(this.deps.baseUrl, row.id)}?call=${callId}`,
      });
    } catch (err) {
      await database.tenant(actor.workspaceId, (tx) =>
        records.systemWrite(tx, systemActor(actor.workspaceId), 'calls', callId, { status: 'failed' }),
      );
      throw new AppError(
        'service_unavailable',
        `The telephony provider did not place the call: ${(err as Error).message}`,
      );
    }
    await database.tenant(actor.workspaceId, (tx) =>
      records.systemWrite(tx, systemActor(actor.workspaceId), 'calls', callId, {
        providerCallId: placed.sid,
        status: STATUS_OF[placed.status] ?? 'queued',
      }),
    );
    return { callId, providerCallId: placed.sid, status: STATUS_OF[placed.status] ?? 'queued' };
  }
}

const stepOf = (node: string, kind: string, now: Date): TIvrStep => ({ node, kind, at: now.toISOString() });
