import fs from 'node:fs';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import {
  ImportMapping,
  type ImportPreset,
  type TImport,
  type TImportFields,
  type TImportPreview,
} from '../../../common/contracts/imports';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { csvCell } from '../../platform/http/csv';
import { AppError, notFound } from '../../platform/http/errors';
import type { JobQueue } from '../../platform/jobs/job-queue';
import type { ObjectSchema } from '../../platform/records/object-schema';
import type { RecordService } from '../../platform/records/records.service';
import { EXTERNAL_ID, mappingFromInput, suggestMapping } from './mapping';
import { type MappingEntry, presetMapping, presetObjects } from './presets';
import {
  detectFormat,
  fileSource,
  type ImportFormat,
  type ImportSource,
  readRows,
  type SourceRow,
  UnreadableFile,
} from './reader';
import { savedMappingFor, savedMappingJson } from './saved-mappings.service';

export const IMPORT_QUEUE = 'imports.run';
/** Stored chunks of the uploaded file. */
export const CHUNK_BYTES = 1024 * 1024;
/** Per-row errors kept per import (all are counted). */
export const MAX_STORED_ERRORS = 50_000;

export interface ImportRow {
  id: string;
  object: string;
  file_name: string;
  format: ImportFormat;
  preset: ImportPreset | null;
  mode: 'create' | 'update' | 'upsert';
  match_on: string | null;
  dry_run: boolean;
  create_missing: boolean;
  mapping: { entries: MappingEntry[]; ignored: string[] };
  actor: Pick<Actor, 'kind' | 'userId' | 'apiKeyId' | 'scopes' | 'role' | 'creatorRole'>;
  status: TImport['status'];
  checkpoint: number;
  /** Where a CSV run resumes (bytes after the checkpoint's last row) and that row's number; null: from the start. */
  resume_offset: string | number | null;
  resume_row: number | null;
  read_rows: number;
  created_rows: number;
  updated_rows: number;
  failed_rows: number;
  accounts_created: number;
  estimated_rows: number | null;
  error: string | null;
  created_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  errors?: number;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function presentImport(r: ImportRow): TImport {
  return {
    id: r.id,
    object: r.object,
    fileName: r.file_name,
    format: r.format,
    preset: r.preset,
    mode: r.mode,
    matchOn: r.match_on,
    dryRun: r.dry_run,
    status: r.status,
    counts: { read: r.read_rows, created: r.created_rows, updated: r.updated_rows, failed: r.failed_rows },
    estimatedRows: r.estimated_rows,
    accountsCreated: r.accounts_created,
    errors: Number(r.errors ?? 0),
    errorsUrl: `/api/v1/imports/${r.id}/errors.csv`,
    mapping: r.mapping.entries.map((e) => ({ column: e.column, field: e.field, ...(e.by ? { by: e.by } : {}) })),
    ignoredColumns: r.mapping.ignored,
    error: r.error,
    createdAt: iso(r.created_at) as string,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
  };
}

/** An uploaded file spooled to a temporary file (the request stream is never held in a transaction). */
export interface SpooledFile {
  fileName: string;
  path: string;
  size: number;
}

const fileChunks = (path: string) => fileSource(path, CHUNK_BYTES).chunks();

async function readHead(path: string): Promise<Buffer> {
  const fd = await fs.promises.open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fd.close();
  }
}

/** About how many rows a file holds: CSV lines less the header (quoted line breaks count too), vCard cards. */
async function estimateRows(format: ImportFormat, path: string): Promise<number | null> {
  if (format === 'xlsx') return null;
  let lines = 0;
  let cards = 0;
  let last = 10;
  for await (const chunk of fs.createReadStream(path)) {
    const buf = chunk as Buffer;
    for (const b of buf) if (b === 10) lines++;
    if (format === 'vcard') cards += buf.toString('latin1').match(/BEGIN:VCARD/gi)?.length ?? 0;
    last = buf[buf.length - 1] ?? last;
  }
  if (format === 'vcard') return cards;
  return Math.max(0, lines + (last === 10 ? 0 : 1) - 1);
}

