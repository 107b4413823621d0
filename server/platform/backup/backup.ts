import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type pg from 'pg';
import type { Database } from '../db/database';
import { sealEnvelope } from './envelope';

/**
 * `rapport backup`: a consistent snapshot of the whole instance or one workspace.
 *
 * The body (gzip, inside the envelope of envelope.ts) is newline-delimited JSON:
 *   {"kind":"header", format, migration level, scope, tables with their columns and row counts}
 *   per table: {"kind":"table","name","rows":N} and then exactly N lines, one JSON object per row
 *   {"kind":"manifest", the header's SHA-256, per table its rows and the SHA-256 of its row lines, sequences}
 * Everything is read in one REPEATABLE READ, READ ONLY transaction, through a cursor
 * per table, so the counts, rows and sequences are one snapshot, and memory stays
 * flat whatever the size. The same SQL runs on a PostgreSQL server and on PGlite.
 */
export const BODY_FORMAT = 1;
const FETCH_ROWS = 1000;

export interface BackupTable {
  name: string;
  /** Stored columns in table order (generated columns are recomputed on restore). */
  columns: string[];
  rows: number;
}

export interface BackupHeader {
  kind: 'header';
  format: typeof BODY_FORMAT;
  createdAt: string;
  engine: Database['kind'];
  serverVersion: string;
  /** The schema's migration level: the last applied migration's version. */
  migration: string;
  migrations: { version: string; name: string; checksum: string }[];
  /** null: the whole instance; else the one workspace backed up. */
  workspaceId: string | null;
  tables: BackupTable[];
}

export interface BackupSequence {
  name: string;
  lastValue: string;
  isCalled: boolean;
}

export interface BackupManifest {
  kind: 'manifest';
  format: typeof BODY_FORMAT;
  migration: string;
  workspaceId: string | null;
  headerSha256: string;
  tables: { name: string; rows: number; sha256: string }[];
  sequences: BackupSequence[];
}

/** Where a backup or restore is: the table at hand and the rows done of all tables'. */
export interface BackupProgress {
  table: string;
  done: number;
  total: number;
}

export interface BackupOptions {
  /** Only this workspace's rows (and the users it references); default the whole instance. */
  workspaceId?: string;
  /** Encrypts the file (AES-256-GCM, key from the passphrase through scrypt). */
  passphrase?: string;
  onProgress?: (p: BackupProgress) => void;
}

/** Tables whose rows belong to no workspace and are left out of a workspace backup. */
const INSTANCE_ONLY = new Set(['schema_migrations', 'sessions', 'verifications', 'rate_limit_hits', 'event_consumers']);

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface TableInfo {
  name: string;
  columns: string[];
  scoped: boolean;
}

/** The public schema's tables (not schema_migrations: restore migrates to the backup's level instead). */
export async function listTables(client: pg.PoolClient): Promise<TableInfo[]> {
  const { rows } = await client.query<TableInfo>(`
    select c.relname as name,
      array(select a.attname::text from pg_attribute a
            where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
            order by a.attnum) as columns,
      exists(select 1 from pg_attribute a
             where a.attrelid = c.oid and a.attname = 'workspace_id' and not a.attisdropped) as scoped
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
      and c.relname <> 'schema_migrations'
    order by c.relname`);
  return rows;
}

/** Foreign keys between public tables: [referencing, referenced]. */
export async function listForeignKeys(
  client: pg.PoolClient,
): Promise<{ from: string; to: string; columns: string[] }[]> {
  const { rows } = await client.query<{ from: string; to: string; columns: string[] }>(`
    select f.relname as from, t.relname as to,
      array(select a.attname::text from unnest(k.conkey) with ordinality u(n, i)
            join pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.n order by u.i) as columns
    from pg_constraint k
    join pg_class f on f.oid = k.conrelid join pg_class t on t.oid = k.confrelid
    join pg_namespace n on n.oid = f.relnamespace
    where k.contype = 'f' and n.nspname = 'public'`);
  return rows;
}

/**
 * Tables ordered so that every table comes after the tables its foreign keys reference
 * (restore inserts in file order with the constraints on; a table referencing itself is
 * staged and inserted in one statement, see restore.ts). Tables in a reference cycle,
 * which the schema has none of today, come last in name order.
 */
