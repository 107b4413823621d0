import { sql } from 'kysely';
import type { FilterNode } from '../../../common/filter';
import type { Database } from '../../platform/db/database';
import { emitEvents } from '../../platform/events/events';
import type { RecordService } from '../../platform/records/records.service';
import { SEGMENT_ENTERED, SEGMENT_LEFT } from './segments.service';

export const WINDOWS_QUEUE = 'segments.windows';

/** At most this many entering or leaving records per segment and pass (the rest follow on the next pass). */
const MAX_CHANGES = 10_000;

/**
 * The time-window pass (WINDOWS_QUEUE, hourly). A behaviour condition with `days` ("visited
 * /pricing in the last 30 days") stops — or, under `not`, starts — matching as time passes,
 * with no event to notice it: reads are always current, but segment.entered / segment.left
 * would not fire. This pass compares each such dynamic segment's matches with the
 * membership consumer's memory (segment_membership) and emits the transitions, as the
 * consumer would have. Segments with no windowed condition are never touched here.
 */
export async function runSegmentWindows(
  database: Database,
  records: RecordService,
): Promise<{ segments: number; entered: number; left: number }> {
  const { rows: segments } = await database.system((tx) =>
    sql<{ workspace_id: string; id: string; name: string; object: string; filter: FilterNode }>`
      select workspace_id, id, name, object, filter from segments
      where deleted_at is null and type = 'dynamic' and filter is not null
        and filter::text like '%"field": "@%' and filter::text like '%"days": %'
      order by workspace_id, created_at, id`.execute(tx),
  );
  let entered = 0;
  let left = 0;
  for (const s of segments) {
    await database.tenant(s.workspace_id, async (tx) => {
      const matches = await records.matchRelation(tx, s.object, s.filter);
      if (!matches) return;
      const { rows: gone } = await sql<{ record_id: string }>`
        delete from segment_membership m
        where m.workspace_id = ${s.workspace_id}::uuid and m.segment_id = ${s.id}::uuid
          and m.record_id in (
            select record_id from segment_membership
            where workspace_id = ${s.workspace_id}::uuid and segment_id = ${s.id}::uuid
              and record_id not in (select id from ${matches} x)
            limit ${MAX_CHANGES})
        returning m.record_id`.execute(tx);
      const { rows: came } = await sql<{ record_id: string }>`
        insert into segment_membership (workspace_id, segment_id, record_id)
        select ${s.workspace_id}::uuid, ${s.id}::uuid, x.id from ${matches} x
        where not exists (select 1 from segment_membership m where m.workspace_id = ${s.workspace_id}::uuid
          and m.segment_id = ${s.id}::uuid and m.record_id = x.id)
        limit ${MAX_CHANGES}
        on conflict do nothing
        returning record_id`.execute(tx);
      const data = { segmentId: s.id, segmentName: s.name };
      await emitEvents(tx, { workspaceId: s.workspace_id, userId: null }, [
        ...came.map((r) => ({ type: SEGMENT_ENTERED, object: s.object, recordId: r.record_id, data })),
        ...gone.map((r) => ({ type: SEGMENT_LEFT, object: s.object, recordId: r.record_id, data })),
      ]);
      entered += came.length;
      left += gone.length;
    });
  }
  return { segments: segments.length, entered, left };
}