/** The header and the first `limit` rows of a file. */
async function peek(
  format: ImportFormat,
  file: ImportSource,
  limit: number,
): Promise<{ header: string[]; rows: SourceRow[] }> {
  let header: string[] | null = null;
  const rows: SourceRow[] = [];
  try {
    for await (const item of readRows(format, file)) {
      if ('header' in item) header = item.header;
      else rows.push(item);
      if (header && rows.length >= limit) break;
    }
  } catch (err) {
    if (err instanceof UnreadableFile) throw invalidFile(err.message);
    // csv-parse's own errors (a broken first line): the file as a whole is unreadable.
    throw invalidFile(err instanceof Error ? err.message : 'the file could not be read');
  }
  if (!header) throw invalidFile('the file has no header row');
  return { header, rows };
}

const invalidFile = (message: string) =>
  new AppError('validation_failed', `file: ${message}`, { errors: [{ path: 'file', message }] });

/** The object's unique field to find existing records by (email for contacts, domain for accounts). */
function defaultMatchOn(schema: ObjectSchema): string | null {
  return schema.fields().find((f) => f.def.unique && !f.custom)?.def.name ?? null;
}

/** The mapping an import would use: the given one, else the preset's, else suggested from the header. */
function resolveMapping(
  schema: ObjectSchema,
  fields: Pick<TImportFields, 'preset' | 'mapping'>,
  header: string[],
  format: ImportFormat,
  sample: SourceRow[] = [],
): { entries: MappingEntry[]; ignored: string[] } {
  let entries: MappingEntry[];
  if (fields.mapping) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(fields.mapping);
    } catch {
      throw new AppError('validation_failed', 'mapping: is not valid JSON', {
        errors: [{ path: 'mapping', message: 'must be JSON: {"Column header": "field"}' }],
      });
    }
    const shape = ImportMapping.safeParse(parsed);
    if (!shape.success) {
      throw new AppError('validation_failed', 'mapping: must map column headers to field names', {
        errors: [{ path: 'mapping', message: 'must be {"Column header": "field" | {"field", "by"} | null}' }],
      });
    }
    const { entries: e, errors } = mappingFromInput(schema, shape.data);
    if (errors.length) throw new AppError('validation_failed', `mapping: ${errors[0]?.message}`, { errors });
    const missing = e.filter((x) => !header.includes(x.column));
    if (missing.length) {
      throw new AppError('validation_failed', `mapping: the file has no column "${missing[0]?.column}"`, {
        errors: missing.map((m) => ({ path: `mapping.${m.column}`, message: 'is not a column of the file' })),
      });
    }
    // A column sent to the field its preset gives it keeps the preset's value translations
    // (HubSpot's "marketingqualifiedlead" → mql) and leniency: the wizard sends the preview's
    // mapping back, edited or not, and must import what the preset would.
    const preset = fields.preset ? presetMapping(fields.preset, schema.def.name, header) : null;
    entries = e.map((x) => {
      const p = preset?.find((y) => y.column === x.column && y.field === x.field && (y.by ?? null) === (x.by ?? null));
      return p
        ? {
            ...x,
            ...(p.values ? { values: p.values } : {}),
            ...(p.lenient ? { lenient: true } : {}),
            ...(p.currencyColumn ? { currencyColumn: p.currencyColumn } : {}),
          }
        : x;
    });
  } else if (format === 'vcard') {
    entries = [
      { column: 'UID', field: EXTERNAL_ID },
      ...(schema.field('accountId') ? [{ column: 'ORG', field: 'accountId', by: 'name' as const }] : []),
    ];
  } else if (fields.preset) {
    const p = presetMapping(fields.preset, schema.def.name, header);
    if (!p) {
      throw new AppError(
        'validation_failed',
        `preset: ${fields.preset} files hold ${presetObjects(fields.preset).join(', ')}`,
        {
          errors: [
            {
              path: 'preset',
              message: `has no columns for ${schema.def.name}; it knows ${presetObjects(fields.preset).join(', ')}`,
            },
          ],
        },
      );
    }
    entries = p;
  } else
    entries = suggestMapping(
      schema,
      header,
      sample.map((r) => r.values),
    );
  const used = new Set(entries.flatMap((e) => (e.currencyColumn ? [e.column, e.currencyColumn] : [e.column])));
  const ignored = format === 'vcard' ? [] : header.filter((h) => !used.has(h));
  if (entries.filter((e) => e.field !== EXTERNAL_ID).length === 0 && format !== 'vcard') {
    throw new AppError('validation_failed', 'mapping: no column of the file matches a field; send a mapping', {
      errors: [{ path: 'mapping', message: `no column matches a field of ${schema.def.name}; map at least one` }],
    });
  }
  return { entries, ignored };
}

