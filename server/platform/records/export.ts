import { audit } from '../access/access.service';
import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';
import { csvLine } from '../http/csv';
import { ADDRESS_PARTS } from './field-types';
import { nameRecords } from './names';
import type { ResolvedField } from './object-schema';
import { resolveFields } from './query';
import type { ListOptions, RecordContext, RecordData, RecordService } from './records.service';
import type { FieldDef } from './types';

/** The most rows one export returns (larger exports belong to a background job). */
export const MAX_EXPORT_ROWS = 100_000;

/** Fields an export leaves out: the version is for writes, not for people. */
const LEFT_OUT = new Set(['version']);

interface Column {
  header: string;
  value: (r: RecordData) => unknown;
}

/**
 * Exports what the caller may export: the export permission, their record scope and
 * only the fields their role can see (the list machinery applies all three). Audited.
 *
 * The file is for people and spreadsheets (issue 14): a UTF-8 byte order mark (so Excel
 * reads accents), field labels as headers, people and related records by name (the
 * owner's name, the account's title; a record the caller may not read stays blank), tags
 * and multiple choices as comma lists, select options by label, money as an amount and a
 * currency column, an address as one column per part. The ids follow in extra columns at
 * the end ("Owner ID", "Account ID"), so an import can read the same file back exactly.
 */
export async function exportCsv(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  object: string,
  opts: Pick<ListOptions, 'filter' | 'sort' | 'fields'>,
): Promise<string> {
  const ctx = await records.context(tx, actor, object, 'export');
  const rows: RecordData[] = [];
  let cursor: string | undefined;
  do {
    const page = await records.list(tx, actor, object, { ...opts, limit: 500, cursor }, 'export');
    rows.push(...page.data);
    cursor = page.page.nextCursor ?? undefined;
  } while (cursor && rows.length < MAX_EXPORT_ROWS);
  rows.length = Math.min(rows.length, MAX_EXPORT_ROWS);

  const wanted = resolveFields(ctx.schema, opts.fields);
  const fields = ctx.schema
    .fields()
    .filter((f) => !LEFT_OUT.has(f.def.name) && (!wanted || f.def.name === 'id' || wanted.includes(f.def.name)));
  const columns = await spreadsheetColumns(records, tx, ctx, fields, rows);
  await audit(tx, actor, {
    action: 'records.exported',
    object,
    detail: { rows: rows.length, filter: opts.filter ?? null, fields: fields.map((f) => f.def.name) },
  });
  const lines = [csvLine(columns.map((c) => c.header)), ...rows.map((r) => csvLine(columns.map((c) => c.value(r))))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/**
 * The spreadsheet CSV of records already read for export (the same columns as `exportCsv`,
 * every field the caller's role sees): a whole-workspace export writes each object with it.
 * Neither reads nor audits: the caller did both.
 */
export async function csvOfRows(
  records: RecordService,
  tx: Tx,
  ctx: RecordContext,
  rows: RecordData[],
): Promise<string> {
  const fields = ctx.schema.fields().filter((f) => !LEFT_OUT.has(f.def.name));
  const columns = await spreadsheetColumns(records, tx, ctx, fields, rows);
  const lines = [csvLine(columns.map((c) => c.header)), ...rows.map((r) => csvLine(columns.map((c) => c.value(r))))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The export's columns for `fields`, names of people and related records looked up once for all rows. */
async function spreadsheetColumns(
  records: RecordService,
  tx: Tx,
  ctx: RecordContext,
  fields: ResolvedField[],
  rows: RecordData[],
): Promise<Column[]> {
  const main: Column[] = [];
  const ids: Column[] = [];
  const used = new Set<string>();
  // Two fields may share a label (a custom field named like a built-in one): the API name tells them apart.
  const header = (f: FieldDef, suffix = '') => {
    let h = `${f.label}${suffix}`;
    if (used.has(h.toLowerCase())) h = `${f.label} (${f.name})${suffix}`;
    used.add(h.toLowerCase());
    return h;
  };
  for (const { def: f } of fields) {
    const get = (r: RecordData) => r[f.name];
    if (f.name === 'id') {
      main.push({ header: header(f), value: get });
      continue;
    }
    const linked = f.type === 'user' || (f.type === 'relation' && !!f.relation);
    if (linked) {
      const all = rows.flatMap((r) => {
        const v = get(r);
        return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
      });
      const names = await nameRecords(records, tx, ctx, f, all);
      const nameOf = (id: unknown) => (typeof id === 'string' ? (names.get(id) ?? '') : '');
      main.push({
        header: header(f),
        value: (r) => {
          const v = get(r);
          return Array.isArray(v) ? v.map(nameOf).filter(Boolean).join(', ') : nameOf(v);
        },
      });
      ids.push({
        header: header(f, ' ID'),
        value: (r) => {
          const v = get(r);
          return Array.isArray(v) ? v.join(', ') : v;
        },
      });
      continue;
    }
    switch (f.type) {
      case 'money':
        main.push({ header: header(f), value: (r) => part(get(r), 'amount') });
        main.push({ header: header(f, ' currency'), value: (r) => part(get(r), 'currency') });
        break;
      case 'address':
        for (const p of ADDRESS_PARTS)
          main.push({ header: header(f, ` ${humanPart(p)}`), value: (r) => part(get(r), p) });
        break;
      case 'select':
        main.push({ header: header(f), value: (r) => labelOf(f, get(r)) });
        break;
      case 'multiSelect':
        main.push({ header: header(f), value: (r) => list(get(r), (v) => labelOf(f, v)) });
        break;
      case 'tags':
        main.push({ header: header(f), value: (r) => list(get(r), String) });
        break;
      case 'emails':
      case 'phones':
        main.push({
          header: header(f),
          value: (r) =>
            list(get(r), (v) =>
              v && typeof v === 'object' ? String((v as { value?: unknown }).value ?? '') : String(v),
            ),
        });
        break;
      default:
        main.push({ header: header(f), value: get });
    }
  }
  return [...main, ...ids];
}

const part = (v: unknown, p: string) =>
  v && typeof v === 'object' ? ((v as Record<string, unknown>)[p] ?? null) : null;
const humanPart = (p: string) => p.replace(/([A-Z])/g, ' $1').toLowerCase();
const labelOf = (f: FieldDef, v: unknown) =>
  v == null ? null : (f.options?.find((o) => o.value === v)?.label ?? String(v));
const list = (v: unknown, fmt: (x: unknown) => string | null) =>
  Array.isArray(v)
    ? v
        .map(fmt)
        .filter((x) => x)
        .join(', ')
    : null;
