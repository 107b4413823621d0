import type { FastifyBaseLogger as Logger } from 'fastify';
import { sql } from 'kysely';
import { SEGMENT_OBJECTS } from '../../../common/contracts/segments';
import type { FilterNode } from '../../../common/filter';
import { enterWorkspace, leaveWorkspace, type Tx } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import { type EventInput, emitEvents, type StoredEvent } from '../../platform/events/events';
import type { RecordService } from '../../platform/records/records.service';
import { SEGMENT_ENTERED, SEGMENT_LEFT } from './segments.service';

/** At most this many dynamic segments per object and workspace are watched for entering and leaving. */
export const MAX_WATCHED_SEGMENTS = 200;

const PREFIX: Record<string, string> = { contacts: 'contact', leads: 'lead', accounts: 'account' };
const RECORD_ACTIONS = ['created', 'updated', 'deleted', 'restored', 'purged'];
const TYPES = [
  ...SEGMENT_OBJECTS.flatMap((o) => RECORD_ACTIONS.map((a) => `${PREFIX[o]}.${a}`)),
  'segment.created',
  'segment.updated',
  'segment.deleted',
  'segment.restored',
  'segment.purged',
];

interface Watched {
  id: string;
  name: string;
  filter: FilterNode;
}

/**
 * Keeps segment_membership (who matched each dynamic segment when last looked) and emits
 * segment.entered / segment.left on the transitions. Runs in the dispatcher's system
 * transaction with the cursor advance (exactly once). Per workspace and object, the
 * changed records are evaluated against every watched segment in ONE query
 * (RecordService.matchingIds, as the system: readers' permissions apply when they read
 * events and members). A segment created or whose filter changed gets a fresh baseline
 * without events (its existing matches did not "enter" anything). Static segments emit
 * their events where members are added and removed; here only purged records leave them.
 */
export function segmentMembershipConsumer(deps: { records: RecordService; log: Logger }): EventConsumer {
  return {
    name: 'segments.membership',
    types: TYPES,
    async handle(tx, events) {
      let wrote = false;
      const byWorkspace = new Map<string, StoredEvent[]>();
      for (const e of events) byWorkspace.set(e.workspaceId, [...(byWorkspace.get(e.workspaceId) ?? []), e]);
      for (const [ws, list] of byWorkspace) {
        await enterWorkspace(tx, ws);
        try {
          wrote = (await rebaseline(tx, deps.records, ws, list)) || wrote;
          for (const object of SEGMENT_OBJECTS) {
            const changed = list.filter((e) => e.object === object && e.recordId);
            if (changed.length === 0) continue;
            wrote = (await evaluate(tx, deps.records, ws, object, changed)) || wrote;
          }
        } finally {
          await leaveWorkspace(tx);
        }
      }
      return wrote ? undefined : 'nothing-written';
    },
  };
}

/** New, changed, trashed and restored segments: their snapshot starts over from who matches now. */
async function rebaseline(tx: Tx, records: RecordService, ws: string, events: StoredEvent[]): Promise<boolean> {
  const touched = events.filter((e) => e.object === 'segments' && e.recordId);
  let wrote = false;
  for (const e of touched) {
    const changes = (e.data.changes ?? {}) as Record<string, unknown>;
    if (e.type === 'segment.updated' && !('filter' in changes) && !('type' in changes)) continue;
    const id = e.recordId as string;
    await sql`delete from segment_membership where workspace_id = ${ws}::uuid and segment_id = ${id}::uuid`.execute(tx);
    if (e.type === 'segment.deleted' || e.type === 'segment.purged') {
      wrote = true;
      continue;
    }
    const { rows } = await sql<{ object: string; filter: FilterNode | null }>`
      select object, filter from segments_scoped
      where id = ${id}::uuid and deleted_at is null and type = 'dynamic'`.execute(tx);
    const seg = rows[0];
    if (!seg?.filter) continue;
    const matches = await records.matchRelation(tx, seg.object, seg.filter);
    if (!matches) continue;
    await sql`insert into segment_membership (workspace_id, segment_id, record_id)
      select ${ws}::uuid, ${id}::uuid, m.id from ${matches} m
      on conflict do nothing`.execute(tx);
    wrote = true;
  }
  return wrote;
}

/** The changed records of one object against its watched dynamic segments: transitions become events. */
async function evaluate(
  tx: Tx,
  records: RecordService,
  ws: string,
  object: string,
  events: StoredEvent[],
): Promise<boolean> {
  const ids = [...new Set(events.map((e) => e.recordId as string))];
  const purged = events.filter((e) => e.type.endsWith('.purged')).map((e) => e.recordId as string);
  let wrote = false;
  if (purged.length) {
    const { rows } = await sql`delete from segment_members
      where workspace_id = ${ws}::uuid and record_id = any(${purged}::uuid[]) returning record_id`.execute(tx);
    wrote = rows.length > 0;
  }
  const { rows: segments } = await sql<Watched>`
    select id, name, filter from segments_scoped
    where object = ${object} and type = 'dynamic' and deleted_at is null and filter is not null
    order by created_at, id limit ${MAX_WATCHED_SEGMENTS}`.execute(tx);
  if (segments.length === 0) return wrote;
  const matching = await records.matchingIds(
    tx,
    object,
    segments.map((s) => s.filter),
    ids,
  );
  const { rows: before } = await sql<{ segment_id: string; record_id: string }>`
    select segment_id, record_id from segment_membership
    where workspace_id = ${ws}::uuid and record_id = any(${ids}::uuid[])
      and segment_id = any(${segments.map((s) => s.id)}::uuid[])`.execute(tx);
  const was = new Set(before.map((r) => `${r.segment_id}:${r.record_id}`));
  // Whose change it was: the last event about each record.
  const actorOf = new Map(events.map((e) => [e.recordId as string, e.actorUserId]));
  const entered: { segment: Watched; recordId: string }[] = [];
  const left: { segment: Watched; recordId: string }[] = [];
  segments.forEach((segment, i) => {
    const now = matching[i] as Set<string>;
    for (const recordId of ids) {
      const had = was.has(`${segment.id}:${recordId}`);
      if (now.has(recordId) && !had) entered.push({ segment, recordId });
      else if (!now.has(recordId) && had) left.push({ segment, recordId });
    }
  });
  if (entered.length === 0 && left.length === 0) return wrote;
  if (entered.length) {
    await sql`insert into segment_membership (workspace_id, segment_id, record_id)
      select ${ws}::uuid, s, r from unnest(${entered.map((x) => x.segment.id)}::uuid[], ${entered.map((x) => x.recordId)}::uuid[]) as u(s, r)
      on conflict do nothing`.execute(tx);
  }
  if (left.length) {
    await sql`delete from segment_membership
      where workspace_id = ${ws}::uuid
        and (segment_id, record_id) in (select * from unnest(${left.map((x) => x.segment.id)}::uuid[], ${left.map((x) => x.recordId)}::uuid[]))`.execute(
      tx,
    );
  }
  // Events are grouped by the user whose change caused them.
  const byActor = new Map<string | null, EventInput[]>();
  const add = (type: string) => (x: { segment: Watched; recordId: string }) => {
    const who = actorOf.get(x.recordId) ?? null;
    byActor.set(who, [
      ...(byActor.get(who) ?? []),
      { type, object, recordId: x.recordId, data: { segmentId: x.segment.id, segmentName: x.segment.name } },
    ]);
  };
  entered.forEach(add(SEGMENT_ENTERED));
  left.forEach(add(SEGMENT_LEFT));
  for (const [userId, list] of byActor) await emitEvents(tx, { workspaceId: ws, userId }, list);
  return true;
}
