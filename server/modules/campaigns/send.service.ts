import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import {
  EMAIL_CAMPAIGN_TYPES,
  type TCampaignSend,
  type TSendRequest,
  type TSkipReason,
} from '../../../common/contracts/campaigns';
import type { Actor } from '../../platform/auth/actor';
import type { Config } from '../../platform/config';
import type { Database, Tx } from '../../platform/db/database';
import { emitEvents } from '../../platform/events/events';
import { AppError, invalidField, notFound } from '../../platform/http/errors';
import type { Job, JobQueue } from '../../platform/jobs/job-queue';
import { defaultUnsubscribeAddress } from '../../platform/mail/mailboxes.service';
import { enqueueMails, type OutgoingMail } from '../../platform/mail/outbox';
import { suppressionReasons } from '../../platform/mail/suppressions';
import { escapeHtml } from '../../platform/mail/template';
import {
  type CompiledTemplate,
  loadCompiledTemplate,
  renderCompiled,
  suppressedMany,
} from '../../platform/mail/templates.service';
import type { RecordData, RecordService } from '../../platform/records/records.service';
import { currentConsents } from '../consents';
import { contactedWithinCooldown } from '../interactions';
import { campaignsSecret, messageToken } from './email-tokens';
import { advanceMembers, campaignActor, type MemberObject, requireWritable } from './members.service';
import { campaignSettings } from './settings.service';

export const SEND_QUEUE = 'campaigns.send';
/** The consent purpose a campaign email needs granted. */
export const MARKETING_PURPOSE = 'marketing_email';
const DEFAULT_PER_MINUTE = 600;
/**
 * Members per batch transaction at most. A fast throttle is met with more batches a second,
 * not bigger ones. A batch is a fixed number of statements whatever its size (the skip
 * checks set-based, the outbox, message and member rows written with one statement each),
 * so its time is mostly rendering: well within the job's 30 s lease. (When each member
 * cost about seven round trips, a batch of 200 took 25–30 s at a load average of 45 and
 * the cap was 100.)
 */
const MAX_BATCH = 500;
/** A job run works this long, then hands over to a fresh job (short leases: a crash is picked up soon). */
const RUN_MS = 10_000;

interface SendRow {
  id: string;
  campaign_id: string;
  template_id: string;
  sender_id: string | null;
  state: TCampaignSend['state'];
  scheduled_at: Date;
  per_minute: number;
  run: number;
  queued: number;
  skipped: number;
  created_at: Date;
  finished_at: Date | null;
}

const present = (r: SendRow): TCampaignSend => ({
  id: r.id,
  campaignId: r.campaign_id,
  templateId: r.template_id,
  state: r.state,
  scheduledAt: new Date(r.scheduled_at).toISOString(),
  perMinute: r.per_minute,
  queued: r.queued,
  skipped: r.skipped,
  createdAt: new Date(r.created_at).toISOString(),
  finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
});

export async function listSends(tx: Tx, actor: Actor, records: RecordService, campaignId: string) {
  await records.require(tx, actor, 'campaigns', campaignId, 'read');
  const { rows } = await sql<SendRow>`select * from campaign_sends
    where workspace_id = ${actor.workspaceId}::uuid and campaign_id = ${campaignId}::uuid
    order by created_at desc, id desc`.execute(tx);
  return rows.map(present);
}

/**
 * Starts sending a template to the campaign's members (now, or at `scheduledAt`): one
 * send row and its job, in the caller's transaction. 409 while another send of the
 * campaign is unfinished or when the campaign is not an email campaign; 422 naming the
 * field for an unknown template or sender.
 */