export function dependencyOrder<T extends { name: string }>(tables: T[], fks: { from: string; to: string }[]): T[] {
  const names = new Set(tables.map((t) => t.name));
  const needs = new Map(tables.map((t) => [t.name, new Set<string>()]));
  for (const k of fks) if (k.from !== k.to && names.has(k.from) && names.has(k.to)) needs.get(k.from)?.add(k.to);
  const ordered: T[] = [];
  const placed = new Set<string>();
  let remaining = [...tables];
  while (remaining.length) {
    const ready = remaining.filter((t) => [...(needs.get(t.name) ?? [])].every((n) => placed.has(n)));
    const next = ready.length ? ready : remaining; // a cycle: keep going in name order
    for (const t of next) {
      ordered.push(t);
      placed.add(t.name);
    }
    remaining = remaining.filter((t) => !placed.has(t.name));
  }
  return ordered;
}

/**
 * The SELECT of one table's rows for the backup's scope. A workspace backup takes
 * rows with its workspace_id, its workspaces row, and the users its rows reference
 * (members, creators…) with their sign-in accounts; a user's default workspace is kept
 * only when it is this one, so the backup references nothing outside itself.
 */
function selectFor(
  table: TableInfo,
  workspaceId: string | undefined,
  userRefs: { table: string; column: string }[],
): { text: string; values: unknown[] } | null {
  const cols = table.columns.map(quoteIdent);
  const from = quoteIdent(table.name);
  if (!workspaceId) return { text: `select ${cols.join(', ')} from ${from}`, values: [] };
  if (INSTANCE_ONLY.has(table.name)) return null;
  if (table.scoped)
    return { text: `select ${cols.join(', ')} from ${from} where workspace_id = $1`, values: [workspaceId] };
  if (table.name === 'workspaces')
    return { text: `select ${cols.join(', ')} from ${from} where id = $1`, values: [workspaceId] };
  const referenced = userRefs
    .map((r) => `select ${quoteIdent(r.column)} from ${quoteIdent(r.table)} where workspace_id = $1`)
    .join(' union ');
  if (table.name === 'users') {
    const projected = table.columns.map((c) =>
      c === 'default_workspace_id'
        ? `case when default_workspace_id = $1 then default_workspace_id end as ${quoteIdent(c)}`
        : quoteIdent(c),
    );
    return { text: `select ${projected.join(', ')} from ${from} where id in (${referenced})`, values: [workspaceId] };
  }
  if (table.name === 'auth_accounts')
    return { text: `select ${cols.join(', ')} from ${from} where user_id in (${referenced})`, values: [workspaceId] };
  // Any other instance-wide table (instance settings: the instance's own keys) stays out of a workspace backup.
  return null;
}

/**
 * Writes a backup to `out` (a writable stream: a file, or stdout). Returns the manifest.
 * Reads through one owner connection; on the embedded database that is its only one,
 * so other work waits while the backup runs.
 */
export async function writeBackup(
  database: Database,
  out: NodeJS.WritableStream,
  opts: BackupOptions = {},
): Promise<BackupManifest> {
  const envelope = await sealEnvelope(opts.passphrase);
  const client = await database.pool.connect();
  let manifest: BackupManifest | undefined;
  try {
    await client.query('begin isolation level repeatable read read only');
    try {
      const body = backupBody(client, database, opts, (m) => {
        manifest = m;
      });
      const cipher = envelope.cipher;
      await pipeline(
        Readable.from(body),
        createGzip(),
        cipher ?? new PassThrough(),
        async function* (source: AsyncIterable<Buffer>) {
          yield envelope.headerLine;
          for await (const chunk of source) yield chunk;
          if (cipher) yield cipher.getAuthTag();
        },
        out,
      );
    } finally {
      await client.query('rollback').catch(() => {});
    }
  } finally {
    client.release();
  }
  if (!manifest) throw new Error('backup ended without its manifest');
  return manifest;
}

