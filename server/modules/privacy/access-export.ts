import { strToU8, zipSync } from 'fflate';
import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import { enterWorkspace, leaveWorkspace, type Tx } from '../../platform/db/database';
import { csvLine } from '../../platform/http/csv';
import type { RecordData, RecordService } from '../../platform/records/records.service';
import { anyOf, asText, catalogue, tableRef } from './catalogue';
import { identifiers, type Subject } from './subject';

/** Columns never exported: credentials and hashes of them, and the generated search columns. */
const SKIP_COLUMN = /(^|_)(hash|secret|token|salt|password)s?$|^search_(vector|text)$/;

export interface AccessExport {
  /** Per source (`records/contacts`, `tables/form_submissions`): its rows. */
  sections: Record<string, Record<string, unknown>[]>;
  /** Files found (bytes columns): path in the ZIP → content. */
  files: Record<string, Uint8Array>;
}

/**
 * Everything held about the person in the workspace: their records and every record that
 * names them (through the record engine, as the system), then every row of every other
 * table of the workspace (from the database catalogue, so later tables are included)
 * that holds their email, phone or full name, or links to one of their records by id:
 * form submissions, visits, chats, tickets' messages, mail sent and received, campaign
 * membership, consents, audit entries, files…
 */
export async function collectAccess(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  subject: Subject,
): Promise<AccessExport> {
  const out: AccessExport = { sections: {}, files: {} };
  const personIds = subject.records.map((r) => r.id);
  const pattern = anyOf([...identifiers(subject), ...personIds]);
  if (!pattern) return out;
  await enterWorkspace(tx, actor.workspaceId);
  for (const def of records.registry.all()) {
    const { rows } = await sql<{ id: string }>`
      select t.id from ${sql.table(`${def.table}_scoped`)} t
      where t.deleted_at is null and to_jsonb(t)::text ~* ${pattern} order by t.id`.execute(tx);
    const list: RecordData[] = [];
    for (const r of rows) list.push(await records.get(tx, actor, def.name, r.id));
    if (list.length) out.sections[`records/${def.name}`] = list;
  }
  await leaveWorkspace(tx);
  const recordTables = new Set(records.registry.all().map((d) => d.table));
  for (const t of await catalogue(tx)) {
    if (!t.tenant || recordTables.has(t.table)) continue;
    const conds = [
      ...t.columns.filter((c) => c.kind !== 'bytea').map((c) => sql`${asText(c)} ~* ${pattern}`),
      ...t.uuidColumns.map((c) => sql`${sql.ref(`t.${c}`)} = any(${personIds}::uuid[])`),
    ];
    if (conds.length === 0) continue;
    const { rows } = await sql<{ row: Record<string, unknown> }>`
      select to_jsonb(t) as row from ${tableRef(t.schema, t.table)} t
      where t.workspace_id = ${actor.workspaceId}::uuid and (${sql.join(conds, sql` or `)})
      limit 10000`.execute(tx);
    if (rows.length === 0) continue;
    const bytes = new Set(t.columns.filter((c) => c.kind === 'bytea').map((c) => c.column));
    out.sections[`tables/${t.table}`] = rows.map(({ row }, n) => {
      const clean: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) {
        if (k === 'workspace_id' || SKIP_COLUMN.test(k)) continue;
        if (bytes.has(k) && typeof v === 'string' && v.startsWith('\\x')) {
          const path = `files/${t.table}/${n + 1}-${k}.bin`;
          out.files[path] = new Uint8Array(Buffer.from(v.slice(2), 'hex'));
          clean[k] = { file: path };
          continue;
        }
        clean[k] = v;
      }
      return clean;
    });
  }
  return out;
}

function toCsv(rows: Record<string, unknown>[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return `\uFEFF${[csvLine(columns), ...rows.map((r) => csvLine(columns.map((c) => r[c])))].join('\r\n')}\r\n`;
}

/** The ZIP sent to the person: each section as JSON and as CSV, files as they are, and a README. */
export function accessZip(
  data: AccessExport,
  meta: { requestId: string; email: string; generatedAt: string; workspace: string },
): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  const index = Object.entries(data.sections).map(([name, rows]) => ({ name, rows: rows.length }));
  entries['README.txt'] = strToU8(
    [
      `Personal data held by ${meta.workspace} about ${meta.email}`,
      `Request ${meta.requestId}, generated ${meta.generatedAt}.`,
      '',
      'Each part is given twice: as JSON (every value as stored) and as CSV (one row per line).',
      'records/ are the CRM records (contacts, leads, and every record that names you);',
      'tables/ are the other places your data is kept (form submissions, website visits, chats,',
      'emails sent and received, campaign membership, consents, audit entries…); files/ are attachments.',
      '',
      ...index.map((s) => `${s.name}: ${s.rows} row(s)`),
      '',
    ].join('\n'),
  );
  entries['index.json'] = strToU8(JSON.stringify({ ...meta, sections: index }, null, 2));
  for (const [name, rows] of Object.entries(data.sections)) {
    entries[`${name}.json`] = strToU8(JSON.stringify(rows, null, 2));
    entries[`${name}.csv`] = strToU8(toCsv(rows));
  }
  Object.assign(entries, data.files);
  return zipSync(entries, { level: 6 });
}