/** What the import will make of a file: its header, first rows and mapping (the web wizard's second step). */
export async function previewImport(
  database: Database,
  records: RecordService,
  actor: Actor,
  file: SpooledFile,
  fields: Pick<TImportFields, 'object' | 'preset' | 'mapping' | 'mappingId'>,
): Promise<TImportPreview> {
  const format = detectFormat(file.fileName, await readHead(file.path));
  const { header, rows } = await peek(format, fileSource(file.path, CHUNK_BYTES), 20);
  const {
    schema,
    mapping: saved,
    suggested,
  } = await database.tenant(actor.workspaceId, async (tx) => {
    const ctx = await records.context(tx, actor, fields.object, 'create');
    return {
      schema: ctx.schema,
      mapping: await savedMapping(tx, records, actor, fields),
      suggested: format === 'vcard' ? null : await savedMappingFor(tx, actor, fields.object, header),
    };
  });
  const mapping = resolveMapping(schema, { ...fields, mapping: saved }, header, format, rows);
  return {
    format,
    header,
    rows: rows.slice(0, 5).map((r) => r.values),
    mapping: mapping.entries.map((e) => ({ column: e.column, field: e.field, ...(e.by ? { by: e.by } : {}) })),
    ignoredColumns: mapping.ignored,
    savedMapping: suggested,
  };
}

/** The `mapping` JSON to use: the one sent, or the saved mapping `mappingId` names (422 when both are sent). */
async function savedMapping(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  fields: Pick<TImportFields, 'object' | 'mapping' | 'mappingId'>,
): Promise<string | undefined> {
  if (!fields.mappingId) return fields.mapping;
  if (fields.mapping) {
    throw new AppError('validation_failed', 'mappingId: send either a mapping or a saved mapping, not both', {
      errors: [{ path: 'mappingId', message: 'cannot be sent with mapping' }],
    });
  }
  return savedMappingJson(tx, records, actor, fields.mappingId, fields.object);
}

/**
 * Starts an import: checks the caller may create (and for upsert/update, change) records of
 * the object, reads the file's header to settle the mapping (422 naming the field for an
 * unreadable file, an unknown field or column), then stores the file in chunks, the import
 * row and its job in one transaction.
 */
