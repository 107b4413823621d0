import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { type EmbeddedServer, startEmbedded } from './embedded';
import { isConnectionLost, pgErrorCode } from './pg-errors';
import type { DB } from './schema';

/**
 * A query handle scoped to one unit of work: a transaction, or (for tenantRead on
 * a PostgreSQL server) one connection already scoped to the workspace.
 */
export type Tx = Kysely<DB>;

/** The database handle every service receives. */
export interface Database {
  readonly kind: 'postgres' | 'embedded';
  /** e.g. "PostgreSQL 15.19"; read once at start so /health never touches the database. */
  readonly version: string;
  /** Owner connections (migrations, system work, health). */
  readonly pool: pg.Pool;
  /** PostgreSQL server only: the tenant connections (their use is reported by /metrics). */
  readonly tenantPool?: pg.Pool;
  /** PostgreSQL server with RAPPORT_REPLICA_DATABASE_URL: the replica's tenant pool and its last measured lag (/metrics). */
  readonly replica?: { pool: pg.Pool; lastLagSeconds(): number | null };
  /**
   * PostgreSQL server only: the login role tenant connections use (not the owner, so
   * RESET ROLE on one leaves nothing that bypasses RLS); `migrateDatabase` creates it.
   */
  readonly tenantLogin?: TenantLogin;
  /** System access (table owner): bypasses row-level security. Platform code only. */
  readonly db: Kysely<DB>;
  /**
   * Runs `fn` in one transaction as the application role with the workspace set,
   * so row-level security scopes every statement to that workspace.
   */
  tenant<T>(workspaceId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Like tenant() for read-only work that needs no transaction: on a PostgreSQL
   * server it runs on a connection already scoped to the workspace, without
   * BEGIN/COMMIT round trips.
   */
  tenantRead<T>(workspaceId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * The read path of reports, dashboards and their exports: read-only, heavy, never reading
   * the caller's own just-made write. On a PostgreSQL server with a replica configured
   * (RAPPORT_REPLICA_DATABASE_URL) `fn` runs there, scoped to the workspace exactly as
   * tenantRead scopes it, when the replica is a standby no more than the configured lag
   * behind; otherwise (no replica, embedded, replica down, lagging or failing mid-read) it
   * runs on the primary as tenantRead. `fn` must not write: the replica refuses writes.
   * The answer says where the data came from and how fresh it is.
   */
  reportRead<T>(workspaceId: string, fn: (tx: Tx) => Promise<T>): Promise<{ value: T; source: ReadSource }>;
  /** Runs `fn` in one transaction with system access. */
  system<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Calls `handler` for NOTIFY payloads on `channel`, from this and every other app server. */
  listen(channel: string, handler: (payload: string) => void): Promise<void>;
  close(): Promise<void>;
}

export const APP_ROLE = 'rapport_app';

/** Where reportRead read its data, and how fresh it is. */
export interface ReadSource {
  from: 'primary' | 'replica';
  /** Every transaction committed before this instant is in the data. */
  asOf: Date;
  /** How far the data is behind the primary, in seconds (0 on the primary, or a replica that had replayed everything). */
  lagSeconds: number;
  /**
   * Why a configured replica was not used: down (no connection), lagging (more than the
   * configured lag behind), not-standby (the URL names a server that is not in recovery),
   * failed (the read failed there: connection lost, a recovery conflict).
   */
  fallback?: ReplicaFallback;
}
export type ReplicaFallback = 'down' | 'lagging' | 'not-standby' | 'failed';

/** Where the database reports replica trouble (the app's logger). */
export interface DatabaseLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** After the replica was found down, the primary serves reports for this long before it is tried again. */
export const REPLICA_RETRY_MS = 5_000;

/** The login role of tenant connections on a PostgreSQL server. */
export interface TenantLogin {
  user: string;
  password?: string;
}

/** The default tenant login role when RAPPORT_APP_DATABASE_URL does not name one. */
export const TENANT_LOGIN_ROLE = 'rapport_tenant';

/**
 * The URL tenant connections use: `appDatabaseUrl` when configured, else the owner's
 * URL with user rapport_tenant and a password derived from the owner's (one-way, so
 * every app server derives the same and the tenant password reveals nothing of the
 * owner's; no password when the owner has none, e.g. trust or peer authentication).
 */
export function tenantDatabaseUrl(databaseUrl: string, appDatabaseUrl?: string): string {
  if (appDatabaseUrl) return appDatabaseUrl;
  const url = new URL(databaseUrl);
  const ownerPassword = decodeURIComponent(url.password);
  url.username = TENANT_LOGIN_ROLE;
  url.password = ownerPassword ? createHmac('sha256', ownerPassword).update(TENANT_LOGIN_ROLE).digest('base64url') : '';
  return url.toString();
}

/** The workspace of the unit of work running on this async path. */
export interface TenantContext {
  workspaceId: string;
}

const als = new AsyncLocalStorage<{
  workspaceId: string;
  client?: pg.PoolClient;
  sent?: { n: number };
  /** A reportRead on the replica: its data may be behind, so it fills no shared cache. */
  replica?: boolean;
}>();

class FirstStatementLost extends Error {
  constructor(override readonly cause: unknown) {
    super('the connection was lost before the first statement');
  }
}

/** The workspace context of the current tenant unit of work (undefined outside one). */
export const tenantContext = (): TenantContext | undefined => {
  const store = als.getStore();
  return store ? { workspaceId: store.workspaceId } : undefined;
};

/**
 * Whether the current unit of work reads the replica (reportRead). Per-server caches of
 * metadata (roles, teams, custom fields) are not filled from it: data up to the lag bound
 * old would outlive the invalidation the primary's change already sent.
 */
export const readingReplica = (): boolean => als.getStore()?.replica === true;

/** Switches the current transaction to the app role and the given workspace (transaction-local). */
export async function enterWorkspace(tx: Tx, workspaceId: string): Promise<void> {
  await sql`select set_config('role', ${APP_ROLE}, true), set_config('app.workspace_id', ${workspaceId}, true)`.execute(
    tx,
  );
}

/** Returns a system transaction that entered a workspace (enterWorkspace) to the owner role and no workspace. */
export async function leaveWorkspace(tx: Tx): Promise<void> {
  await sql`select set_config('role', 'none', true), set_config('app.workspace_id', '', true)`.execute(tx);
}

/**
 * Runs `fn` with `work_mem` at `workMem` on the connection of `tx`, then puts the previous
 * value back: memory for one heavy statement (a count's bitmaps, a report's hash aggregate)
 * without raising it for every connection. Set for the session, not the transaction: a read
 * outside a transaction (tenantRead, reportRead) runs each statement in a transaction of its
 * own, which would end a transaction-local setting with the statement that made it. In a
 * transaction that fails, the rollback takes the setting back.
 */
export async function withWorkMem<T>(tx: Tx, workMem: string, fn: () => Promise<T>): Promise<T> {
  const { rows } = await sql<{ before: string }>`select current_setting('work_mem') as before,
    set_config('work_mem', ${workMem}, false)`.execute(tx);
  try {
    return await fn();
  } finally {
    // In a failed transaction this fails too; the rollback restores it.
    await sql`select set_config('work_mem', ${rows[0]?.before ?? '4MB'}, false)`.execute(tx).catch(() => {});
  }
}

export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Embedded, in memory only: a PGlite data-dir dump to start from (see Config.embeddedTemplate). */
  embeddedTemplate?: string;
  poolSize?: number;
  /** PostgreSQL server: the URL tenant connections log in with (see tenantDatabaseUrl). */
  appDatabaseUrl?: string;
  /** PostgreSQL server: a streaming replica reportRead reads from (RAPPORT_REPLICA_DATABASE_URL). */
  replicaDatabaseUrl?: string;
  /** The replica's largest acceptable lag in seconds (RAPPORT_REPLICA_MAX_LAG_SECONDS, default 10). */
  replicaMaxLagSeconds?: number;
  /** Replica fallbacks are logged here (warn) and its recovery (info). */
  log?: DatabaseLog;
}

/**
 * The replica's tenant URL: its server and database, with the tenant login of the primary
 * (a physical replica has the primary's roles and passwords).
 */
export function replicaTenantUrl(replicaUrl: string, tenantUrl: string): string {
  const url = new URL(replicaUrl);
  const tenant = new URL(tenantUrl);
  url.username = tenant.username;
  url.password = tenant.password;
  return url.toString();
}

/** Opens the PostgreSQL server at `databaseUrl`, or embedded PGlite in `dataDir`. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (!opts.databaseUrl) {
    if (opts.replicaDatabaseUrl)
      throw new Error('A read replica (RAPPORT_REPLICA_DATABASE_URL) needs a PostgreSQL server (DATABASE_URL)');
    return openEmbedded(opts.dataDir, opts.embeddedTemplate);
  }
  const tenantUrl = tenantDatabaseUrl(opts.databaseUrl, opts.appDatabaseUrl);
  return openServer(opts.databaseUrl, opts.poolSize ?? 10, tenantUrl, {
    url: opts.replicaDatabaseUrl ? replicaTenantUrl(opts.replicaDatabaseUrl, tenantUrl) : undefined,
    maxLagSeconds: opts.replicaMaxLagSeconds ?? 10,
    log: opts.log,
  });
}

async function serverVersion(pool: pg.Pool): Promise<string> {
  const { rows } = await pool.query<{ v: string }>(`select current_setting('server_version') as v`);
  return `PostgreSQL ${rows[0]?.v ?? 'unknown'}`;
}

/**
 * Embedded PGlite: one connection (PGlite is one PostgreSQL session, and one
 * client keeps every transaction's statements together); the workspace and role
 * are set per transaction.
 */
async function openEmbedded(dataDir: string, template: string | undefined): Promise<Database> {
  const embedded: EmbeddedServer = await startEmbedded(dataDir, { template });
  const pool = new pg.Pool({
    host: embedded.host,
    port: embedded.port,
    user: 'postgres',
    database: 'postgres',
    max: 1,
  });
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let version: string;
  try {
    version = await serverVersion(pool);
  } catch (err) {
    await pool.end().catch(() => {});
    await embedded.stop();
    throw err;
  }
  const local = new EventEmitter();
  const tenant = <T>(workspaceId: string, fn: (tx: Tx) => Promise<T>) =>
    db.transaction().execute((tx) =>
      als.run({ workspaceId }, async () => {
        await enterWorkspace(tx, workspaceId);
        return fn(tx);
      }),
    );
  let closed = false;
  return {
    kind: 'embedded',
    version,
    pool,
    db,
    tenant,
    tenantRead: tenant,
    // One process, one database: there is no replica to read.
    reportRead: async (workspaceId, fn) => {
      const asOf = new Date();
      return { value: await tenant(workspaceId, fn), source: { from: 'primary', asOf, lagSeconds: 0 } };
    },
    system: (fn) => db.transaction().execute(fn),
    async listen(channel, handler) {
      // One process owns an embedded database: notifications stay in-process.
      local.on(channel, handler);
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await embedded.stop();
    },
  };
}

/**
 * A PostgreSQL server. Besides the owner pool, a tenant pool whose connections log
 * in as their own role (a member of rapport_app, never the owner: RESET ROLE on one
 * keeps RLS) and run as rapport_app, and carry the workspace as a
 * session setting, changed only when a connection serves another workspace; the
 * change is made outside any transaction so a rollback cannot undo it. Reads then
 * cost one round trip, like the raw query.
 */
async function openServer(
  url: string,
  poolSize: number,
  tenantUrl: string,
  replicaOpts: { url?: string; maxLagSeconds: number; log?: DatabaseLog },
): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const tenantPool = new pg.Pool({ connectionString: tenantUrl, max: poolSize });
  // Tenant connections to the replica (reportRead); a replica that does not answer within
  // 2 s counts as down.
  const replicaPool = replicaOpts.url
    ? new pg.Pool({ connectionString: replicaOpts.url, max: poolSize, connectionTimeoutMillis: 2_000 })
    : undefined;
  replicaPool?.on('error', () => {});
  replicaPool?.on('connect', (client) => client.on('error', () => {}));
  const parsedTenant = new URL(tenantUrl);
  const tenantLogin: TenantLogin = {
    user: decodeURIComponent(parsedTenant.username),
    ...(parsedTenant.password ? { password: decodeURIComponent(parsedTenant.password) } : {}),
  };
  pool.on('error', () => {});
  tenantPool.on('error', () => {});
  // A connection the server ends while it is checked out (a restart, a failover, a terminated
  // backend) emits 'error' on the client itself, outside any query: without a listener that
  // ends the process. The query in progress, or the next, fails and the client is discarded.
  pool.on('connect', (client) => client.on('error', () => {}));
  tenantPool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let version: string;
  try {
    version = await serverVersion(pool);
  } catch (err) {
    await Promise.all([pool.end(), tenantPool.end(), replicaPool?.end()]).catch(() => {});
    throw err;
  }
  const scopedTo = new WeakMap<pg.PoolClient, string>();
  // A Kysely whose "pool" hands out the connection pinned on this async path.
  const pinned = new Kysely<DB>({
    dialect: new PostgresDialect({
      pool: {
        async connect() {
          const store = als.getStore();
          const client = store?.client;
          if (!client) throw new Error('tenant query outside a tenant unit of work');
          const sent = store.sent;
          const query = (...args: Parameters<pg.PoolClient['query']>) => {
            if (sent) sent.n += 1;
            return (client.query as (...a: unknown[]) => unknown)(...args);
          };
          return { query, release() {} } as unknown as pg.PoolClient;
        },
        async end() {},
      } as unknown as pg.Pool,
    }),
  });

