import { audit } from '../access/access.service';
import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';
import { csvLine } from '../http/csv';
import type { ListOptions, RecordService } from './records.service';

/** The most rows one export returns (larger exports belong to a background job). */
export const MAX_EXPORT_ROWS = 100_000;

/**
 * Exports what the caller may export: the export permission, their record scope and
 * only the fields their role can see (the list machinery applies all three). Audited.
 */
export async function exportCsv(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  object: string,
  opts: Pick<ListOptions, 'filter' | 'sort' | 'fields'>,
): Promise<string> {
  const lines: string[] = [];
  let columns: string[] | undefined;
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await records.list(tx, actor, object, { ...opts, limit: 500, cursor }, 'export');
    for (const row of page.data) {
      columns ??= Object.keys(row);
      lines.push(csvLine(columns.map((c) => row[c])));
      count++;
    }
    cursor = page.page.nextCursor ?? undefined;
  } while (cursor && count < MAX_EXPORT_ROWS);
  if (!columns) {
    const { schema } = await records.context(tx, actor, object, 'export');
    columns = opts.fields ? ['id', 'version', ...opts.fields.split(',')] : schema.fields().map((f) => f.def.name);
  }
  await audit(tx, actor, {
    action: 'records.exported',
    object,
    detail: { rows: count, filter: opts.filter ?? null, fields: columns },
  });
  return `${[columns.join(','), ...lines].join('\r\n')}\r\n`;
}
