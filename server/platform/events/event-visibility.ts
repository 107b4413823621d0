import { sql } from 'kysely';
import type { Actor } from '../auth/actor';
import { enterWorkspace, leaveWorkspace, type Tx } from '../db/database';
import type { RecordService } from '../records/records.service';
import type { ObjectRegistry } from '../records/registry';
import type { StoredEvent } from './events';

type EventLike = Pick<StoredEvent, 'id' | 'object' | 'recordId' | 'data'>;

/** A record whose visibility decides whether someone may see an event. */
export interface EventSubject {
  object: string;
  recordId: string;
}

const isRef = (v: unknown): v is { object: string; recordId: string } =>
  !!v &&
  typeof v === 'object' &&
  typeof (v as { object?: unknown }).object === 'string' &&
  typeof (v as { recordId?: unknown }).recordId === 'string';

/**
 * The records an event is about, each of which the reader must be able to see:
 * the event's own record when it is a record object (`contact.updated`), and the
 * record a timeline entry is attached to — a comment's (`data.comment.object /
 * recordId`, the event's own object `comments` is no record object) or a note's
 * and other activity's parent (`relatedObject` / `relatedId`). `[]` for events
 * about no record (workspace-wide); `null` when the event names something that
 * is neither a record object nor attached to one (shown to nobody: fail closed).
 */
export function eventSubjects(registry: ObjectRegistry, e: EventLike): EventSubject[] | null {
  if (!e.object) return [];
  const out: EventSubject[] = [];
  const own = !!registry.get(e.object);
  if (own && e.recordId) out.push({ object: e.object, recordId: e.recordId });
  for (const v of Object.values(e.data ?? {})) {
    if (isRef(v) && registry.get(v.object)) out.push({ object: v.object, recordId: v.recordId });
    const rec = v as { relatedObject?: unknown; relatedId?: unknown } | null;
    if (
      rec &&
      typeof rec === 'object' &&
      typeof rec.relatedObject === 'string' &&
      typeof rec.relatedId === 'string' &&
      registry.get(rec.relatedObject)
    ) {
      out.push({ object: rec.relatedObject, recordId: rec.relatedId });
    }
  }
  if (!own && out.length === 0) return null;
  return out;
}

/**
 * The events `actor` may see, each with its data as they may see it — THE check for
 * every consumer that shows events to someone (webhook subscriptions, notifications,
 * timelines): every subject record (the event's own and the one it is attached to)
 * must be of an object the role reads and within its record scope, shares and row
 * rule; the role's hidden fields of the event's object are cut from every
 * record-shaped value (`record`, `changes`, …). Runs in the actor's workspace
 * (tenant transaction, or a system one switched into it). Records are checked as
 * they are now, trashed ones included; one deleted for good is no longer visible
 * to a limited role.
 */
export async function visibleEvents<E extends EventLike>(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  events: E[],
): Promise<Map<string, Record<string, unknown>>> {
  const out = new Map<string, Record<string, unknown>>();
  const subjects = new Map<string, EventSubject[]>();
  const wanted = new Map<string, Set<string>>(); // object → ids to check
  let anyObject: string | undefined;
  for (const e of events) {
    const s = eventSubjects(records.registry, e);
    if (s === null) continue;
    subjects.set(e.id, s);
    for (const { object, recordId } of s) {
      anyObject ??= object;
      const ids = wanted.get(object) ?? new Set<string>();
      ids.add(recordId);
      wanted.set(object, ids);
    }
  }
  if (subjects.size === 0) return out;
  const ctx = anyObject ? await records.context(tx, actor, anyObject) : undefined;
  const seen = new Map<string, Set<string> | 'all'>();
  for (const [object, ids] of wanted) {
    seen.set(object, ctx ? await records.readableIdsInAnyState(tx, ctx, object, [...ids]) : new Set());
  }
  for (const e of events) {
    const s = subjects.get(e.id);
    if (!s) continue;
    const ok = s.every(({ object, recordId }) => {
      const v = seen.get(object);
      return v === 'all' || !!v?.has(recordId);
    });
    if (!ok) continue;
    const schema = e.object && ctx ? ctx.schemas.get(e.object) : undefined;
    const full = e.object && ctx ? ctx.full.get(e.object) : undefined;
    if (!schema || !full) {
      out.set(e.id, e.data);
      continue;
    }
    const hidden = full
      .fields()
      .map((f) => f.def.name)
      .filter((n) => !schema.field(n));
    out.set(e.id, withoutFields(e.data, hidden));
  }
  return out;
}

/** The data with `hidden` fields removed at the top level and from every record-shaped value. */
function withoutFields(data: Record<string, unknown>, hidden: string[]): Record<string, unknown> {
  if (hidden.length === 0) return data;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if (hidden.includes(k)) continue;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = Object.fromEntries(Object.entries(v).filter(([name]) => !hidden.includes(name)));
    } else out[k] = v;
  }
  return out;
}

/**
 * What member `userId` may see of `event` (its data shaped for their role), or null:
 * not a member, or the event is about a record they cannot see. For notifications,
 * which show an event to one person. Runs in the workspace's transaction.
 */
export async function eventForMember(
  tx: Tx,
  records: RecordService,
  workspaceId: string,
  userId: string,
  event: EventLike,
): Promise<Record<string, unknown> | null> {
  const { rows } = await sql<{ role: string }>`
    select role from workspace_members where workspace_id = ${workspaceId}::uuid and user_id = ${userId}::uuid`.execute(
    tx,
  );
  const role = rows[0]?.role;
  if (!role) return null;
  const actor: Actor = { kind: 'user', userId, workspaceId, role, scopes: [] };
  return (await visibleEvents(tx, records, actor, [event])).get(event.id) ?? null;
}

/**
 * `eventForMember` from a system transaction (event consumers, sweeps): switches it into the
 * event's workspace, so row-level security applies to the check, and back out afterwards.
 */
export async function eventForMemberOfWorkspace(
  tx: Tx,
  records: RecordService,
  workspaceId: string,
  userId: string,
  event: EventLike,
): Promise<Record<string, unknown> | null> {
  await enterWorkspace(tx, workspaceId);
  try {
    return await eventForMember(tx, records, workspaceId, userId, event);
  } finally {
    await leaveWorkspace(tx);
  }
}
