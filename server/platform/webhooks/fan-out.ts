import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { type RolePermissions, STANDARD_PERMISSIONS, type StandardRole } from '../access/permissions';
import type { Actor } from '../auth/actor';
import { enterWorkspace, leaveWorkspace, type Tx } from '../db/database';
import type { EventConsumer } from '../events/dispatcher';
import { visibleEvents } from '../events/event-visibility';
import { publicEventId, type StoredEvent } from '../events/events';
import type { JobQueue } from '../jobs/job-queue';
import type { RecordService } from '../records/records.service';
import { DELIVERY_QUEUE } from './delivery-worker';
import { type PersonRef, sharingRefused } from './sharing';

/** Whether a subscription's pattern (`contact.created`, `contact.*`, `*`) covers an event type. */
export function typeMatches(patterns: string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

/** The JSON a receiver gets (docs/API.md): id, type, createdAt, workspaceId, data. */
export function deliveryBody(e: {
  id: string;
  type: string;
  createdAt: Date;
  workspaceId: string;
  data: unknown;
}): string {
  return JSON.stringify({
    id: e.id,
    type: e.type,
    createdAt: new Date(e.createdAt).toISOString(),
    workspaceId: e.workspaceId,
    data: e.data,
  });
}

interface Sub {
  workspace_id: string;
  id: string;
  event_types: string[];
  role: string;
  created_by: string | null;
  /** The creator's role now: null when they are no longer a member. */
  creator_role: string | null;
  /** The receiver is a third party data is shared with (see sharing.ts). */
  sharing: boolean;
}

/**
 * The webhook fan-out as an event consumer: for each event and each active
 * subscription that matches it, one delivery row (unique per subscription and
 * event) and its delivery job, written in the consumer's transaction together
 * with the cursor advance — so exactly once per event, however often a batch is
 * retried or a server dies.
 *
 * A subscription receives what its role may read, as the API would show it to an
 * API key of that role created by the subscription's creator: the object, the
 * fields (hidden ones removed) and the records (scope own/team/all, shares and row
 * rules such as "not supplier accounts").
 *
 * A subscription is only as good as the administrator who vouches for it: once its
 * creator is no longer a member whose current role has `admin` (demoted, removed),
 * it delivers nothing — otherwise a demoted or departed administrator would keep
 * receiving every record through the URL they chose. Checked on every fan-out, so it
 * follows role changes at once; an administrator who changes the subscription takes
 * it over. Subscriptions without a creator (made with a CLI key) are unaffected.
 */
export function webhookFanOut(jobs: JobQueue, records: RecordService): EventConsumer {
  return {
    name: 'webhooks',
    batchSize: 500,
    async handle(tx: Tx, events: StoredEvent[]) {
      const workspaces = [...new Set(events.map((e) => e.workspaceId))];
      const { rows: subs } = await sql<Sub>`
        select s.workspace_id, s.id, s.event_types, s.role, s.created_by, m.role as creator_role, s.sharing
        from webhook_subscriptions s
        left join workspace_members m on m.workspace_id = s.workspace_id and m.user_id = s.created_by
        where s.active and s.workspace_id = any(${workspaces}::uuid[])`.execute(tx);
      if (subs.length === 0) return 'nothing-written';
      const everyRole = await rolePermissions(tx, subs);
      const vouched = subs.filter(
        (s) =>
          s.created_by === null ||
          (s.creator_role !== null && everyRole.get(`${s.workspace_id}:${s.creator_role}`)?.admin === true),
      );
      if (vouched.length === 0) return 'nothing-written';
      subs.splice(0, subs.length, ...vouched);
      const matched = await withoutRefusedSharing(tx, await visibleToSubscriptions(tx, records, subs, events));
      const deliveries: Record<string, unknown>[] = [];
      for (const { s, e, data } of matched) {
        const eventId = publicEventId(e.id);
        deliveries.push({
          workspace_id: s.workspace_id,
          id: uuidv7(),
          subscription_id: s.id,
          event_id: eventId,
          event_type: e.type,
          body: deliveryBody({ id: eventId, type: e.type, createdAt: e.createdAt, workspaceId: e.workspaceId, data }),
        });
      }
      if (deliveries.length === 0) return 'nothing-written';
      const { rows: created } = await sql<{ workspace_id: string; id: string }>`
        insert into webhook_deliveries (workspace_id, id, subscription_id, event_id, event_type, body, next_attempt_at)
        select v.workspace_id, v.id, v.subscription_id, v.event_id, v.event_type, v.body, now()
        from jsonb_to_recordset(${JSON.stringify(deliveries)}::jsonb)
          as v(workspace_id uuid, id uuid, subscription_id uuid, event_id text, event_type text, body text)
        on conflict (workspace_id, subscription_id, event_id) do nothing
        returning workspace_id, id`.execute(tx);
      await jobs.enqueueMany(
        tx,
        created.map((d) => ({
          queue: DELIVERY_QUEUE,
          workspaceId: d.workspace_id,
          key: d.id,
          payload: { deliveryId: d.id },
        })),
      );
    },
  };
}

/**
 * The (subscription, event) pairs to deliver, each with the data its role may see:
 * events are matched by type, then checked and shaped by `visibleEvents` (the one
 * decision of who may see an event, shared with every other event consumer) once
 * per (workspace, role, creator), in the consumer's transaction switched into the
 * workspace (RLS applies) and back.
 */
async function visibleToSubscriptions(
  tx: Tx,
  records: RecordService,
  subs: Sub[],
  events: StoredEvent[],
): Promise<{ s: Sub; e: StoredEvent; data: Record<string, unknown> }[]> {
  const groups = new Map<string, { subs: Sub[]; events: Set<StoredEvent> }>();
  for (const s of subs) {
    const key = JSON.stringify([s.workspace_id, s.role, s.created_by]);
    const g = groups.get(key) ?? { subs: [], events: new Set<StoredEvent>() };
    g.subs.push(s);
    for (const e of events) if (e.workspaceId === s.workspace_id && typeMatches(s.event_types, e.type)) g.events.add(e);
    groups.set(key, g);
  }
  const out: { s: Sub; e: StoredEvent; data: Record<string, unknown> }[] = [];
  try {
    for (const g of groups.values()) {
      const first = g.subs[0] as Sub;
      if (g.events.size === 0) continue;
      await enterWorkspace(tx, first.workspace_id);
      const actor: Actor = {
        kind: 'api_key',
        userId: first.created_by,
        workspaceId: first.workspace_id,
        role: first.role,
        scopes: ['read'],
      };
      const visible = await visibleEvents(tx, records, actor, [...g.events]);
      for (const e of g.events) {
        const data = visible.get(e.id);
        if (!data) continue;
        for (const s of g.subs) if (typeMatches(s.event_types, e.type)) out.push({ s, e, data });
      }
    }
  } finally {
    await leaveWorkspace(tx);
  }
  return out;
}

/**
 * Drops, for subscriptions marked `sharing`, the events about a record some module refuses to
 * share (a lead or contact who opted out of sale/sharing). The check runs when the event is fanned
 * out, so an opt-out also stops events about the person that were emitted just before it and not
 * yet fanned out (the safe side), its own `consent.changed` and `<object>.updated` included.
 */
async function withoutRefusedSharing<T extends { s: Sub; e: StoredEvent }>(tx: Tx, matched: T[]): Promise<T[]> {
  const byWorkspace = new Map<string, PersonRef[]>();
  for (const { s, e } of matched) {
    if (!s.sharing || !e.recordId || !e.object) continue;
    const refs = byWorkspace.get(e.workspaceId) ?? [];
    refs.push({ object: e.object, recordId: e.recordId });
    byWorkspace.set(e.workspaceId, refs);
  }
  if (byWorkspace.size === 0) return matched;
  const refused = new Set<string>();
  for (const [ws, refs] of byWorkspace) {
    for (const key of await sharingRefused(tx, ws, refs)) refused.add(`${ws}:${key}`);
  }
  return matched.filter(({ s, e }) => !s.sharing || !refused.has(`${e.workspaceId}:${e.object}:${e.recordId}`));
}

/** Permissions of each (workspace, role) a subscription acts as or its creator has; unknown roles get none. */
async function rolePermissions(tx: Tx, subs: Sub[]): Promise<Map<string, RolePermissions>> {
  const keys = subs.flatMap((s) => [
    JSON.stringify([s.workspace_id, s.role]),
    ...(s.creator_role ? [JSON.stringify([s.workspace_id, s.creator_role])] : []),
  ]);
  const pairs = [...new Set(keys)].map((p) => JSON.parse(p) as [string, string]);
  const { rows } = await sql<{
    workspace_id: string;
    key: string;
    permissions: RolePermissions | null;
    standard: boolean;
  }>`
    select r.workspace_id, r.key, r.permissions, r.standard from roles r
    join jsonb_to_recordset(${JSON.stringify(pairs.map(([w, k]) => ({ w, k })))}::jsonb) as v(w uuid, k text)
      on r.workspace_id = v.w and r.key = v.k`.execute(tx);
  const out = new Map<string, RolePermissions>();
  for (const r of rows) {
    const perms = r.permissions ?? (r.standard ? STANDARD_PERMISSIONS[r.key as StandardRole] : undefined);
    if (perms) out.set(`${r.workspace_id}:${r.key}`, perms);
  }
  return out;
}
