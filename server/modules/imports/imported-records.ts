import { type RawBuilder, sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import type { StoredEvent } from '../../platform/events/events';

/** The summary events of an import (one per import; a failed one may have written some batches). */
export const IMPORT_SUMMARY_EVENTS = ['import.completed', 'import.failed'];

/**
 * The records an import created or updated, by pages of ids (the import's one summary event
 * names the import, not a million records): for the consumers that react to record changes
 * (segments, geocoding, sequences) to look at them as if each had its own event. In the
 * caller's workspace (a tenant transaction, or a system one that entered the workspace).
 * `after`: resume after this record id (pages in separate transactions).
 */
export async function* importedRecordIds(
  tx: Tx,
  importId: string,
  opts: { result?: 'created' | 'updated'; pageSize?: number; after?: string } = {},
): AsyncGenerator<string[]> {
  let after = opts.after ?? '00000000-0000-0000-0000-000000000000';
  const size = opts.pageSize ?? 1000;
  for (;;) {
    const { rows } = await sql<{ record_id: string }>`
      select record_id from import_records
      where workspace_id = rapport_workspace() and import_id = ${importId}::uuid and record_id > ${after}::uuid
        ${opts.result ? sql`and result = ${opts.result}` : sql``}
      order by record_id limit ${size}`.execute(tx);
    if (rows.length === 0) return;
    yield rows.map((r) => r.record_id);
    if (rows.length < size) return;
    after = rows[rows.length - 1]?.record_id as string;
  }
}

/** The import a summary event is about, when it may have written records of `object` (null for dry runs). */
export function importOf(e: StoredEvent): { importId: string; object: string } | null {
  if (!IMPORT_SUMMARY_EVENTS.includes(e.type) || !e.object || e.data.dryRun === true) return null;
  const importId = e.data.importId;
  return typeof importId === 'string' ? { importId, object: e.object } : null;
}

/** The event type of the timeline's "imported from <file>" entry (made from the import, not stored as an event). */
export const RECORD_IMPORTED = 'record.imported';

/**
 * Timeline entries "imported from <file>": one per import that created or updated one of
 * `sources`' records, shaped like an event row (its id is the import's, its time the
 * import's start), newest first, after the timeline's cursor. No event per imported record
 * is stored: the import's own rows say it.
 */
export async function importTimelineRows(
  tx: Tx,
  sources: { object: string; id: string }[],
  after: (at: RawBuilder<unknown>, id: RawBuilder<unknown>) => RawBuilder<unknown> | undefined,
  limit: number,
): Promise<Record<string, unknown>[]> {
  if (sources.length === 0) return [];
  const mine = sql.join(
    sources.map((s) => sql`(i.object = ${s.object} and r.record_id = ${s.id}::uuid)`),
    sql` or `,
  );
  const cursor = after(sql`i.created_at`, sql`i.id`);
  const { rows } = await sql<Record<string, unknown>>`
    select i.id, ${RECORD_IMPORTED} as type, i.object, r.record_id, i.created_by as actor_user_id,
      jsonb_build_object('importId', i.id, 'fileName', i.file_name, 'preset', i.preset, 'result', r.result,
        'row', r.row_number) as data,
      to_char(i.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as _at
    from import_records r join imports i on i.workspace_id = r.workspace_id and i.id = r.import_id
    where r.workspace_id = rapport_workspace() and (${mine}) ${cursor ? sql`and ${cursor}` : sql``}
    order by i.created_at desc, i.id desc limit ${limit + 1}`.execute(tx);
  return rows;
}
