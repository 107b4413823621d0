import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';

describe('platform housekeeping: an hourly job-queue cron job', () => {
  let t: TestApp;
  let admin: SignedUp;
  let now = new Date();

  beforeAll(async () => {
    t = await createTestApp({}, { clock: () => now });
    admin = await signUp(t.app, { workspaceName: 'Tidy Co' });
  });
  afterAll(() => t.stop());

  const keys = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from idempotency_keys`.execute(t.database.db)).rows[0]?.n;
  const housekeepingJobs = async () =>
    (
      await sql<{ n: number }>`
        select count(*)::int as n from jobs where queue = 'platform.housekeeping' and state = 'completed'`.execute(
        t.database.db,
      )
    ).rows[0]?.n;

  it('fires once an hour and deletes idempotency keys older than a day', async () => {
    const res = await client(t, admin).post('/api/v1/contacts', { lastName: 'Once' }, { 'idempotency-key': 'tidy-1' });
    expect(res.statusCode, res.body).toBe(201);
    expect(await keys()).toBe(1);
    await t.jobs.runDue({ queues: ['platform.housekeeping'] }); // declares the schedule; no tick yet
    expect(await housekeepingJobs()).toBe(0);

    now = new Date(now.getTime() + 2 * 3_600_000);
    expect((await t.jobs.runDue({ queues: ['platform.housekeeping'] })).completed).toBe(1);
    expect(await keys()).toBe(1); // two hours old: kept

    now = new Date(now.getTime() + 24 * 3_600_000);
    expect((await t.jobs.runDue({ queues: ['platform.housekeeping'] })).completed).toBe(1);
    expect(await keys()).toBe(0);
    expect(await housekeepingJobs()).toBe(2);
  });
});
