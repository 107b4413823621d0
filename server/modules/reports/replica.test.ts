import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { ENGINE } from '../../../test/helpers/engine';
import { buildContact, buildOpportunity } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';
import { type ReplicaCluster, startReplicaCluster } from '../../../test/helpers/replica-cluster';
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp-sink';
import { loadConfig } from '../../platform/config';
import { openDatabase, REPLICA_RETRY_MS } from '../../platform/db/database';
import { startRuntime } from '../../runtime';

/** Polls `check` until it returns a value that is not undefined, or `ms` pass. */
async function until<T>(ms: number, what: string, check: () => Promise<T | undefined>): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const COUNT = { object: 'opportunities', measures: [{ op: 'count', as: 'n' }] };

describe('a read replica on the embedded database', () => {
  it('is refused with a message naming the setting', async () => {
    expect(() =>
      loadConfig({}, { RAPPORT_REPLICA_DATABASE_URL: 'postgres://postgres@127.0.0.1:5433/rapport' }),
    ).toThrow(/RAPPORT_REPLICA_DATABASE_URL needs DATABASE_URL/);
    await expect(
      openDatabase({ dataDir: 'memory://', replicaDatabaseUrl: 'postgres://postgres@127.0.0.1:5433/rapport' }),
    ).rejects.toThrow(/needs a PostgreSQL server/);
  });
});

/**
 * Reports on a real streaming replica: a throw-away primary and a pg_basebackup replica of
 * it (test/helpers/replica-cluster.ts). The replica's data is proved read by pausing its
 * replay: a record written on the primary afterwards is missing from the report until the
 * lag passes the bound, then the primary answers. Scheduled deliveries and the weekly forecast
 * snapshot read where reports read: their figures are proved to come from the replica the
 * same way.
 */
