import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';

export interface RecordRef {
  object: string;
  id: string;
}

/**
 * Makes `from`'s timeline part of `to`'s (a merged contact into its survivor, a
 * converted lead into its contact). Events are immutable, so they are linked rather
 * than moved; records already linked to `from` follow it to `to`. Returns how many
 * records' timelines now show on `to` through this link.
 */
export async function linkTimeline(
  tx: Tx,
  workspaceId: string,
  from: RecordRef,
  to: RecordRef,
  reason: 'merged' | 'converted',
): Promise<number> {
  const { rows } =
    await sql`insert into record_timeline_links (workspace_id, object, record_id, from_object, from_id, reason)
    select ${workspaceId}::uuid, ${to.object}, ${to.id}::uuid, l.from_object, l.from_id, l.reason
    from record_timeline_links l where l.object = ${from.object} and l.record_id = ${from.id}::uuid
    union all select ${workspaceId}::uuid, ${to.object}, ${to.id}::uuid, ${from.object}, ${from.id}::uuid, ${reason}
    on conflict do nothing returning 1`.execute(tx);
  await sql`delete from record_timeline_links where object = ${from.object} and record_id = ${from.id}::uuid`.execute(
    tx,
  );
  return rows.length;
}

/**
 * The records whose events make up a record's timeline: itself first, then the
 * records merged or converted into it. The timeline reads
 * `events where (object, record_id) in (…)`.
 */
export async function timelineSources(tx: Tx, ref: RecordRef): Promise<(RecordRef & { reason?: string })[]> {
  const { rows } = await sql<{ object: string; id: string; reason: string }>`
    select from_object as object, from_id as id, reason from record_timeline_links
    where object = ${ref.object} and record_id = ${ref.id}::uuid order by created_at, from_id`.execute(tx);
  return [ref, ...rows];
}
