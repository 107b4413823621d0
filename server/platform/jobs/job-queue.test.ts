import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../../../test/helpers/db';
import type { Database } from '../db/database';
import { backoffSeconds, type Job, JobQueue, PermanentJobError, RetryJobError } from './job-queue';
import { retryJob } from './jobs.service';

const silent = { warn() {} };

/** A clock the test moves by hand. */
function manualClock(start = '2026-12-01T10:02:00Z') {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    advance(seconds: number) {
      t += seconds * 1000;
    },
    set(iso: string) {
      t = new Date(iso).getTime();
    },
  };
}

async function jobRow(database: Database, id: string) {
  const { rows } = await sql<{
    state: string;
    attempts: number;
    run_at: Date;
    last_error: string | null;
  }>`select state, attempts, run_at, last_error from jobs where id = ${id}`.execute(database.db);
  return rows[0];
}

describe('job queue', () => {
  let database: Database & { drop(): Promise<void> };
  let workspaceA: string;
  let workspaceB: string;

  beforeAll(async () => {
    database = await openTestDatabase();
    workspaceA = uuidv7();
    workspaceB = uuidv7();
    await sql`insert into workspaces (id, name) values (${workspaceA}, 'A'), (${workspaceB}, 'B')`.execute(database.db);
  });
  afterAll(() => database.drop());

  it('a job enqueued in a transaction exists only if it commits, and runs once', async () => {
    const clock = manualClock();
    const queue = new JobQueue({ database, log: silent, clock: clock.now });
    const seen: Job[] = [];
    queue.define('t.commit', async (job) => {
      seen.push(job);
    });
    await expect(
      database.tenant(workspaceA, async (tx) => {
        await queue.enqueue(tx, { queue: 't.commit', workspaceId: workspaceA, payload: { n: 1 } });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    const { id } = await database.tenant(workspaceA, (tx) =>
      queue.enqueue(tx, { queue: 't.commit', workspaceId: workspaceA, payload: { n: 2 } }),
    );
    expect(await queue.runDue()).toEqual({ completed: 1, retried: 0, failed: 0 });
    expect(await queue.runDue()).toEqual({ completed: 0, retried: 0, failed: 0 });
    expect(seen.map((j) => j.payload)).toEqual([{ n: 2 }]);
    expect(seen[0]).toMatchObject({ id, workspaceId: workspaceA, attempt: 1 });
    expect((await jobRow(database, id))?.state).toBe('completed');
  });

  it('retries with exponential back-off, then succeeds', async () => {
    const clock = manualClock();
    const queue = new JobQueue({ database, log: silent, clock: clock.now });
    let calls = 0;
    queue.define(
      't.backoff',
      async () => {
        calls++;
        if (calls < 3) throw new Error(`boom ${calls}`);
      },
      { backoffSeconds: 10, maxAttempts: 5 },
    );
    const { id } = await database.system((tx) => queue.enqueue(tx, { queue: 't.backoff' }));
    const t0 = clock.now().getTime();
    expect((await queue.runDue()).retried).toBe(1);
    let row = await jobRow(database, id);
    expect(row).toMatchObject({ state: 'queued', attempts: 1, last_error: 'boom 1' });
    expect(new Date(row?.run_at as Date).getTime() - t0).toBe(10_000);
    clock.advance(9);
    expect(await queue.runDue()).toEqual({ completed: 0, retried: 0, failed: 0 });
    clock.advance(1);
    expect((await queue.runDue()).retried).toBe(1);
    row = await jobRow(database, id);
    expect(new Date(row?.run_at as Date).getTime() - clock.now().getTime()).toBe(20_000); // doubled
    clock.advance(20);
    expect((await queue.runDue()).completed).toBe(1);
    expect(await jobRow(database, id)).toMatchObject({ state: 'completed', attempts: 3, last_error: null });
    expect(backoffSeconds(1, 10, 3600)).toBe(10);
    expect(backoffSeconds(4, 10, 3600)).toBe(80);
    expect(backoffSeconds(20, 10, 3600)).toBe(3600);
  });

  it('dead-letters after the last attempt, and an administrator retry runs it again', async () => {
    const clock = manualClock();
    const queue = new JobQueue({ database, log: silent, clock: clock.now });
    let fail = true;
    queue.define(
      't.dead',
      async () => {
        if (fail) throw new Error('receiver down');
      },
      { backoffSeconds: 1, maxAttempts: 2 },
    );
    const { id } = await database.tenant(workspaceA, (tx) =>
      queue.enqueue(tx, { queue: 't.dead', workspaceId: workspaceA }),
    );
    await queue.runDue();
    clock.advance(5);
    expect((await queue.runDue()).failed).toBe(1);
    expect(await jobRow(database, id)).toMatchObject({ state: 'failed', attempts: 2, last_error: 'receiver down' });
    clock.advance(3600);
    expect(await queue.runDue()).toEqual({ completed: 0, retried: 0, failed: 0 });
    fail = false;
    const retried = await database.tenant(workspaceA, (tx) => retryJob(tx, id, clock.now()));
    expect(retried).toMatchObject({ state: 'queued', attempts: 0 });
    expect((await queue.runDue()).completed).toBe(1);
    expect((await jobRow(database, id))?.state).toBe('completed');
  });

  it('a permanent error skips the remaining attempts; a Retry-After delay is honoured', async () => {
    const clock = manualClock();
    const queue = new JobQueue({ database, log: silent, clock: clock.now });
    queue.define('t.permanent', async () => {
      throw new PermanentJobError('410 Gone');
    });
    let n = 0;
    queue.define('t.later', async () => {
      n++;
      if (n === 1) throw new RetryJobError('429', 120);
    });
    const a = await database.system((tx) => queue.enqueue(tx, { queue: 't.permanent', maxAttempts: 10 }));
    const b = await database.system((tx) => queue.enqueue(tx, { queue: 't.later' }));
    await queue.runDue();
    expect(await jobRow(database, a.id)).toMatchObject({ state: 'failed', attempts: 1 });
    const later = await jobRow(database, b.id);
    expect(new Date(later?.run_at as Date).getTime() - clock.now().getTime()).toBe(120_000);
  });

  it('retryForSeconds ends retries when the next attempt would fall after the window', async () => {
    const clock = manualClock();
    const queue = new JobQueue({ database, log: silent, clock: clock.now });
    queue.define(
      't.window',
      async () => {
        throw new Error('still down');
      },
      { backoffSeconds: 60, maxBackoffSeconds: 3600, maxAttempts: 1000, retryForSeconds: 600 },
    );
    const { id } = await database.system((tx) => queue.enqueue(tx, { queue: 't.window' }));
    // 60 + 120 + 240 = 420 s of waiting fits in 600 s; the next delay (480 s) does not.
    for (let i = 0; i < 10; i++) {
      await queue.runDue();
      const row = await jobRow(database, id);
      if (row?.state !== 'queued') break;
      clock.set(new Date(row.run_at).toISOString()); // exactly when the next attempt is due
    }
    expect(await jobRow(database, id)).toMatchObject({ state: 'failed', attempts: 4 });
  });

  it('enqueue with a key is idempotent', async () => {
    const queue = new JobQueue({ database, log: silent });
    const first = await database.tenant(workspaceA, (tx) =>
      queue.enqueue(tx, { queue: 't.key', workspaceId: workspaceA, key: 'order-1' }),
    );
    const again = await database.tenant(workspaceA, (tx) =>
      queue.enqueue(tx, { queue: 't.key', workspaceId: workspaceA, key: 'order-1' }),
    );
    const otherWorkspace = await database.tenant(workspaceB, (tx) =>
      queue.enqueue(tx, { queue: 't.key', workspaceId: workspaceB, key: 'order-1' }),
    );
    const platform1 = await database.system((tx) => queue.enqueue(tx, { queue: 't.key', key: 'order-1' }));
    const platform2 = await database.system((tx) => queue.enqueue(tx, { queue: 't.key', key: 'order-1' }));
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    expect(otherWorkspace.created).toBe(true);
    expect(platform1.created).toBe(true);
    expect(platform2).toEqual({ id: platform1.id, created: false });
  });

  it('row-level security: a tenant cannot enqueue for or see another workspace', async () => {
    const queue = new JobQueue({ database, log: silent });
    await expect(
      database.tenant(workspaceA, (tx) => queue.enqueue(tx, { queue: 't.rls', workspaceId: workspaceB })),
    ).rejects.toThrow(/row-level security/);
    await database.tenant(workspaceB, (tx) => queue.enqueue(tx, { queue: 't.rls', workspaceId: workspaceB }));
    const seen = await database.tenant(workspaceA, (tx) =>
      sql<{ n: number }>`select count(*)::int as n from jobs where queue = 't.rls'`.execute(tx),
    );
    expect(seen.rows[0]?.n).toBe(0);
  });

  it('an expired lease is taken back and retried; the stale run cannot overwrite the outcome', async () => {
    const clock = manualClock();
    const stuck = new JobQueue({ database, log: silent, clock: clock.now });
    const healthy = new JobQueue({ database, log: silent, clock: clock.now });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const runs: string[] = [];
    stuck.define(
      't.lease',
      async () => {
        runs.push('stuck');
        await gate;
        throw new Error('late failure from the stale run');
      },
      { leaseSeconds: 30 },
    );
    healthy.define(
      't.lease',
      async () => {
        runs.push('healthy');
      },
      { leaseSeconds: 30 },
    );
    const { id } = await database.system((tx) => stuck.enqueue(tx, { queue: 't.lease' }));
    const stale = stuck.runDue();
    while (runs.length === 0) await new Promise((r) => setTimeout(r, 10));
    expect((await jobRow(database, id))?.state).toBe('running');
    expect((await healthy.runDue()).completed).toBe(0); // lease still valid
    clock.advance(31);
    expect((await healthy.runDue()).completed).toBe(1);
    release();
    await stale;
    expect(runs).toEqual(['stuck', 'healthy']);
    expect(await jobRow(database, id)).toMatchObject({ state: 'completed', attempts: 2 });
  });

  it('concurrent workers run every job exactly once (SKIP LOCKED claims)', async () => {
    const counts = new Map<string, number>();
    const workers = [0, 1, 2].map(() => {
      const q = new JobQueue({ database, log: silent });
      q.define(
        't.many',
        async (job) => {
          counts.set(job.id, (counts.get(job.id) ?? 0) + 1);
        },
        { concurrency: 4 },
      );
      return q;
    });
    const first = workers[0] as JobQueue;
    await database.system(async (tx) => {
      for (let i = 0; i < 150; i++) await first.enqueue(tx, { queue: 't.many', payload: { i } });
    });
    let done = 0;
    while (done < 150) {
      const results = await Promise.all(workers.map((w) => w.runDue({ limit: 20 })));
      done += results.reduce((s, r) => s + r.completed, 0);
    }
    expect(counts.size).toBe(150);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });

  it('a cron schedule fires once per tick across servers and once after missed ticks', async () => {
    const clock = manualClock('2026-12-01T10:02:00Z');
    const fired: string[] = [];
    const servers = [0, 1].map(() => {
      const q = new JobQueue({ database, log: silent, clock: clock.now });
      q.define('t.cron', async (job) => {
        fired.push(String(job.payload.scheduledFor));
      });
      q.schedule('test.every-5-min', '*/5 * * * *', { queue: 't.cron', payload: { report: 'daily' } });
      return q;
    });
    const [s1, s2] = servers as [JobQueue, JobQueue];
    await Promise.all([s1.runDue(), s2.runDue()]);
    expect(fired).toEqual([]);
    clock.set('2026-12-01T10:05:01Z');
    await Promise.all([s1.runDue(), s2.runDue()]);
    await Promise.all([s1.runDue(), s2.runDue()]);
    expect(fired).toEqual(['2026-12-01T10:05:00.000Z']);
    // Both servers down through 10:10 and 10:15: one catch-up run, then on schedule.
    clock.set('2026-12-01T10:17:30Z');
    await Promise.all([s1.runDue(), s2.runDue()]);
    expect(fired).toEqual(['2026-12-01T10:05:00.000Z', '2026-12-01T10:10:00.000Z']);
    const { rows } = await sql<{ next_run_at: Date; last_fired_at: Date }>`
      select next_run_at, last_fired_at from job_schedules where name = 'test.every-5-min'`.execute(database.db);
    expect(new Date(rows[0]?.next_run_at as Date).toISOString()).toBe('2026-12-01T10:20:00.000Z');
    // A restarted server (new instance, same declaration) keeps the schedule's position.
    const restarted = new JobQueue({ database, log: silent, clock: clock.now });
    restarted.define('t.cron', async (job) => {
      fired.push(String(job.payload.scheduledFor));
    });
    restarted.schedule('test.every-5-min', '*/5 * * * *', { queue: 't.cron' });
    await restarted.runDue();
    expect(fired).toHaveLength(2);
    expect(() => restarted.schedule('bad', 'not a cron', { queue: 't.cron' })).toThrow();
  });

  it('the background worker picks up a job soon after its transaction commits', async () => {
    // The poll interval is far beyond the test's timeout: only the wake-up can run the job,
    // however long the machine takes (a time limit here would measure the machine).
    const queue = new JobQueue({ database, log: silent, pollMs: 600_000 });
    let resolve!: (id: string) => void;
    const ran = new Promise<string>((r) => {
      resolve = r;
    });
    queue.define('t.background', async (job) => resolve(job.id));
    await queue.start();
    try {
      const { id } = await database.system((tx) => queue.enqueue(tx, { queue: 't.background' }));
      queue.wake(); // embedded mode has no cross-connection NOTIFY; on a server the notification wakes it too
      expect(await ran).toBe(id);
    } finally {
      await queue.stop();
    }
  });

  it('the poll finds a job that falls due later, with nothing to wake the queue', async () => {
    // Due after its commit (a NOTIFY finds nothing due then), no wake: only the poll's query for
    // queues with due jobs can see it, on both engines.
    const queue = new JobQueue({ database, log: silent, pollMs: 50 });
    let resolve!: (id: string) => void;
    const ran = new Promise<string>((r) => {
      resolve = r;
    });
    queue.define('t.polled', async (job) => resolve(job.id));
    queue.define('t.polled-idle', async () => {
      throw new Error('nothing was enqueued here');
    });
    await queue.start();
    try {
      const { id } = await database.system((tx) =>
        queue.enqueue(tx, { queue: 't.polled', runAt: new Date(Date.now() + 500) }),
      );
      expect(await ran).toBe(id);
    } finally {
      await queue.stop();
    }
  });
});