export async function startSend(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  jobs: JobQueue,
  campaignId: string,
  body: TSendRequest,
  now: Date,
): Promise<TCampaignSend> {
  await requireWritable(tx, actor, records, campaignId);
  const campaign = await records.get(tx, actor, 'campaigns', campaignId, { fields: 'type,status' });
  if (!EMAIL_CAMPAIGN_TYPES.includes(String(campaign.type))) {
    throw new AppError('conflict', 'Only an email or geo-targeted campaign sends email', {
      errors: [{ path: 'type', message: 'the campaign is not of type email or geo_targeted' }],
    });
  }
  const tpl = await sql`select 1 from mail_templates where workspace_id = ${actor.workspaceId}::uuid
    and id = ${body.templateId}::uuid`.execute(tx);
  if (!tpl.rows.length) throw invalidField('templateId', 'no template with this id');
  if (body.senderId) {
    const s = await sql`select 1 from mail_senders where workspace_id = ${actor.workspaceId}::uuid
      and id = ${body.senderId}::uuid`.execute(tx);
    if (!s.rows.length) throw invalidField('senderId', 'no sender identity with this id');
  }
  // One unfinished send per campaign at a time (the campaign row lock serialises starts).
  const busy = await sql`select 1 from campaign_sends where workspace_id = ${actor.workspaceId}::uuid
    and campaign_id = ${campaignId}::uuid and state in ('scheduled', 'sending', 'paused')`.execute(tx);
  if (busy.rows.length) {
    throw new AppError('conflict', 'This campaign is already sending; pause, resume or wait for it to finish');
  }
  const members = await sql<{ n: number }>`select count(*)::int as n from campaign_members
    where workspace_id = ${actor.workspaceId}::uuid and campaign_id = ${campaignId}::uuid`.execute(tx);
  if (!members.rows[0]?.n) {
    throw new AppError('conflict', 'The campaign has no members to send to; add contacts, leads or a segment first');
  }
  const scheduledAt = body.scheduledAt ? new Date(body.scheduledAt) : now;
  const id = uuidv7();
  const { rows } = await sql<SendRow>`
    insert into campaign_sends (workspace_id, id, campaign_id, template_id, sender_id, state, scheduled_at, per_minute,
      created_by)
    values (${actor.workspaceId}::uuid, ${id}::uuid, ${campaignId}::uuid, ${body.templateId}::uuid,
      ${body.senderId ?? null}::uuid, ${scheduledAt > now ? 'scheduled' : 'sending'}, ${scheduledAt},
      ${body.perMinute ?? DEFAULT_PER_MINUTE}, ${actor.userId}::uuid)
    returning *`.execute(tx);
  await jobs.enqueue(tx, {
    queue: SEND_QUEUE,
    workspaceId: actor.workspaceId,
    payload: { sendId: id },
    key: `send:${id}:1`,
    runAt: scheduledAt,
  });
  if (campaign.status === 'planned' || !campaign.status) {
    await records.update(tx, actor, 'campaigns', campaignId, { status: 'active' });
  }
  return present(rows[0] as SendRow);
}

async function unfinishedSend(tx: Tx, actor: Actor, campaignId: string, states: string[]): Promise<SendRow> {
  const { rows } = await sql<SendRow>`select * from campaign_sends
    where workspace_id = ${actor.workspaceId}::uuid and campaign_id = ${campaignId}::uuid
      and state = any(${states}::text[])
    order by created_at desc limit 1 for update`.execute(tx);
  if (!rows[0]) throw notFound('Unfinished send');
  return rows[0];
}

/** Pauses the campaign's running (or scheduled) send: the job stops before its next batch. */
export async function pauseSend(tx: Tx, actor: Actor, records: RecordService, campaignId: string) {
  await requireWritable(tx, actor, records, campaignId);
  const send = await unfinishedSend(tx, actor, campaignId, ['scheduled', 'sending', 'paused']);
  const { rows } = await sql<SendRow>`update campaign_sends set state = 'paused'
    where workspace_id = ${actor.workspaceId}::uuid and id = ${send.id}::uuid returning *`.execute(tx);
  return present(rows[0] as SendRow);
}

/** Resumes a paused send where it stopped (nobody mailed twice: each member's row is kept). */
export async function resumeSend(tx: Tx, actor: Actor, records: RecordService, jobs: JobQueue, campaignId: string) {
  await requireWritable(tx, actor, records, campaignId);
  const send = await unfinishedSend(tx, actor, campaignId, ['paused']);
  const { rows } = await sql<SendRow>`update campaign_sends set state = 'sending', run = run + 1
    where workspace_id = ${actor.workspaceId}::uuid and id = ${send.id}::uuid returning *`.execute(tx);
  const row = rows[0] as SendRow;
  await jobs.enqueue(tx, {
    queue: SEND_QUEUE,
    workspaceId: actor.workspaceId,
    payload: { sendId: row.id },
    key: `send:${row.id}:${row.run}`,
  });
  return present(row);
}

/** A member with what deciding and rendering needs. */
interface Recipient {
  memberId: string;
  object: MemberObject;
  recordId: string;
  record: RecordData | null;
  email: string | null;
}

