import { sql } from 'kysely';
import type { FilterNode } from '../../../common/filter';
import type { Tx } from '../../platform/db/database';
import type { RecordService } from '../../platform/records/records.service';

/**
 * A dynamic segment's snapshot starts over from who matches now, without events: its
 * existing matches did not "enter" anything. Taken in the transaction that creates the
 * segment or changes its filter (the segment's afterWrite), so every record event the
 * membership consumer reads later is compared with a snapshot at least as old as the
 * segment it sees: a record that changes after the segment exists enters it (its event
 * fires), one that matched before does not. `tx` must have entered the workspace.
 */
export async function baselineSegment(
  tx: Tx,
  records: RecordService,
  ws: string,
  segmentId: string,
  segment: { object: string; type: string | null; filter: FilterNode | null; deleted: boolean },
): Promise<void> {
  await sql`delete from segment_membership
    where workspace_id = ${ws}::uuid and segment_id = ${segmentId}::uuid`.execute(tx);
  if (segment.deleted || segment.type !== 'dynamic' || !segment.filter) return;
  const matches = await records.matchRelation(tx, segment.object, segment.filter);
  if (!matches) return;
  await sql`insert into segment_membership (workspace_id, segment_id, record_id)
    select ${ws}::uuid, ${segmentId}::uuid, m.id from ${matches} m
    on conflict do nothing`.execute(tx);
}
