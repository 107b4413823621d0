import { AsyncLocalStorage } from 'node:async_hooks';
import { createHmac } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { type EmbeddedServer, startEmbedded } from './embedded';
import { isConnectionLost } from './pg-errors';
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
  /** Runs `fn` in one transaction with system access. */
  system<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Calls `handler` for NOTIFY payloads on `channel`, from this and every other app server. */
  listen(channel: string, handler: (payload: string) => void): Promise<void>;
  close(): Promise<void>;
}

export const APP_ROLE = 'rapport_app';

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

const als = new AsyncLocalStorage<{ workspaceId: string; client?: pg.PoolClient; sent?: { n: number } }>();

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

export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  /** Embedded, in memory only: a PGlite data-dir dump to start from (see Config.embeddedTemplate). */
  embeddedTemplate?: string;
  poolSize?: number;
  /** PostgreSQL server: the URL tenant connections log in with (see tenantDatabaseUrl). */
  appDatabaseUrl?: string;
}

/** Opens the PostgreSQL server at `databaseUrl`, or embedded PGlite in `dataDir`. */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  return opts.databaseUrl
    ? openServer(opts.databaseUrl, opts.poolSize ?? 10, tenantDatabaseUrl(opts.databaseUrl, opts.appDatabaseUrl))
    : openEmbedded(opts.dataDir, opts.embeddedTemplate);
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
async function openServer(url: string, poolSize: number, tenantUrl: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const tenantPool = new pg.Pool({ connectionString: tenantUrl, max: poolSize });
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
    await Promise.all([pool.end(), tenantPool.end()]).catch(() => {});
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
    if (scopedTo.get(client) !== workspaceId) {
      try {
        // Role and workspace together, session-wide, outside any transaction. A fresh
        // connection is scoped here before its first use, so none runs as the owner.
        scopedTo.delete(client);
        await client.query(`select set_config('role', $1, false), set_config('app.workspace_id', $2, false)`, [
          APP_ROLE,
          workspaceId,
        ]);
        scopedTo.set(client, workspaceId);
      } catch (err) {
        client.release(err as Error); // state unknown: discard the connection
        throw isConnectionLost(err) ? new FirstStatementLost(err) : err;
      }
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
    db,
    tenant: (workspaceId, fn) => withScopedClient(workspaceId, true, fn),
    tenantRead: (workspaceId, fn) => withScopedClient(workspaceId, false, fn),
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
      await db.destroy();
    },
  };
}
