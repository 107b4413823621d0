import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { type EmbeddedServer, startEmbedded } from './embedded';
import type { DB } from './schema';

// timestamptz, bigint and numeric come back as strings/Dates as pg decides;
// bigint (int8) as string keeps exactness (counts are parsed where used).

export type Tx = Transaction<DB>;

/** The database handle every service receives. */
export interface Database {
  readonly kind: 'postgres' | 'embedded';
  /** e.g. "PostgreSQL 15.19"; read once at start so /health never touches the database. */
  readonly version: string;
  readonly pool: pg.Pool;
  /** System access (table owner): bypasses row-level security. Platform code only. */
  readonly db: Kysely<DB>;
  /**
   * Runs `fn` in one transaction as the application role with the workspace set,
   * so row-level security scopes every statement to that workspace.
   */
  tenant<T>(workspaceId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs `fn` in one transaction with system access. */
  system<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export const APP_ROLE = 'rapport_app';

export interface TenantContext {
  workspaceId: string;
  /** workspaces.schema_version when the transaction began (custom field definitions' version). */
  schemaVersion: number;
}

const contexts = new WeakMap<Tx, TenantContext>();

/** The workspace context of a tenant transaction (undefined for system transactions). */
export const tenantContext = (tx: Tx): TenantContext | undefined => contexts.get(tx);

/**
 * Switches the current transaction to the app role and the given workspace, and
 * reads the workspace's schema version in the same round trip.
 */
export async function enterWorkspace(tx: Tx, workspaceId: string): Promise<void> {
  const { rows } = await sql<{ v: string | null }>`
    select set_config('role', ${APP_ROLE}, true), set_config('app.workspace_id', ${workspaceId}, true),
      (select schema_version from workspaces where id = ${workspaceId}::uuid)::text as v`.execute(tx);
  contexts.set(tx, { workspaceId, schemaVersion: Number(rows[0]?.v ?? -1) });
}

export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
}

/** Opens the PostgreSQL server at `databaseUrl`, or embedded PGlite in `dataDir`. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  let embedded: EmbeddedServer | undefined;
  let pool: pg.Pool;
  if (opts.databaseUrl) {
    pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
  } else {
    embedded = await startEmbedded(opts.dataDir);
    // One connection: PGlite is one PostgreSQL session, and one client keeps
    // every transaction's statements together (see docs/ARCHITECTURE.md).
    pool = new pg.Pool({
      host: embedded.host,
      port: embedded.port,
      user: 'postgres',
      database: 'postgres',
      max: 1,
    });
  }
  // A broken idle connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let version: string;
  try {
    const { rows } = await pool.query<{ v: string }>(`select current_setting('server_version') as v`);
    version = `PostgreSQL ${rows[0]?.v ?? 'unknown'}`;
  } catch (err) {
    await pool.end().catch(() => {});
    await embedded?.stop();
    throw err;
  }
  let closed = false;
  return {
    kind: embedded ? 'embedded' : 'postgres',
    version,
    pool,
    db,
    tenant(workspaceId, fn) {
      return db.transaction().execute(async (tx) => {
        await enterWorkspace(tx, workspaceId);
        return fn(tx);
      });
    },
    system(fn) {
      return db.transaction().execute(fn);
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy(); // ends the pool
      await embedded?.stop();
    },
  };
}
