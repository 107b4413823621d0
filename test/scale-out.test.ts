import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { STRONG_PASSWORD, uniqueEmail } from './helpers/app';
import { freshDatabase, openTestDatabase, type TestDatabase } from './helpers/db';
import { ENGINE } from './helpers/engine';
import { networkClient, signUpOver } from './helpers/http';
import { type ServerProcess, startServerProcess } from './helpers/server-process';

/** Polls `check` until it returns true or `ms` pass; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Several stateless app processes on one PostgreSQL database (docs/OPERATIONS.md, "Several
 * app processes"). An embedded database belongs to one process: nothing to share.
 */
describe.skipIf(ENGINE !== 'postgres')('two `rapport serve` processes on one DATABASE_URL', () => {
  let db: TestDatabase | undefined;
  const servers: ServerProcess[] = [];
  afterAll(async () => {
    for (const s of servers) {
      s.child.kill('SIGTERM');
      await s.exited;
    }
    await db?.drop();
  });

  it('a session made through one is valid on the other; signing out on one ends it on both', {
    timeout: 600_000,
  }, async () => {
    db = await freshDatabase();
    const env = { DATABASE_URL: db.databaseUrl ?? '', RAPPORT_SEED_DEMO: 'false' };
    servers.push(await startServerProcess(env, 300_000));
    servers.push(await startServerProcess(env, 300_000));
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const email = uniqueEmail('twoproc');
    const cookie = await signUpOver(a.url, {
      name: 'Two Processes',
      email,
      password: STRONG_PASSWORD,
      workspaceName: 'Two Processes Co',
    });
    const onA = networkClient(() => a.url, cookie);
    const onB = networkClient(() => b.url, cookie);
    const meA = await onA('GET', '/api/v1/me');
    const meB = await onB('GET', '/api/v1/me');
    expect(meA.status).toBe(200);
    expect(meB.status).toBe(200);
    expect(((await meB.json()) as { data: { user: { email: string } } }).data.user.email).toBe(email);
    // A record written through one process is read through the other.
    const made = await onA('POST', '/api/v1/contacts', { lastName: 'Shared' });
    expect(made.status).toBe(201);
    const { data } = (await made.json()) as { data: { id: string } };
    expect((await onB('GET', `/api/v1/contacts/${data.id}`)).status).toBe(200);
    // Signing out on B ends the session on A at once (NOTIFY rapport_sessions), not after its 5 s cache.
    expect((await onB('POST', '/api/v1/auth/sign-out')).status).toBe(204);
    await within(3000, async () => (await onA('GET', '/api/v1/me')).status === 401);
    // Each process serves its own /metrics to a scraper on the loopback interface.
    for (const s of [a, b]) {
      const metrics = await fetch(`${s.url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^rapport_http_requests_total\{/m);
    }
  });
});

describe.skipIf(ENGINE !== 'postgres')('the LISTEN connection after the database drops it', () => {
  it('reconnects and listens on its channels again within 5 s', async () => {
    const database = await openTestDatabase();
    try {
      const heard: string[] = [];
      await database.listen('rapport_scale_probe', (p) => heard.push(p));
      await sql`select pg_notify('rapport_scale_probe', 'before')`.execute(database.db);
      await within(5000, async () => heard.includes('before'));
      // What a restart or failover looks like to the app: the server ends the connection.
      const { rows } = await sql<{ n: number }>`
        select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen %'`.execute(database.db);
      expect(rows[0]?.n).toBe(1);
      const took = await within(5000, async () => {
        await sql`select pg_notify('rapport_scale_probe', 'after')`.execute(database.db);
        return heard.includes('after');
      });
      expect(took).toBeLessThan(5000);
    } finally {
      await database.drop();
    }
  });
});

describe.skipIf(ENGINE !== 'postgres')('connections the database ends while the app holds them', () => {
  it('a connection ended while idle in the pool is not handed to the next work as if alive', async () => {
    const database = await openTestDatabase();
    try {
      const workspace = '0190aaaa-0000-7000-8000-000000000002';
      const one = () => database.tenantRead(workspace, (tx) => sql<{ one: number }>`select 1 as one`.execute(tx));
      const write = () => database.tenant(workspace, (tx) => sql<{ one: number }>`select 1 as one`.execute(tx));
      for (const next of [one, write]) {
        await Promise.all([one(), one(), one()]); // three connections, now idle in the pool
        await sql`select count(pg_terminate_backend(pid)) from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()`.execute(database.db);
        // At once, before the ends are read off the sockets: the pool still holds them as idle.
        const again = await next();
        expect(again.rows[0]?.one).toBe(1);
      }
    } finally {
      await database.drop();
    }
  });
  it('fail the work in progress, not the process; the next work gets new connections', async () => {
    const database = await openTestDatabase();
    try {
      const workspace = '0190aaaa-0000-7000-8000-000000000001';
      let release: () => void = () => {};
      const holding = new Promise<void>((r) => {
        release = r;
      });
      let checkedOut: () => void = () => {};
      const isCheckedOut = new Promise<void>((r) => {
        checkedOut = r;
      });
      // A tenant connection checked out and idle between two statements, as during a request.
      const work = database.tenantRead(workspace, async (tx) => {
        await sql`select 1`.execute(tx);
        checkedOut();
        await holding;
        return sql`select 1`.execute(tx);
      });
      await isCheckedOut;
      await sql`select count(pg_terminate_backend(pid)) from pg_stat_activity
        where datname = current_database() and pid <> pg_backend_pid()`.execute(database.db);
      // Give the ended connection's 'error' event time to arrive (unhandled, it ends the process).
      await within(5000, async () => {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid() and usename <> current_user`.execute(
          database.db,
        );
        return rows[0]?.n === 0;
      });
      release();
      await expect(work).rejects.toThrow();
      const again = await database.tenantRead(workspace, (tx) => sql<{ one: number }>`select 1 as one`.execute(tx));
      expect(again.rows[0]?.one).toBe(1);
    } finally {
      await database.drop();
    }
  });
});