  /**
   * A pooled connection the server ended while it sat idle (a restart, a failover, a
   * terminated backend) can be handed out before its end has been read off the socket. When
   * the unit of work's first statement fails because the connection is gone, nothing of it
   * reached the database: the connection is discarded and the work runs again on another.
   * A failure after the first statement is the caller's, as before.
   */
  async function withScopedClient<T>(
    workspaceId: string,
    inTransaction: boolean,
    fn: (tx: Tx) => Promise<T>,
  ): Promise<T> {
    // Every idle connection may be gone (the server restarted): at most one try per pooled
    // connection, then one on a connection made for it.
    for (let attempt = 0; ; attempt++) {
      try {
        return await scopedOnce(workspaceId, inTransaction, fn);
      } catch (err) {
        if (!(err instanceof FirstStatementLost)) throw err;
        if (attempt >= poolSize) throw err.cause;
      }
    }
  }

  async function scopedOnce<T>(workspaceId: string, inTransaction: boolean, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const client = await tenantPool.connect();
    try {
      // Role and workspace together, session-wide, outside any transaction. A fresh
      // connection is scoped here before its first use, so none runs as the owner.
      await scope(client, workspaceId);
    } catch (err) {
      client.release(err as Error); // state unknown: discard the connection
      throw isConnectionLost(err) ? new FirstStatementLost(err) : err;
    }
    let broken: Error | undefined;
    const sent = { n: 0 };
    try {
      if (!inTransaction) return await als.run({ workspaceId, client, sent }, () => fn(pinned));
      try {
        await client.query('begin');
      } catch (err) {
        broken = err as Error;
        throw isConnectionLost(err) ? new FirstStatementLost(err) : err;
      }
      try {
        const result = await als.run({ workspaceId, client, sent }, () => fn(pinned));
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch((e: Error) => {
          broken = e;
        });
        throw err;
      }
    } catch (err) {
      if (isConnectionLost(err)) broken ??= err as Error;
      // A read whose first statement found the connection gone: nothing ran.
      if (!inTransaction && sent.n <= 1 && isConnectionLost(err)) throw new FirstStatementLost(err);
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** Scopes a tenant connection to the workspace (session-wide, outside any transaction) unless it already is. */
  async function scope(client: pg.PoolClient, workspaceId: string): Promise<void> {
    if (scopedTo.get(client) === workspaceId) return;
    scopedTo.delete(client);
    await client.query(`select set_config('role', $1, false), set_config('app.workspace_id', $2, false)`, [
      APP_ROLE,
      workspaceId,
    ]);
    scopedTo.set(client, workspaceId);
  }

  type ReplicaTry<T> =
    | { ok: true; value: T; source: ReadSource }
    | { ok: false; reason: ReplicaFallback; error?: unknown; lagSeconds?: number };

  /** A failure of the replica itself while `fn` ran there (not of `fn`): the read runs again on the primary. */
  const replicaFailed = (err: unknown) => {
    const code = pgErrorCode(err);
    return (
      isConnectionLost(err) ||
      // canceling statement due to conflict with recovery (a hot standby's replay won)
      (code === '40001' && /recovery/i.test(String((err as Error).message))) ||
      code === '40P01' ||
      // a write reached the read-only standby: a defect of the read path, served from the primary and logged
      code === '25006'
    );
  };

  /**
   * `fn` on the replica when it is a standby within the lag bound. Its freshness is measured
   * against the primary's WAL position taken just before, on the connection `fn` then uses:
   * replayed up to that position, the data is as of that instant (lag 0); else as of its last
   * replayed commit. The position is the insert position, not the write position: a commit
   * made with synchronous_commit off (Rapport's event-cursor moves, or the server's setting)
   * may not be written yet, and a replica at the write position would lack it.
   */
  async function tryReplica<T>(
    replica: pg.Pool,
    workspaceId: string,
    fn: (tx: Tx) => Promise<T>,
  ): Promise<ReplicaTry<T>> {
    const sampled = new Date();
    const { rows: primaryRows } = await pool.query<{ lsn: string }>('select pg_current_wal_insert_lsn()::text as lsn');
    let client: pg.PoolClient;
    try {
      client = await replica.connect();
    } catch (error) {
      return { ok: false, reason: 'down', error };
    }
    let broken: Error | undefined;
    try {
      let state: { standby: boolean; behind: number | null; replayed_at: Date | null; now: Date } | undefined;
      try {
        await scope(client, workspaceId);
        // A replica that accepted the connection but does not answer within 2 s counts as down too.
        const { rows } = await client.query<NonNullable<typeof state>>({
          text: `select pg_is_in_recovery() as standby,
                  pg_wal_lsn_diff($1::pg_lsn, pg_last_wal_replay_lsn())::float8 as behind,
                  pg_last_xact_replay_timestamp() as replayed_at, now() as now`,
          values: [primaryRows[0]?.lsn],
          query_timeout: 2_000,
        } as pg.QueryConfig);
        state = rows[0];
      } catch (error) {
        broken = error as Error;
        return { ok: false, reason: 'down', error };
      }
      if (!state?.standby) return { ok: false, reason: 'not-standby' };
      const caughtUp = state.behind != null && state.behind <= 0;
      const asOf = caughtUp ? sampled : state.replayed_at;
      const lagSeconds = asOf ? (caughtUp ? 0 : Math.max(0, (state.now.getTime() - asOf.getTime()) / 1000)) : Infinity;
      if (!asOf || lagSeconds > replicaOpts.maxLagSeconds) return { ok: false, reason: 'lagging', lagSeconds };
      try {
        const value = await als.run({ workspaceId, client, replica: true }, () => fn(pinned));
        return { ok: true, value, source: { from: 'replica', asOf, lagSeconds } };
      } catch (err) {
        if (!replicaFailed(err)) throw err;
        if (isConnectionLost(err)) broken = err as Error;
        return { ok: false, reason: 'failed', error: err };
      }
    } finally {
      client.release(broken);
    }
  }

  // The replica's state as last seen: a change is logged once (warn when it stops serving, info when it is back).
  let replicaState: 'ok' | ReplicaFallback = 'ok';
  let replicaRetryAt = 0;
  let replicaLag: number | null = null;
  async function reportRead<T>(workspaceId: string, fn: (tx: Tx) => Promise<T>) {
    const onPrimary = async (fallback?: ReplicaFallback) => {
      const asOf = new Date();
      const value = await withScopedClient(workspaceId, false, fn);
      const source: ReadSource = { from: 'primary', asOf, lagSeconds: 0, ...(fallback ? { fallback } : {}) };
      return { value, source };
    };
    if (!replicaPool) return onPrimary();
    if (replicaState === 'down' && Date.now() < replicaRetryAt) return onPrimary('down');
    const attempt = await tryReplica(replicaPool, workspaceId, fn);
    replicaLag = attempt.ok
      ? attempt.source.lagSeconds
      : Number.isFinite(attempt.lagSeconds)
        ? (attempt.lagSeconds ?? null)
        : null;
    if (attempt.ok) {
      if (replicaState !== 'ok') replicaOpts.log?.info({ replica: 'ok' }, 'Reports read from the replica again');
      replicaState = 'ok';
      return { value: attempt.value, source: attempt.source };
    }
    if (attempt.reason === 'down') replicaRetryAt = Date.now() + REPLICA_RETRY_MS;
    if (replicaState !== attempt.reason || attempt.reason === 'failed') {
      const why = {
        down: 'the replica is unreachable',
        lagging: `the replica lags more than ${replicaOpts.maxLagSeconds} s`,
        'not-standby': 'the replica URL names a server that is not a standby',
        failed: 'a read failed on the replica',
      }[attempt.reason];
      replicaOpts.log?.warn(
        {
          replica: attempt.reason,
          ...(attempt.lagSeconds !== undefined ? { lagSeconds: attempt.lagSeconds } : {}),
          ...(attempt.error ? { err: attempt.error } : {}),
        },
        `Reports read from the primary: ${why}`,
      );
    }
    replicaState = attempt.reason;
    return onPrimary(attempt.reason);
  }

  let listener: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  const handlers = new EventEmitter();
  const channels = new Set<string>();
  let closed = false;
  // The LISTEN connection follows the server: when it is lost (a restart, a failover, a
  // terminated backend) a new one is made, every second until it succeeds, and listens on
  // the same channels again. Wake-ups missed meanwhile are caught up by the pollers.
  const connectListener = (): Promise<void> => {
    connecting ??= (async () => {
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      client.on('notification', (n) => handlers.emit(n.channel, n.payload ?? ''));
      client.on('end', () => {
        if (listener !== client) return;
        listener = undefined;
        const retry = () => {
          if (closed) return;
          connectListener().catch(() => setTimeout(retry, 1000).unref());
        };
        setTimeout(retry, 100).unref();
      });
      try {
        await client.connect();
        for (const channel of channels) await client.query(`listen ${channel}`);
      } catch (err) {
        await client.end().catch(() => {});
        throw err;
      }
      listener = client;
    })().finally(() => {
      connecting = undefined;
    });
    return connecting;
  };
  return {
    kind: 'postgres',
    version,
    pool,
    tenantPool,
    tenantLogin,
    ...(replicaPool ? { replica: { pool: replicaPool, lastLagSeconds: () => replicaLag } } : {}),
    db,
    tenant: (workspaceId, fn) => withScopedClient(workspaceId, true, fn),
    tenantRead: (workspaceId, fn) => withScopedClient(workspaceId, false, fn),
    reportRead,
    system: (fn) => db.transaction().execute(fn),
    async listen(channel, handler) {
      if (!/^[a-z_]+$/.test(channel)) throw new Error(`bad channel name ${channel}`);
      const isNew = !channels.has(channel);
      channels.add(channel);
      if (!listener)
        await connectListener(); // listens on every channel, this one included
      else if (isNew) await listener.query(`listen ${channel}`);
      handlers.on(channel, handler);
    },
    async close() {
      if (closed) return;
      closed = true;
      await listener?.end().catch(() => {});
      await tenantPool.end();
      await replicaPool?.end();
      await db.destroy();
    },
  };
}