async function* backupBody(
  client: pg.PoolClient,
  database: Database,
  opts: BackupOptions,
  done: (m: BackupManifest) => void,
): AsyncGenerator<Buffer> {
  const workspaceId = opts.workspaceId;
  const migrationsTable = await client.query<{ t: string | null }>(
    `select to_regclass('public.schema_migrations')::text as t`,
  );
  if (!migrationsTable.rows[0]?.t) throw new Error('This database has no Rapport schema (run `rapport migrate` first)');
  const { rows: migrations } = await client.query<{ version: string; name: string; checksum: string }>(
    'select version, name, checksum from schema_migrations order by version',
  );
  if (workspaceId) {
    const { rows } = await client.query('select 1 from workspaces where id::text = $1', [workspaceId]);
    if (rows.length === 0) throw new Error(`No workspace ${workspaceId}`);
  }
  const fks = await listForeignKeys(client);
  const tables = dependencyOrder(await listTables(client), fks);
  const scoped = new Set(tables.filter((t) => t.scoped).map((t) => t.name));
  const userRefs = fks
    .filter((k) => k.to === 'users' && scoped.has(k.from))
    .flatMap((k) => k.columns.filter((c) => c !== 'workspace_id').map((column) => ({ table: k.from, column })));
  if (!userRefs.some((r) => r.table === 'workspace_members' && r.column === 'user_id'))
    userRefs.push({ table: 'workspace_members', column: 'user_id' });

  const selected: { table: TableInfo; query: { text: string; values: unknown[] }; rows: number }[] = [];
  for (const table of tables) {
    const query = selectFor(table, workspaceId, userRefs);
    if (!query) continue;
    const { rows } = await client.query<{ n: string }>(`select count(*) as n from (${query.text}) q`, query.values);
    selected.push({ table, query, rows: Number(rows[0]?.n ?? 0) });
  }
  const { rows: seqRows } = await client.query<{ name: string }>(`
    select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind = 'S' order by c.relname`);
  const sequences: BackupSequence[] = [];
  for (const { name } of seqRows) {
    const { rows } = await client.query<{ last_value: string; is_called: boolean }>(
      `select last_value::text, is_called from ${quoteIdent(name)}`,
    );
    if (rows[0]) sequences.push({ name, lastValue: rows[0].last_value, isCalled: rows[0].is_called });
  }

  const header: BackupHeader = {
    kind: 'header',
    format: BODY_FORMAT,
    createdAt: new Date().toISOString(),
    engine: database.kind,
    serverVersion: database.version,
    migration: migrations.at(-1)?.version ?? '',
    migrations,
    workspaceId: workspaceId ?? null,
    tables: selected.map((s) => ({ name: s.table.name, columns: s.table.columns, rows: s.rows })),
  };
  const headerLine = Buffer.from(`${JSON.stringify(header)}\n`);
  yield headerLine;

  const sums: BackupManifest['tables'] = [];
  const grandTotal = selected.reduce((n, s) => n + s.rows, 0);
  let grandDone = 0;
  for (const { table, query, rows: total } of selected) {
    yield Buffer.from(`${JSON.stringify({ kind: 'table', name: table.name, rows: total })}\n`);
    const hash = createHash('sha256');
    let count = 0;
    opts.onProgress?.({ table: table.name, done: grandDone, total: grandTotal });
    await client.query(
      `declare backup_rows no scroll cursor for select row_to_json(r)::text as j from (${query.text}) r`,
      query.values,
    );
    for (;;) {
      const { rows } = await client.query<{ j: string }>(`fetch ${FETCH_ROWS} from backup_rows`);
      if (rows.length === 0) break;
      const chunk = Buffer.from(`${rows.map((r) => r.j).join('\n')}\n`);
      hash.update(chunk);
      count += rows.length;
      grandDone += rows.length;
      yield chunk;
      opts.onProgress?.({ table: table.name, done: grandDone, total: grandTotal });
    }
    await client.query('close backup_rows');
    if (count !== total)
      throw new Error(`Table ${table.name} changed during the backup (${total} rows counted, ${count} read)`);
    sums.push({ name: table.name, rows: count, sha256: hash.digest('hex') });
  }
  const manifest: BackupManifest = {
    kind: 'manifest',
    format: BODY_FORMAT,
    migration: header.migration,
    workspaceId: header.workspaceId,
    headerSha256: createHash('sha256').update(headerLine).digest('hex'),
    tables: sums,
    sequences,
  };
  yield Buffer.from(`${JSON.stringify(manifest)}\n`);
  done(manifest);
}

/**
 * Writes a backup to `file` through `<file>.partial`, renamed once complete, so an
 * interrupted backup never leaves a file that looks whole.
 */
export async function backupToFile(
  database: Database,
  file: string,
  opts: BackupOptions = {},
): Promise<BackupManifest> {
  const partial = `${file}.partial`;
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  try {
    const manifest = await writeBackup(database, fs.createWriteStream(partial, { mode: 0o600 }), opts);
    fs.renameSync(partial, file);
    return manifest;
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
}