describe.skipIf(ENGINE !== 'postgres')('reports on a streaming replica', () => {
  let cluster: ReplicaCluster;
  let smtp: SmtpSink;
  let t: TestApp;
  let admin: SignedUp;
  let rep: Member;
  const logs: string[] = [];
  // Room for a delivery and a snapshot to run while replay is paused (a loaded machine).
  const MAX_LAG = 10;

  const count = async (who: { cookie: string }, path = '/api/v1/reports/run') => {
    const res = await client(t, who).post(path, COUNT);
    expect(res.statusCode, res.body).toBe(200);
    return {
      n: Number(res.json().data.rows[0].n),
      from: res.headers['x-rapport-read-from'],
      lag: Number(res.headers['x-rapport-replica-lag']),
      asOf: String(res.headers['x-rapport-data-as-of']),
      fallback: res.headers['x-rapport-replica-fallback'],
    };
  };
  /** The report once the replica serves it with `n` opportunities. */
  const onReplicaWith = (who: { cookie: string }, n: number) =>
    until(30_000, `the replica serves ${n}`, async () => {
      const r = await count(who);
      return r.from === 'replica' && r.n === n ? r : undefined;
    });

  beforeAll(async () => {
    cluster = await startReplicaCluster();
    smtp = await startSmtpSink();
    const stream = new PassThrough();
    stream.on('data', (chunk) => logs.push(String(chunk)));
    const config = loadConfig(
      {
        databaseUrl: cluster.primaryUrl,
        replicaDatabaseUrl: cluster.replicaUrl,
        replicaMaxLagSeconds: MAX_LAG,
        dataDir: 'memory://',
        baseUrl: 'http://localhost:3000',
        logLevel: 'info',
        seedDemo: false,
        poolSize: 4,
        publicRateLimits: false,
        smtpUrl: smtp.url,
      },
      {},
    );
    const runtime = await startRuntime(config, { backgroundWork: false, logStream: stream });
    t = Object.assign(runtime, { stop: () => runtime.close() });
    admin = await signUp(t.app, { workspaceName: 'Replica Co' });
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rhea Rep');
    const api = client(t, admin);
    await buildOpportunity(api, { name: 'Mine' });
    await buildOpportunity(api, { name: 'Also mine' });
    await buildOpportunity(api, { name: 'Rhea’s', ownerId: rep.userId });
  }, 180_000);
  afterAll(async () => {
    await t?.stop();
    await cluster?.stop();
    await smtp?.close();
  });

  it('reports, dashboards and the forecast read the replica, with the caller’s permissions', async () => {
    const caughtUp = await onReplicaWith(admin, 3);
    expect(caughtUp.lag).toBeLessThanOrEqual(MAX_LAG);
    expect(Date.parse(caughtUp.asOf)).toBeGreaterThan(Date.now() - 60_000);
    // The sales rep's report counts only what the rep may read, on the replica too.
    const mine = await count(rep);
    expect(mine).toMatchObject({ from: 'replica', n: 1 });
    // The replica's own view of the sessions: tenant connections of Rapport read there.
    const there = await cluster.onReplica<{ n: string }>(
      `select count(*) as n from pg_stat_activity where usename = 'rapport_tenant'`,
    );
    expect(Number(there[0]?.n)).toBeGreaterThan(0);
    for (const url of ['/api/v1/dashboards/standard/sales', '/api/v1/forecast?from=2026-01-01&to=2026-12-31']) {
      const res = await client(t, admin).get(url);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['x-rapport-read-from'], url).toBe('replica');
    }
    // /metrics shows the replica's pool and its lag at the last report read.
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.statusCode, metrics.body).toBe(200);
    expect(metrics.body).toMatch(/rapport_db_pool_max\{pool="replica"\} 4/);
    expect(metrics.body).toMatch(/^rapport_replica_lag_seconds \d/m);
    // An export reads the replica and is audited on the primary.
    const csv = await client(t, admin).post('/api/v1/reports/run?format=csv', COUNT);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(csv.headers['x-rapport-read-from']).toBe('replica');
    expect(csv.body).toContain('3');
    const audited = await t.database.system((tx) =>
      sql<{ n: string }>`select count(*) as n from audit_log
        where workspace_id = ${admin.workspaceId} and action = 'reports.exported'`.execute(tx),
    );
    expect(Number(audited.rows[0]?.n)).toBe(1);
  });

  it('a paused replica serves its older data within the lag bound, then the primary answers', async () => {
    await onReplicaWith(admin, 3);
    // A commit the replica has just replayed, so its lag starts near 0 when replay stops.
    const fresh = await buildContact(client(t, admin), { lastName: 'Fresh' });
    await until(30_000, 'the replica replays the contact', async () => {
      const rows = await cluster.onReplica<{ n: string }>('select count(*) as n from contacts where id = $1', [
        fresh.id,
      ]);
      return Number(rows[0]?.n) === 1 ? true : undefined;
    });
    await cluster.onReplica('select pg_wal_replay_pause()');
    try {
      await buildOpportunity(client(t, admin), { name: 'Written while the replica waits' });
      // Only the replica can still answer 3: the primary has 4.
      const stale = await count(admin);
      expect(stale).toMatchObject({ from: 'replica', n: 3 });
      expect(stale.lag).toBeGreaterThan(0);
      expect(Date.parse(stale.asOf)).toBeLessThan(Date.now());
      // Once it lags more than the bound, the primary answers, and the log says why.
      const fallen = await until(30_000, 'the primary answers', async () => {
        const r = await count(admin);
        return r.from === 'primary' ? r : undefined;
      });
      expect(fallen).toMatchObject({ n: 4, fallback: 'lagging', lag: 0 });
      expect(logs.join('')).toMatch(/Reports read from the primary: the replica lags more than 10 s/);
    } finally {
      await cluster.onReplica('select pg_wal_replay_resume()');
    }
    await onReplicaWith(admin, 4);
    expect(logs.join('')).toMatch(/Reports read from the replica again/);
  });

  it('a replica that is down: the primary answers (never a 500), with a warning; back when it is', async () => {
    await onReplicaWith(admin, 4);
    await cluster.stopReplica();
    const down = await count(admin);
    expect(down).toMatchObject({ from: 'primary', n: 4, fallback: 'down' });
    expect(logs.join('')).toMatch(/Reports read from the primary: the replica is unreachable/);
    const dashboard = await client(t, admin).get('/api/v1/dashboards/standard/forecast');
    expect(dashboard.statusCode, dashboard.body).toBe(200);
    expect(dashboard.headers['x-rapport-read-from']).toBe('primary');
    await cluster.startReplica();
    // Tried again REPLICA_RETRY_MS after it was found down.
    const back = await onReplicaWith(admin, 4);
    expect(back.lag).toBeLessThanOrEqual(MAX_LAG);
    expect(REPLICA_RETRY_MS).toBeLessThan(30_000);
  });

  it('scheduled deliveries and the forecast snapshot read the replica; the primary once it lags or is down', async () => {
    await onReplicaWith(admin, 4);
    const api = client(t, admin);
    await buildOpportunity(api, {
      name: 'Booked',
      amount: { amount: '500', currency: 'EUR' },
      expectedCloseDate: '2026-11-05',
    });
    await onReplicaWith(admin, 5);
    const report = await api.create('/api/v1/reports', { name: 'Deals', definition: COUNT });
    const created = await api.post('/api/v1/report-schedules', {
      name: 'Deals daily',
      target: { kind: 'report', id: report.id },
      frequency: 'daily',
      recipients: [admin.userId],
    });
    expect(created.statusCode, created.body).toBe(201);
    const scheduleId = created.json().data.id;
    /** Sends the schedule now, through the job queue and the outbox: the count its mail shows. */
    const delivered = async () => {
      const before = smtp.messages.length;
      expect((await api.post(`/api/v1/report-schedules/${scheduleId}/send`, {})).statusCode).toBe(202);
      expect((await t.jobs.runDue({ queues: ['reports.deliver'] })).completed).toBe(1);
      await t.mail.runOnce();
      const mail = await until(30_000, 'the delivery is mailed', async () =>
        smtp.messages.slice(before).find((m) => m.subject === 'Deals — daily report'),
      );
      return Number(/^ {2}(\d+)\r?$/m.exec(mail.text ?? '')?.[1]);
    };
    /** The admin's deals in the snapshot taken on `at`'s day (Q4 2026), as stored on the primary. */
    const snapshotDeals = async (at: string) => {
      await t.modules.reports.snapshot(new Date(at));
      const { rows } = await t.database.system((tx) =>
        sql<{ deals: number }>`select deals from forecast_snapshots
          where workspace_id = ${admin.workspaceId} and owner_id = ${admin.userId} and category = 'pipeline'
            and taken_on = ${at.slice(0, 10)}::date and period_start = '2026-10-01'`.execute(tx),
      );
      return rows[0]?.deals;
    };
    expect(await delivered()).toBe(5);
    const caughtUp = await snapshotDeals('2026-11-02T06:00:00Z');
    expect(caughtUp).toBeGreaterThanOrEqual(1);

    const fresh = await buildContact(api, { lastName: 'Fresh again' });
    await until(30_000, 'the replica replays the contact', async () => {
      const rows = await cluster.onReplica<{ n: string }>('select count(*) as n from contacts where id = $1', [
        fresh.id,
      ]);
      return Number(rows[0]?.n) === 1 ? true : undefined;
    });
    await cluster.onReplica('select pg_wal_replay_pause()');
    try {
      await buildOpportunity(api, {
        name: 'Booked while the replica waits',
        amount: { amount: '1000', currency: 'EUR' },
        expectedCloseDate: '2026-11-10',
      });
      // Only the replica can still answer 5 deals (the primary has 6) and the earlier snapshot's count.
      expect(await delivered()).toBe(5);
      expect(await snapshotDeals('2026-11-09T06:00:00Z')).toBe(caughtUp);
      // Lagging past the bound: both read the primary.
      await until(30_000, 'the primary answers', async () =>
        (await count(admin)).from === 'primary' ? true : undefined,
      );
      expect(await delivered()).toBe(6);
      expect(await snapshotDeals('2026-11-09T06:00:00Z')).toBe((caughtUp as number) + 1);
    } finally {
      await cluster.onReplica('select pg_wal_replay_resume()');
    }
    await onReplicaWith(admin, 6);
    // Down: the primary's figures, delivered all the same.
    await cluster.stopReplica();
    try {
      expect(await delivered()).toBe(6);
      expect(await snapshotDeals('2026-11-16T06:00:00Z')).toBe((caughtUp as number) + 1);
      expect((await count(admin)).fallback).toBe('down');
    } finally {
      await cluster.startReplica();
    }
  });
});
