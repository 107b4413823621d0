import { sql } from 'kysely';
import type { TIvrDefinition, TIvrStep, TScreenPop } from '../../../common/contracts/telephony';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import type { ModuleRouteDeps } from '../../platform/modules';
import type { StreamSource } from '../../platform/notifications/notification-hub';
import type { RecordService } from '../../platform/records/records.service';
import { findRecentContacts } from '../interactions';
import { SCREEN_POP_CHANNEL } from './agents';

type Rec = Record<string, unknown>;
const nameOf = (r: Rec) => String([r.firstName, r.lastName].filter(Boolean).join(' ') || r.name || r.email || r.id);

/** Reads a record as `actor` may, or null (not visible, or no right to its object). */
async function readable(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  object: string,
  id: unknown,
): Promise<Rec | null> {
  if (typeof id !== 'string') return null;
  return records.get(tx, actor, object, id).catch(() => null);
}

async function listed(tx: Tx, records: RecordService, actor: Actor, object: string, filter: unknown, sort: string) {
  try {
    return (await records.list(tx, actor, object, { limit: 5, sort, filter: filter as never })).data as Rec[];
  } catch {
    return [];
  }
}

/**
 * The call script of the queue node that routed the call: the last queue step of its IVR path, in
 * the flow version it took, of the flow its number answers with.
 */
async function callScript(tx: Tx, call: Rec): Promise<string | null> {
  const path = (call.ivrPath as TIvrStep[] | null) ?? [];
  const step = [...path].reverse().find((s) => s.kind === 'agent' || s.kind === 'queue');
  if (!step?.flowVersion) return null;
  const { rows } = await sql<{ definition: TIvrDefinition }>`select v.definition
    from telephony_numbers n
    join telephony_flow_versions v on v.workspace_id = n.workspace_id and v.flow_id = n.flow_id
    where n.workspace_id = rapport_workspace() and n.phone_number = ${String(call.to)} and v.version = ${step.flowVersion}`.execute(
    tx,
  );
  const node = rows[0]?.definition.nodes.find((n) => n.id === step.node);
  return node?.kind === 'queue' && node.script ? node.script : null;
}

/** The screen-pop of a call for the agent it was routed to, built with the agent's own permissions. */
export async function screenPop(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  callId: string,
): Promise<TScreenPop | null> {
  const call = await readable(tx, records, actor, 'calls', callId);
  if (!call || call.agentId !== actor.userId) return null;
  const contact = await readable(tx, records, actor, 'contacts', call.contactId);
  const lead = await readable(tx, records, actor, 'leads', call.leadId);
  const account = await readable(tx, records, actor, 'accounts', call.accountId ?? contact?.accountId);
  const about = contact
    ? { field: 'contactId', op: 'eq', value: contact.id }
    : account
      ? { field: 'accountId', op: 'eq', value: account.id }
      : null;
  const openTickets = about
    ? await listed(
        tx,
        records,
        actor,
        'tickets',
        { and: [about, { field: 'status', op: 'in', value: ['new', 'open', 'pending', 'on_hold'] }] },
        '-createdAt',
      )
    : [];
  const openOpportunities = account
    ? await listed(
        tx,
        records,
        actor,
        'opportunities',
        {
          and: [
            { field: 'accountId', op: 'eq', value: account.id },
            { field: 'status', op: 'eq', value: 'open' },
          ],
        },
        '-createdAt',
      )
    : [];
  const recentInteractions = about ? await listed(tx, records, actor, 'interactions', about, '-occurredAt') : [];
  let warn = false;
  if (contact) {
    const ctx = await records.context(tx, actor, 'contacts', 'read');
    const guard = await findRecentContacts(tx, {
      contactId: String(contact.id),
      userId: actor.userId,
      scoped: (object) => records.scopedRelation(ctx, object),
    }).catch(() => null);
    warn = guard?.warn ?? false;
  }
  return {
    script: await callScript(tx, call),
    call: {
      id: String(call.id),
      from: String(call.from),
      callerName: (call.callerName as string | null) ?? null,
      queue: (call.queue as string | null) ?? null,
      ivrPath: (call.ivrPath as TIvrStep[] | null) ?? [],
    },
    contact: contact ? { id: String(contact.id), name: nameOf(contact) } : null,
    lead: lead ? { id: String(lead.id), name: nameOf(lead) } : null,
    account: account ? { id: String(account.id), name: nameOf(account) } : null,
    openTickets: openTickets.map((t) => ({
      id: String(t.id),
      number: (t.number as number | null) ?? null,
      subject: String(t.subject ?? ''),
    })),
    openOpportunities: openOpportunities.map((o) => ({ id: String(o.id), name: String(o.name ?? '') })),
    recentInteractions: recentInteractions.map((i) => ({
      id: String(i.id),
      topic: String(i.topic ?? ''),
      channel: String(i.channel ?? ''),
      occurredAt: String(i.occurredAt ?? ''),
    })),
    warn,
    unknownCaller: !call.contactId && !call.leadId && !call.accountId,
  };
}

/**
 * Screen-pops on the notifications socket: a call routed to an agent (NOTIFY
 * `rapport_telephony` with the call's id, on every app process) is pushed to that agent only,
 * built as they may see it.
 */
export function screenPopStream({ database, records }: ModuleRouteDeps): StreamSource {
  return {
    name: 'telephony',
    channel: SCREEN_POP_CHANNEL,
    async recent(workspaceIds, since) {
      // Embedded mode's poll: calls routed since the socket opened (each reader is checked in `message`).
      const { rows } = await sql<{ workspace_id: string; id: string }>`
        select workspace_id, call_id::text as id from telephony_agents
        where workspace_id = any(${workspaceIds}::uuid[]) and status = 'busy' and call_id is not null
          and updated_at >= ${since}::timestamptz and updated_at > now() - interval '60 seconds'`.execute(database.db);
      return rows.map((r) => ({ workspaceId: r.workspace_id, id: r.id }));
    },
    async message(actor, id) {
      const pop = await database.tenantRead(actor.workspaceId, (tx) => screenPop(tx, records, actor, id));
      return pop ? { type: 'screen_pop', pop } : null;
    },
  };
}