/** Loads members' records through the record engine as the campaign's reader (one list per object). */
async function loadRecipients(
  tx: Tx,
  records: RecordService,
  workspaceId: string,
  members: { id: string; object: MemberObject; record_id: string }[],
): Promise<Recipient[]> {
  const actor = campaignActor(workspaceId);
  const byId = new Map<string, RecordData>();
  for (const object of ['contacts', 'leads'] as const) {
    const ids = members.filter((m) => m.object === object).map((m) => m.record_id);
    if (!ids.length) continue;
    const page = await records.list(tx, actor, object, {
      limit: ids.length,
      within: sql`select unnest(${ids}::uuid[])`,
    });
    for (const r of page.data) byId.set(r.id as string, r);
  }
  return members.map((m) => {
    const record = byId.get(m.record_id) ?? null;
    const email = typeof record?.email === 'string' && record.email ? record.email : null;
    return { memberId: m.id, object: m.object, recordId: m.record_id, record, email };
  });
}

/**
 * Why each recipient must not be mailed (absent: mail them), checked in this order: not a
 * person (an account), no email, do not contact, consent (withdrawn: unsubscribed; not
 * granted: no consent, unless the workspace's lawful basis is legitimate interest), an
 * earlier hard bounce or complaint, the suppression list (and the modules' suppression
 * checks), and the "don't contact twice" cool-down of the ledger. Set-based: a fixed
 * number of queries for the whole batch, whatever its size.
 */
async function skipReasons(
  tx: Tx,
  workspaceId: string,
  recipients: Recipient[],
  now: Date,
): Promise<Map<string, TSkipReason>> {
  const out = new Map<string, TSkipReason>();
  const people: (Recipient & { object: 'contacts' | 'leads'; record: RecordData; email: string })[] = [];
  for (const r of recipients) {
    if (r.object === 'accounts') out.set(r.memberId, 'not_a_person');
    else if (!r.record || !r.email) out.set(r.memberId, 'no_email');
    else if (r.record.doNotContact === true) out.set(r.memberId, 'do_not_contact');
    else people.push(r as (typeof people)[number]);
  }
  if (people.length === 0) return out;
  const emails = people.map((r) => r.email.toLowerCase());
  const { marketingLawfulBasis } = await campaignSettings(tx, workspaceId);
  const consents = await currentConsents(
    tx,
    workspaceId,
    people.map((r) => ({ object: r.object, recordId: r.recordId })),
    MARKETING_PURPOSE,
  );
  const { rows: bounced } = await sql<{ email: string }>`
    select distinct lower(cm.email) as email from campaign_messages cm
    join campaign_members m on m.workspace_id = cm.workspace_id and m.id = cm.member_id
    where cm.workspace_id = ${workspaceId}::uuid and m.bounce_kind in ('hard', 'complaint')
      and lower(cm.email) = any(${emails}::text[])`.execute(tx);
  const bouncedSet = new Set(bounced.map((b) => b.email));
  const listed = await suppressionReasons(tx, workspaceId, emails);
  const checked = await suppressedMany(
    tx,
    workspaceId,
    people.map((r) => ({ email: r.email, recipient: r.record })),
  );
  const cooldownCandidates: string[] = [];
  people.forEach((r, i) => {
    const consent = consents.get(`${r.object}:${r.recordId}`) ?? 'unknown';
    const email = emails[i] as string;
    let reason: TSkipReason | null = null;
    if (consent === 'withdrawn') reason = 'unsubscribed';
    // Legitimate interest (the workspace's choice): whoever has not objected may be mailed.
    else if (consent !== 'granted' && marketingLawfulBasis === 'consent') reason = 'no_consent';
    else if (bouncedSet.has(email)) reason = 'bounced';
    else if (listed.has(email) || checked[i]) reason = 'suppressed';
    if (reason) out.set(r.memberId, reason);
    else if (r.object === 'contacts') cooldownCandidates.push(r.recordId);
  });
  const cooling = await contactedWithinCooldown(tx, cooldownCandidates, 'email', now);
  for (const r of people) {
    if (!out.has(r.memberId) && r.object === 'contacts' && cooling.has(r.recordId)) out.set(r.memberId, 'cooldown');
  }
  return out;
}

