import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type pg from 'pg';
import type { Database } from '../db/database';
import { ensureTenantLogin, migrate, readMigrations } from '../db/migrate';
import {
  type BackupHeader,
  type BackupManifest,
  type BackupProgress,
  type BackupTable,
  BODY_FORMAT,
  listForeignKeys,
  listTables,
  quoteIdent,
} from './backup';
import { BackupError, explainReadError, openEnvelope } from './envelope';

const BATCH_ROWS = 500;
const BATCH_BYTES = 4 * 1024 * 1024;

/** What a reader of a backup is handed, in file order; the file is verified before `read` resolves. */
interface BackupVisitor {
  header?(header: BackupHeader): Promise<void>;
  rows?(table: BackupTable, lines: string[]): Promise<void>;
}

/**
 * Reads a backup file through its envelope, gzip and line framing, hands the header
 * and row batches to `visitor`, and checks the whole file against its manifest: every
 * table's row count and SHA-256, the header's SHA-256, nothing missing, nothing extra.
 * Throws BackupError (a message for the operator) on any mismatch; a caller commits
 * only after this resolves.
 */
export async function readBackup(
  file: string,
  passphrase: string | undefined,
  visitor: BackupVisitor = {},
  onProgress?: (p: BackupProgress) => void,
): Promise<{ header: BackupHeader; manifest: BackupManifest }> {
  const envelope = await openEnvelope(file, passphrase);
  if (envelope.bodyEnd < envelope.bodyStart) throw new BackupError(`${file} is truncated: it has no body`);
  let header: BackupHeader | undefined;
  let manifest: BackupManifest | undefined;
  let headerSha = '';
  const sums = new Map<string, { rows: number; sha256: string }>();
  const damaged = (what: string) => new BackupError(`${file} is damaged or was altered: ${what}`);

  async function consume(source: AsyncIterable<Buffer>): Promise<void> {
    let pending: Buffer = Buffer.alloc(0);
    let tableIndex = 0;
    let current: { table: BackupTable; left: number; hash: ReturnType<typeof createHash> } | null = null;
    let batch: string[] = [];
    let batchBytes = 0;
    let done = 0;
    let total = 0;
    const flush = async () => {
      if (!current || batch.length === 0) return;
      const lines = batch;
      batch = [];
      batchBytes = 0;
      await visitor.rows?.(current.table, lines);
      done += lines.length;
      onProgress?.({ table: current.table.name, done, total });
    };
    const line = async (raw: Buffer) => {
      if (manifest) throw damaged('data follows its manifest');
      if (current && current.left > 0) {
        current.hash.update(raw);
        current.hash.update('\n');
        const text = raw.toString('utf8');
        batch.push(text);
        batchBytes += raw.length;
        current.left--;
        if (batch.length >= BATCH_ROWS || batchBytes >= BATCH_BYTES) await flush();
        if (current.left === 0) {
          await flush();
          sums.set(current.table.name, { rows: current.table.rows, sha256: current.hash.digest('hex') });
          current = null;
        }
        return;
      }
      let control: { kind?: string; name?: string; rows?: number };
      try {
        control = JSON.parse(raw.toString('utf8'));
      } catch {
        throw damaged('a line of its body is not what the format expects');
      }
      if (!header) {
        if (control.kind !== 'header') throw damaged('its body does not start with a header');
        header = control as BackupHeader;
        if (header.format !== BODY_FORMAT)
          throw new BackupError(`${file} has body format ${header.format}; this version reads ${BODY_FORMAT}`);
        headerSha = createHash('sha256').update(raw).update('\n').digest('hex');
        total = header.tables.reduce((n, t) => n + t.rows, 0);
        await visitor.header?.(header);
        return;
      }
      if (control.kind === 'table') {
        const table = header.tables[tableIndex++];
        if (!table || table.name !== control.name || table.rows !== control.rows)
          throw damaged(`table ${control.name} is not the one its header announces next`);
        current = { table, left: table.rows, hash: createHash('sha256') };
        onProgress?.({ table: table.name, done, total });
        if (table.rows === 0) {
          sums.set(table.name, { rows: 0, sha256: current.hash.digest('hex') });
          current = null;
        }
        return;
      }
      if (control.kind === 'manifest') {
        if (tableIndex !== header.tables.length) throw damaged('tables are missing before its manifest');
        manifest = control as BackupManifest;
        return;
      }
      throw damaged(`unexpected ${control.kind ?? 'line'} in its body`);
    };
    for await (const chunk of source) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let start = 0;
      for (let nl = pending.indexOf(0x0a, start); nl >= 0; nl = pending.indexOf(0x0a, start)) {
        await line(pending.subarray(start, nl));
        start = nl + 1;
      }
      pending = pending.subarray(start);
    }
    if (pending.length) throw new BackupError(`${file} is truncated: its last line is incomplete`);
  }

  // pipeline() may reject with an AbortError of its own when the consumer throws: keep the consumer's error.
  let consumerError: unknown;
  let consuming: Promise<void> | undefined;
  try {
    await pipeline(
      fs.createReadStream(file, { start: envelope.bodyStart, end: envelope.bodyEnd }),
      envelope.decipher ?? new PassThrough(),
      createGunzip(),
      async (source: AsyncIterable<Buffer>) => {
        consuming = consume(source);
        try {
          await consuming;
        } catch (err) {
          consumerError ??= err;
          throw err;
        }
      },
    );
  } catch (err) {
    // A stream that fails upstream (a truncated or corrupt file) rejects the pipeline while the
    // consumer may still be writing a batch: wait until it has stopped, so that no row reaches the
    // database after the caller rolled back and released its connection.
    await consuming?.catch(() => undefined);
    throw explainReadError(file, consumerError ?? err);
  }
  if (!header || !manifest) throw new BackupError(`${file} is truncated: its manifest is missing`);
  if (manifest.headerSha256 !== headerSha) throw damaged('its header does not match the manifest checksum');
  if (manifest.tables.length !== header.tables.length) throw damaged('its manifest lists other tables than its header');
  for (const t of manifest.tables) {
    const got = sums.get(t.name);
    if (!got || got.rows !== t.rows) throw damaged(`table ${t.name} does not have the row count in the manifest`);
    if (got.sha256 !== t.sha256) throw damaged(`table ${t.name} does not match its SHA-256 checksum in the manifest`);
  }
  return { header, manifest };
}

