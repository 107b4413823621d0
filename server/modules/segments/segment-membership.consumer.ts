import type { FastifyBaseLogger as Logger } from 'fastify';
import { sql } from 'kysely';
import { SEGMENT_OBJECTS } from '../../../common/contracts/segments';
import type { FilterNode } from '../../../common/filter';
import { enterWorkspace, leaveWorkspace, type Tx } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import { type EventInput, emitEvents, type StoredEvent } from '../../platform/events/events';
import type { RecordService } from '../../platform/records/records.service';
import { IMPORT_SUMMARY_EVENTS, importedRecordIds, importOf } from '../imports';
import { ENGAGEMENT_SOURCE_EVENTS, engagementRows, forgetEngagement, recordEngagement } from './engagement';
import { baselineSegment } from './segment-baseline';
import { SEGMENT_ENTERED, SEGMENT_LEFT } from './segments.service';

/** At most this many dynamic segments per object and workspace are watched for entering and leaving. */
export const MAX_WATCHED_SEGMENTS = 200;

const PREFIX: Record<string, string> = { contacts: 'contact', leads: 'lead', accounts: 'account' };
const RECORD_ACTIONS = ['created', 'updated', 'deleted', 'restored', 'purged'];
const ENGAGED = new Set<string>(ENGAGEMENT_SOURCE_EVENTS);
const TYPES = [
  ...SEGMENT_OBJECTS.flatMap((o) => RECORD_ACTIONS.map((a) => `${PREFIX[o]}.${a}`)),
  'segment.deleted',
  'segment.restored',
  'segment.purged',
  ...ENGAGEMENT_SOURCE_EVENTS,
  // An import writes its records quietly and emits one summary event: its records are evaluated then.
  ...IMPORT_SUMMARY_EVENTS,
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
 * events and members). A segment created or whose filter changed got its baseline in the
 * writing transaction (segment-baseline.ts), so no record event is compared with a
 * segment that has no snapshot yet. Static segments emit
 * their events where members are added and removed; here only purged records leave them.
 * Engagement events (page.viewed, form.submitted, email.opened / email.clicked) are first
 * written to engagement_events (engagement.ts), then their people are evaluated like
 * changed records, so behaviour conditions enter and leave them too. An import's summary
 * event (`import.completed`) has its records evaluated the same way, read from the import.
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
          // What people did (behaviour conditions read it), before any segment is evaluated.
          wrote = (await recordEngagement(tx, list)) || wrote;
          wrote = (await rebaseline(tx, deps.records, ws, list)) || wrote;
          const engaged = engagementRows(list);
          for (const object of SEGMENT_OBJECTS) {
            const changed = [
              ...list.filter((e) => e.object === object && e.recordId && !ENGAGED.has(e.type)),
              ...list.flatMap((e) =>
                engaged
                  .filter((r) => r.id === e.id && r.object === object)
                  .map((r) => ({ ...e, object, recordId: r.record_id })),
              ),
            ];
            if (changed.length === 0) continue;
            wrote = (await evaluate(tx, deps.records, ws, object, changed)) || wrote;
          }
          // Each import's records, a page at a time, as if each had been updated by its importer.
          for (const e of list) {
            const imported = importOf(e);
            if (!imported || !(SEGMENT_OBJECTS as readonly string[]).includes(imported.object)) continue;
            for await (const ids of importedRecordIds(tx, imported.importId)) {
              const asEvents = ids.map((recordId) => ({ ...e, object: imported.object, recordId }));
              wrote = (await evaluate(tx, deps.records, ws, imported.object, asEvents)) || wrote;
            }
          }
        } finally {
          await leaveWorkspace(tx);
        }
      }
      return wrote ? undefined : 'nothing-written';
    },
  };
}

/**
 * Trashed, restored and purged segments: a trashed or purged one has no snapshot; a
 * restored one starts over from who matches now. New segments and filter changes were
 * given their snapshot in the writing transaction (segments.object.ts' afterWrite).
 */
async function rebaseline(tx: Tx, records: RecordService, ws: string, events: StoredEvent[]): Promise<boolean> {
  const touched = events.filter(
    (e) =>
      e.object === 'segments' &&
      e.recordId &&
      (e.type === 'segment.deleted' || e.type === 'segment.purged' || e.type === 'segment.restored'),
  );
  for (const e of touched) {
    const id = e.recordId as string;
    const { rows } = await sql<{ object: string; type: string | null; filter: FilterNode | null; deleted: boolean }>`
      select object, type, filter, deleted_at is not null as deleted from segments_scoped
      where id = ${id}::uuid`.execute(tx);
    const seg = rows[0] ?? { object: '', type: null, filter: null, deleted: true };
    await baselineSegment(tx, records, ws, id, seg);
  }
  return touched.length > 0;
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
    await sql`delete from segment_members
      where workspace_id = ${ws}::uuid and record_id = any(${purged}::uuid[])`.execute(tx);
    await forgetEngagement(tx, ws, purged);
    wrote = true;
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