/** Who a send would skip now and why (the send dialog), over the first `limit` unsent members. */
export async function previewSend(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  campaignId: string,
  now: Date,
  limit = 5000,
) {
  await records.require(tx, actor, 'campaigns', campaignId, 'read');
  const { rows } = await sql<{ id: string; object: MemberObject; record_id: string }>`
    select m.id, m.object, m.record_id from campaign_members m
    where m.workspace_id = ${actor.workspaceId}::uuid and m.campaign_id = ${campaignId}::uuid
      and not exists (select 1 from campaign_messages cm where cm.workspace_id = m.workspace_id
        and cm.member_id = m.id and cm.outbox_id is not null)
    order by m.id limit ${limit}`.execute(tx);
  const recipients = await loadRecipients(tx, records, actor.workspaceId, rows);
  const reasons = await skipReasons(tx, actor.workspaceId, recipients, now);
  const skippedByReason: Record<string, number> = {};
  for (const reason of reasons.values()) skippedByReason[reason] = (skippedByReason[reason] ?? 0) + 1;
  return { members: rows.length, willSend: rows.length - reasons.size, skipped: reasons.size, skippedByReason };
}

export interface SendDeps {
  database: Database;
  records: RecordService;
  jobs: JobQueue;
  config: Config;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The send job: batches of members, each batch ONE transaction that queues every mail in
 * the outbox together with its campaign_messages row (unique per campaign and member), so
 * a crash or a retried batch can never mail anyone twice and loses nobody: an uncommitted
 * batch is redone, a committed one is never repeated. Throttled to `per_minute` (batches of
 * per_minute / 60 members a second, at most MAX_BATCH each, so a fast throttle runs several
 * a second); stops when the send is paused; hands over to a fresh job after RUN_MS.
 */
export async function runSendJob(deps: SendDeps, job: Job<{ sendId: string }>, now: () => Date): Promise<void> {
  const workspaceId = job.workspaceId;
  if (!workspaceId) return;
  const started = Date.now();
  const secret = await campaignsSecret(deps.database);
  let compiled: (CompiledTemplate & { name: string }) | null = null;
  let size = 0;
  let perMinute = DEFAULT_PER_MINUTE;
  for (;;) {
    const batchStarted = Date.now();
    const outcome = await deps.database.tenant(workspaceId, async (tx) => {
      const { rows } = await sql<SendRow>`select * from campaign_sends
        where workspace_id = ${workspaceId}::uuid and id = ${job.payload.sendId}::uuid for update`.execute(tx);
      const send = rows[0];
      if (!send || (send.state !== 'sending' && send.state !== 'scheduled')) return 'stop' as const;
      if (send.state === 'scheduled') {
        await sql`update campaign_sends set state = 'sending' where workspace_id = ${workspaceId}::uuid
          and id = ${send.id}::uuid`.execute(tx);
      }
      compiled ??= await loadCompiledTemplate(tx, send.template_id);
      const batch = Math.min(MAX_BATCH, Math.max(1, Math.ceil(send.per_minute / 60)));
      const { rows: members } = await sql<{ id: string; object: MemberObject; record_id: string }>`
        select m.id, m.object, m.record_id from campaign_members m
        where m.workspace_id = ${workspaceId}::uuid and m.campaign_id = ${send.campaign_id}::uuid
          and not exists (select 1 from campaign_messages cm where cm.workspace_id = m.workspace_id
            and cm.member_id = m.id and (cm.send_id = ${send.id}::uuid or (cm.outbox_id is not null and cm.step_key is null)))
        order by m.id limit ${batch} for update of m skip locked`.execute(tx);
      if (members.length === 0) {
        await sql`update campaign_sends set state = 'completed', finished_at = ${now()}
          where workspace_id = ${workspaceId}::uuid and id = ${send.id}::uuid`.execute(tx);
        await emitEvents(tx, { workspaceId, userId: null }, [
          {
            type: 'campaign.send_completed',
            object: 'campaigns',
            recordId: send.campaign_id,
            data: { sendId: send.id },
          },
        ]);
        return 'done' as const;
      }
      const counts = await sendBatch(tx, deps, { workspaceId, secret }, send, compiled, members, now());
      await sql`update campaign_sends set queued = queued + ${counts.queued}, skipped = skipped + ${counts.skipped}
        where workspace_id = ${workspaceId}::uuid and id = ${send.id}::uuid`.execute(tx);
      size = members.length;
      perMinute = send.per_minute;
      if (Date.now() - started > RUN_MS) {
        // Hand over: the next run starts from the members still without a row.
        await deps.jobs.enqueue(tx, {
          queue: SEND_QUEUE,
          workspaceId,
          payload: { sendId: send.id },
          key: `send:${send.id}:${send.run}:${uuidv7()}`,
        });
        return 'handed_over' as const;
      }
      return 'more' as const;
    });
    if (outcome !== 'more') return;
    // The throttle: a batch of n members takes at least n / per_minute of a minute.
    const wait = Math.ceil((size * 60_000) / perMinute) - (Date.now() - batchStarted);
    if (wait > 0) await sleep(wait);
  }
}

const UNSUBSCRIBE_PATH = '/e/u/';

/** Where one mail of a campaign comes from and goes out as: a send's batch, or a workflow or sequence step. */
interface MessageContext {
  workspaceId: string;
  workspaceName: string;
  secret: string;
  base: string;
  mailDomain: string;
  campaignId: string;
  /** The campaign send it belongs to, or (for a step's mail) null with `stepKey`. */
  sendId: string | null;
  stepKey: string | null;
  template: CompiledTemplate;
  sender: Awaited<ReturnType<typeof senderOf>>;
}

/** One recipient's message of a campaign, rendered (or why it is skipped), before it is written. */
interface PreparedMessage {
  memberId: string;
  messageId: string;
  email: string | null;
  skipped: TSkipReason | null;
  mail: OutgoingMail | null;
}

/**
 * Renders one recipient's mail of a campaign (no database work): the Message-ID, tracking,
 * unsubscribe token and List-Unsubscribe headers name the message row it will be written
 * with; or the reason it is skipped.
 */
function prepareMessage(c: MessageContext, r: Recipient, reason: TSkipReason | undefined): PreparedMessage {
  const messageId = uuidv7();
  if (reason || !r.email) {
    return { memberId: r.memberId, messageId, email: r.email, skipped: reason ?? 'no_email', mail: null };
  }
  const ref = { workspaceId: c.workspaceId, messageId };
  const unsubscribeToken = messageToken(c.secret, 'unsubscribe', ref);
  const unsubscribeUrl = `${c.base}${UNSUBSCRIBE_PATH}${unsubscribeToken}`;
  const person = r.record ?? {};
  const vars = {
    contact: person,
    [r.object === 'leads' ? 'lead' : 'contact']: person,
    workspace: { name: c.workspaceName },
    sender: { name: c.sender?.from_name ?? '', email: c.sender?.from_address ?? '' },
    unsubscribeUrl,
  };
  const rendered = renderCompiled(c.template, vars);
  const html = rendered.html
    ? trackHtml(rendered.html, { base: c.base, secret: c.secret, ref, unsubscribeUrl })
    : `<p>${escapeHtml(rendered.text).replace(/\n/g, '<br>')}</p>${footer(unsubscribeUrl)}${pixel(c.base, c.secret, ref)}`;
  const text = `${rendered.text}\n\n--\nUnsubscribe: ${unsubscribeUrl}\n`;
  return {
    memberId: r.memberId,
    messageId,
    email: r.email,
    skipped: null,
    mail: {
      to: r.email,
      subject: rendered.subject,
      text,
      html,
      // The links carry the recipient's unsubscribe token.
      confidential: true,
      messageId: `${messageId}@${c.mailDomain}`,
      from: c.sender ? formatAddress(c.sender.from_name, c.sender.from_address) : undefined,
      headers: {
        'List-Unsubscribe': `<${unsubscribeUrl}>, <mailto:${defaultUnsubscribeAddress(c.workspaceId, c.mailDomain)}?subject=unsubscribe%20${unsubscribeToken}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        Precedence: 'bulk',
        'List-Id': `<campaign-${c.campaignId}.${c.mailDomain}>`,
        ...(c.sender?.reply_to ? { 'Reply-To': c.sender.reply_to } : {}),
      },
    },
  };
}

/**
 * Writes prepared messages in the caller's transaction, set-based: their mails queued in
 * the outbox (one multi-row insert), their message rows (each naming its outbox mail, or
 * why it was skipped) and the members' statuses — four statements however many messages.
 */
async function writeMessages(tx: Tx, c: MessageContext, prepared: PreparedMessage[], now: Date): Promise<void> {
  if (prepared.length === 0) return;
  const sending = prepared.filter((p) => p.mail);
  const outboxIds = await enqueueMails(
    tx,
    c.workspaceId,
    sending.map((p) => p.mail as OutgoingMail),
  );
  const outboxOf = new Map(sending.map((p, i) => [p.messageId, outboxIds[i] as string]));
  await sql`insert into campaign_messages (workspace_id, id, send_id, step_key, campaign_id, member_id, email,
      outbox_id, skip_reason)
    select ${c.workspaceId}::uuid, v.id, ${c.sendId}::uuid, ${c.stepKey}::text, ${c.campaignId}::uuid, v.member_id,
      v.email, v.outbox_id, v.skip_reason
    from unnest(${prepared.map((p) => p.messageId)}::uuid[], ${prepared.map((p) => p.memberId)}::uuid[],
      ${prepared.map((p) => p.email)}::text[], ${prepared.map((p) => outboxOf.get(p.messageId) ?? null)}::uuid[],
      ${prepared.map((p) => p.skipped)}::text[]) as v(id, member_id, email, outbox_id, skip_reason)`.execute(tx);
  await advanceMembers(
    tx,
    c.workspaceId,
    sending.map((p) => ({ id: p.memberId })),
    'sent',
    now,
  );
  await advanceMembers(
    tx,
    c.workspaceId,
    prepared.flatMap((p) => (p.skipped ? [{ id: p.memberId, skipReason: p.skipped }] : [])),
    'skipped',
    now,
  );
}

async function workspaceName(tx: Tx, workspaceId: string): Promise<string> {
  const { rows } = await sql<{ name: string }>`select name from workspaces where id = ${workspaceId}::uuid`.execute(tx);
  return rows[0]?.name ?? '';
}

/** Queues one batch's mails (or records why a member is skipped), in the batch's transaction. */
async function sendBatch(
  tx: Tx,
  deps: SendDeps,
  { workspaceId, secret }: { workspaceId: string; secret: string },
  send: SendRow,
  template: CompiledTemplate,
  members: { id: string; object: MemberObject; record_id: string }[],
  now: Date,
): Promise<{ queued: number; skipped: number }> {
  const recipients = await loadRecipients(tx, deps.records, workspaceId, members);
  const reasons = await skipReasons(tx, workspaceId, recipients, now);
  const context: MessageContext = {
    workspaceId,
    workspaceName: await workspaceName(tx, workspaceId),
    secret,
    base: deps.config.baseUrl.replace(/\/$/, ''),
    mailDomain: deps.config.mailDomain,
    campaignId: send.campaign_id,
    sendId: send.id,
    stepKey: null,
    template,
    sender: await senderOf(tx, workspaceId, send.sender_id),
  };
  const prepared = recipients.map((r) => prepareMessage(context, r, reasons.get(r.memberId)));
  await writeMessages(tx, context, prepared, now);
  const skipped = prepared.filter((p) => p.skipped).length;
  return { queued: prepared.length - skipped, skipped };
}

export type StepEmailResult =
  | { status: 'sent'; messageId: string; to: string; subject: string }
  | { status: 'skipped'; reason: TSkipReason; to: string | null };

/**
 * A campaign email sent by a workflow or sequence step to one contact or lead, in the step's
 * transaction: the person becomes a member of the campaign (if not yet), the campaign's
 * skip rules apply (consent, unsubscribed, bounced, suppressed, do not contact, cool-down),
 * and the mail is a message of the campaign keyed by the step, so its tracking, unsubscribe,
 * bounces and results are the campaign's and a retried step never mails twice.
 */
export async function sendStepEmail(
  tx: Tx,
  deps: { database: Database; records: RecordService; baseUrl: string; mailDomain: string },
  input: {
    workspaceId: string;
    campaignId: string;
    templateId: string;
    senderId?: string;
    object: 'contacts' | 'leads';
    recordId: string;
    stepKey: string;
    addedBy: string | null;
    now: Date;
  },
): Promise<StepEmailResult> {
  const { workspaceId } = input;
  const { rows: done } = await sql<{ email: string | null; skip_reason: TSkipReason | null; id: string }>`
    select id, email, skip_reason from campaign_messages
    where workspace_id = ${workspaceId}::uuid and step_key = ${input.stepKey}`.execute(tx);
  if (done[0]) {
    return done[0].skip_reason
      ? { status: 'skipped', reason: done[0].skip_reason, to: done[0].email }
      : { status: 'sent', messageId: done[0].id, to: done[0].email ?? '', subject: '' };
  }
  await sql`insert into campaign_members (workspace_id, id, campaign_id, object, record_id, added_by)
    values (${workspaceId}::uuid, ${uuidv7()}::uuid, ${input.campaignId}::uuid, ${input.object},
      ${input.recordId}::uuid, ${input.addedBy}::uuid)
    on conflict (workspace_id, campaign_id, record_id) do nothing`.execute(tx);
  const { rows: members } = await sql<{ id: string; object: MemberObject; record_id: string }>`
    select id, object, record_id from campaign_members where workspace_id = ${workspaceId}::uuid
      and campaign_id = ${input.campaignId}::uuid and record_id = ${input.recordId}::uuid`.execute(tx);
  const recipients = await loadRecipients(tx, deps.records, workspaceId, members);
  const r = recipients[0];
  if (!r) throw new AppError('not_found', 'The person is no longer a member of the campaign');
  const reasons = await skipReasons(tx, workspaceId, recipients, input.now);
  const context: MessageContext = {
    workspaceId,
    workspaceName: await workspaceName(tx, workspaceId),
    // Cached: the workflow runner loaded it before the step's transaction (the handler's prepare).
    secret: await campaignsSecret(deps.database),
    base: deps.baseUrl.replace(/\/$/, ''),
    mailDomain: deps.mailDomain,
    campaignId: input.campaignId,
    sendId: null,
    stepKey: input.stepKey,
    template: await loadCompiledTemplate(tx, input.templateId),
    sender: await senderOf(tx, workspaceId, input.senderId ?? null),
  };
  const result = prepareMessage(context, r, reasons.get(r.memberId));
  await writeMessages(tx, context, [result], input.now);
  return result.skipped
    ? { status: 'skipped', reason: result.skipped, to: r.email }
    : { status: 'sent', messageId: result.messageId, to: r.email ?? '', subject: result.mail?.subject ?? '' };
}

const formatAddress = (name: string, address: string) => `"${name.replace(/["\\\r\n]/g, '')}" <${address}>`;

async function senderOf(tx: Tx, workspaceId: string, senderId: string | null) {
  const { rows } = await sql<{ from_name: string; from_address: string; reply_to: string | null }>`
    select from_name, from_address, reply_to from mail_senders where workspace_id = ${workspaceId}::uuid
      and ${senderId ? sql`id = ${senderId}::uuid` : sql`is_default`} limit 1`.execute(tx);
  return rows[0] ?? null;
}

const footer = (unsubscribeUrl: string) =>
  `<p style="font-size:12px;color:#666">You receive this because you agreed to hear from us. <a href="${escapeHtml(unsubscribeUrl)}">Unsubscribe or manage your preferences</a>.</p>`;

const pixel = (base: string, secret: string, ref: { workspaceId: string; messageId: string }) =>
  `<img src="${base}/e/o/${messageToken(secret, 'open', ref)}.gif" width="1" height="1" alt="" style="display:none">`;

/**
 * Rewrites every absolute http(s) link of the HTML to a click redirect bound to this
 * message and that URL (the unsubscribe link stays as it is), adds the unsubscribe footer
 * when the template has no {{ unsubscribeUrl }}, and the open pixel.
 */
export function trackHtml(
  html: string,
  o: { base: string; secret: string; ref: { workspaceId: string; messageId: string }; unsubscribeUrl: string },
): string {
  const unsub = escapeHtml(o.unsubscribeUrl);
  let out = html.replace(
    /(<a\b[^>]*?\bhref=")(https?:\/\/[^"]+)(")/gi,
    (m, pre: string, href: string, post: string) => {
      if (href === unsub) return m;
      const url = href
        .replace(/&amp;/g, '&')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'");
      const token = messageToken(o.secret, 'click', o.ref, url);
      return `${pre}${o.base}/e/c/${token}?u=${encodeURIComponent(url)}${post}`;
    },
  );
  const extra = `${out.includes(unsub) ? '' : footer(o.unsubscribeUrl)}${pixel(o.base, o.secret, o.ref)}`;
  out = /<\/body>/i.test(out) ? out.replace(/<\/body>/i, `${extra}</body>`) : `${out}${extra}`;
  return out;
}