export interface RestoreOptions {
  passphrase?: string;
  /** Restore into a database that already holds data: a whole-instance backup replaces it; a workspace backup is added to it. */
  force?: boolean;
  onProgress?: (p: BackupProgress) => void;
}

export interface RestoreResult {
  header: BackupHeader;
  manifest: BackupManifest;
  rows: number;
  /** Migrations newer than the backup, applied after its data was committed. */
  migratedAfter: string[];
}

/**
 * `rapport restore`: loads a backup into this database in one transaction, committed
 * only once the whole file has matched its manifest. The database is first migrated to
 * the backup's migration level, and must hold no data unless `force`; after the commit,
 * migrations newer than the backup run as at any start. The server must be stopped
 * (embedded: the data directory's lock enforces it).
 */
export async function restoreFromFile(
  database: Database,
  file: string,
  opts: RestoreOptions = {},
): Promise<RestoreResult> {
  let client: pg.PoolClient | undefined;
  let rows = 0;
  const inserts = new Map<string, { text: string; staged: string | null }>();
  let withTriggers: string[] = [];

  const prepare = async (header: BackupHeader) => {
    const code = new Map(readMigrations().map((m) => [m.version, m]));
    for (const m of header.migrations) {
      const mine = code.get(m.version);
      if (!mine)
        throw new BackupError(
          `The backup was made by a Rapport with migration ${m.version}_${m.name}, which this version does not have: restore it with that version or a newer one`,
        );
      if (mine.checksum !== m.checksum)
        throw new BackupError(
          `Migration ${m.version}_${m.name} differs between the backup and this version of Rapport`,
        );
    }
    const inBackup = new Set(header.migrations.map((m) => m.version));
    const { rows: applied } = await database.pool
      .query<{ version: string }>(
        `select version from schema_migrations where to_regclass('public.schema_migrations') is not null`,
      )
      .catch(() => ({ rows: [] as { version: string }[] }));
    const newer = applied.filter((r) => !inBackup.has(r.version)).map((r) => r.version);
    if (newer.length)
      throw new BackupError(
        `This database's schema is newer than the backup's (migration ${newer.join(', ')} is applied; the backup is at ${header.migration}): restore into a new, empty database`,
      );
    await migrate(
      database.pool,
      readMigrations().filter((m) => inBackup.has(m.version)),
    );
    if (database.tenantLogin) await ensureTenantLogin(database.pool, database.tenantLogin);

    client = await database.pool.connect();
    await client.query('begin');
    const target = new Map((await listTables(client)).map((t) => [t.name, t]));
    const selfReferencing = new Set((await listForeignKeys(client)).filter((k) => k.from === k.to).map((k) => k.from));
    const { rows: identity } = await client.query<{ name: string }>(`
      select distinct c.relname as name from pg_attribute a join pg_class c on c.oid = a.attrelid
      join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and a.attidentity = 'a'`);
    const overriding = new Set(identity.map((r) => r.name));
    for (const t of header.tables) {
      const mine = target.get(t.name);
      if (!mine) throw new BackupError(`The database has no table ${t.name}, which the backup holds`);
      const missing = t.columns.filter((c) => !mine.columns.includes(c));
      if (missing.length)
        throw new BackupError(`Table ${t.name} has no column ${missing.join(', ')}, which the backup holds`);
      const cols = t.columns.map(quoteIdent).join(', ');
      const from = quoteIdent(t.name);
      const into = selfReferencing.has(t.name) ? quoteIdent(`restore_stage_${t.name}`) : from;
      inserts.set(t.name, {
        text: `insert into ${into} (${cols}) ${overriding.has(t.name) && into === from ? 'overriding system value ' : ''}select ${cols} from json_populate_recordset(null::${from}, $1::json)`,
        staged:
          into === from
            ? null
            : `insert into ${from} (${cols}) ${overriding.has(t.name) ? 'overriding system value ' : ''}select ${cols} from ${into}`,
      });
    }

    const holding: string[] = [];
    for (const t of header.tables) {
      const { rows: any } = await client.query(`select 1 from ${quoteIdent(t.name)} limit 1`);
      if (any.length) holding.push(t.name);
    }
    // Empty means no workspace and no user: rows a migration seeds elsewhere do not count (a whole-instance
    // restore replaces them with the backup's; a workspace restore leaves them).
    const inUse = holding.filter((n) => n === 'workspaces' || n === 'users');
    if (inUse.length && !opts.force)
      throw new BackupError(
        `The database is not empty (${holding.slice(0, 5).join(', ')}${holding.length > 5 ? ', …' : ''} hold rows): restore into an empty database, or pass --force to ${header.workspaceId ? 'add the workspace to it' : 'replace its contents'}`,
      );
    if (header.workspaceId) {
      const { rows: exists } = await client.query('select 1 from workspaces where id = $1', [header.workspaceId]);
      if (exists.length) throw new BackupError(`Workspace ${header.workspaceId} already exists in this database`);
    }

    // Rows go back as they were: no trigger adds defaults, numbers or history rows.
    const { rows: triggered } = await client.query<{ name: string }>(`
      select distinct c.relname as name from pg_trigger g join pg_class c on c.oid = g.tgrelid
      join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and not g.tgisinternal`);
    const backedUp = new Set(header.tables.map((t) => t.name));
    withTriggers = triggered.map((r) => r.name).filter((n) => backedUp.has(n));
    for (const name of withTriggers) await client.query(`alter table ${quoteIdent(name)} disable trigger user`);
    if (holding.length && !header.workspaceId)
      await client.query(`truncate ${header.tables.map((t) => quoteIdent(t.name)).join(', ')}`);
    for (const name of selfReferencing) {
      if (!backedUp.has(name)) continue;
      await client.query(
        `create temp table ${quoteIdent(`restore_stage_${name}`)} on commit drop as select * from ${quoteIdent(name)} with no data`,
      );
    }
  };

  let staged: string | null = null;
  let stagedTable = '';
  const finishStaged = async () => {
    if (staged && client) await client.query(staged);
    staged = null;
  };
  try {
    const { header, manifest } = await readBackup(
      file,
      opts.passphrase,
      {
        header: prepare,
        async rows(table, lines) {
          if (!client) throw new Error('restore has no connection');
          const insert = inserts.get(table.name);
          if (!insert) throw new Error(`no insert prepared for ${table.name}`);
          if (stagedTable !== table.name) {
            await finishStaged();
            stagedTable = table.name;
            staged = insert.staged;
          }
          await client.query(insert.text, [`[${lines.join(',')}]`]);
          rows += lines.length;
        },
      },
      opts.onProgress,
    );
    if (!client) throw new Error('restore has no connection');
    await finishStaged();
    for (const s of manifest.sequences) {
      const { rows: exists } = await client.query(`select to_regclass($1) as r`, [`public.${quoteIdent(s.name)}`]);
      if (!exists[0]?.r) continue;
      // A workspace added beside others must not move a shared sequence backwards.
      await client.query(
        header.workspaceId
          ? `select setval($1::regclass, greatest($2::bigint, (select last_value from ${quoteIdent(s.name)})), true)`
          : 'select setval($1::regclass, $2::bigint, $3)',
        header.workspaceId
          ? [`public.${quoteIdent(s.name)}`, s.lastValue]
          : [`public.${quoteIdent(s.name)}`, s.lastValue, s.isCalled],
      );
    }
    for (const name of withTriggers) await client.query(`alter table ${quoteIdent(name)} enable trigger user`);
    await client.query('commit');
    client.release();
    client = undefined;
    const migratedAfter = await migrate(database.pool);
    if (database.tenantLogin) await ensureTenantLogin(database.pool, database.tenantLogin);
    return { header, manifest, rows, migratedAfter };
  } catch (err) {
    if (client) {
      await client.query('rollback').catch(() => {});
      client.release();
    }
    if (err instanceof BackupError) throw err;
    // The database refused a row: a damaged file can do that before its checksums are reached, so say which it was.
    await readBackup(file, opts.passphrase);
    throw err;
  }
}