export async function startImport(
  database: Database,
  records: RecordService,
  jobs: JobQueue,
  actor: Actor,
  file: SpooledFile,
  fields: TImportFields,
): Promise<{ id: string }> {
  if (file.size === 0) throw invalidFile('the file is empty');
  const format = detectFormat(file.fileName, await readHead(file.path));
  // Permissions first: a caller who may not import learns nothing about the file.
  const { schema, mapping: saved } = await database.tenant(actor.workspaceId, async (tx) => {
    const ctx = await records.context(tx, actor, fields.object, fields.mode === 'update' ? 'update' : 'create');
    if (fields.mode !== 'create') ctx.policy.assert(fields.object, 'update');
    return { schema: ctx.schema, mapping: await savedMapping(tx, records, actor, fields) };
  });
  if (format === 'vcard' && fields.object !== 'contacts') {
    throw new AppError('validation_failed', 'object: a vCard file imports into contacts', {
      errors: [{ path: 'object', message: 'must be contacts for a vCard file' }],
    });
  }
  let matchOn: string | null = null;
  if (fields.mode !== 'create') {
    matchOn = fields.matchOn ?? defaultMatchOn(schema);
    const f = fields.matchOn ? schema.field(fields.matchOn) : undefined;
    if (fields.matchOn && fields.matchOn !== 'id' && !(f && !f.custom && f.def.unique)) {
      const uniques = schema
        .fields()
        .filter((x) => x.def.unique && !x.custom)
        .map((x) => x.def.name);
      throw new AppError('validation_failed', `matchOn: cannot find records by "${fields.matchOn}"`, {
        errors: [{ path: 'matchOn', message: `must be a unique field: ${['id', ...uniques].join(', ')}` }],
      });
    }
  }
  const { header, rows } = await peek(format, fileSource(file.path, CHUNK_BYTES), 20);
  const mapping = resolveMapping(schema, { ...fields, mapping: saved }, header, format, rows);
  const estimated = await estimateRows(format, file.path);
  const id = uuidv7();
  await database.tenant(actor.workspaceId, async (tx) => {
    await sql`insert into imports (workspace_id, id, created_by, object, file_name, format, preset, mode, match_on,
        dry_run, create_missing, mapping, actor, size_bytes, estimated_rows)
      values (${actor.workspaceId}::uuid, ${id}::uuid, ${actor.userId}::uuid, ${fields.object}, ${file.fileName.slice(0, 255)},
        ${format}, ${fields.preset ?? null}, ${fields.mode}, ${matchOn}, ${fields.dryRun}, ${fields.createMissing},
        ${JSON.stringify(mapping)}::jsonb,
        ${JSON.stringify({
          kind: actor.kind,
          userId: actor.userId,
          apiKeyId: actor.apiKeyId ?? null,
          scopes: actor.scopes,
          role: actor.role,
          creatorRole: actor.creatorRole ?? null,
        })}::jsonb, ${file.size}, ${estimated})`.execute(tx);
    let seq = 0;
    for await (const chunk of fileChunks(file.path)) {
      await sql`insert into import_chunks (workspace_id, import_id, seq, data)
        values (${actor.workspaceId}::uuid, ${id}::uuid, ${seq++}, ${Buffer.from(chunk)})`.execute(tx);
    }
    await jobs.enqueue(tx, {
      queue: IMPORT_QUEUE,
      workspaceId: actor.workspaceId,
      payload: { importId: id },
      key: `import:${id}`,
    });
  });
  return { id };
}

/** Who may see an import: whoever started it, and administrators. */
async function loadVisible(tx: Tx, records: RecordService, actor: Actor, id: string): Promise<ImportRow> {
  const { rows } = await sql<ImportRow>`select i.*,
      (select count(*)::int from import_errors e where e.workspace_id = i.workspace_id and e.import_id = i.id) as errors
    from imports i where i.workspace_id = ${actor.workspaceId}::uuid and i.id = ${id}::uuid`.execute(tx);
  const row = rows[0];
  if (!row) throw notFound('Import');
  if (row.created_by !== actor.userId || !actor.userId) {
    const policy = await records.access.policy(tx, actor);
    if (!policy.admin) throw notFound('Import');
  }
  return row;
}

export async function getImport(tx: Tx, records: RecordService, actor: Actor, id: string): Promise<TImport> {
  return presentImport(await loadVisible(tx, records, actor, id));
}

export async function listImports(tx: Tx, records: RecordService, actor: Actor, limit: number): Promise<TImport[]> {
  const policy = await records.access.policy(tx, actor);
  const { rows } = await sql<ImportRow>`select i.*,
      (select count(*)::int from import_errors e where e.workspace_id = i.workspace_id and e.import_id = i.id) as errors
    from imports i where i.workspace_id = ${actor.workspaceId}::uuid
      and (${policy.admin} or i.created_by = ${actor.userId}::uuid)
    order by i.created_at desc, i.id desc limit ${limit}`.execute(tx);
  return rows.map(presentImport);
}

/** The per-row errors as CSV (row, column, message), in row order. */
export async function importErrorsCsv(tx: Tx, records: RecordService, actor: Actor, id: string): Promise<string> {
  await loadVisible(tx, records, actor, id);
  const { rows } = await sql<{ row_number: number; column_name: string; message: string }>`
    select row_number, column_name, message from import_errors
    where workspace_id = ${actor.workspaceId}::uuid and import_id = ${id}::uuid
    order by row_number, seq`.execute(tx);
  const lines = [
    'row,column,message',
    ...rows.map((r) => [String(r.row_number), csvCell(r.column_name), csvCell(r.message)].join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
