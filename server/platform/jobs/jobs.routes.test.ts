import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyVia, createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';

describe('jobs admin API', () => {
  let app: TestApp;
  let admin: SignedUp;
  let other: SignedUp;
  let failing = true;

  beforeAll(async () => {
    app = await createTestApp();
    admin = await signUp(app.app);
    other = await signUp(app.app);
    app.jobs.define(
      'test.flaky',
      async () => {
        if (failing) throw new Error('smtp refused');
      },
      { maxAttempts: 1 },
    );
  });
  afterAll(() => app.stop());

  it('lists the workspace’s jobs by state, retries a failed one, and hides other workspaces', async () => {
    const { id } = await app.database.tenant(admin.workspaceId, (tx) =>
      app.jobs.enqueue(tx, { queue: 'test.flaky', workspaceId: admin.workspaceId, payload: { to: 'a@b.c' } }),
    );
    await app.database.tenant(other.workspaceId, (tx) =>
      app.jobs.enqueue(tx, { queue: 'test.flaky', workspaceId: other.workspaceId }),
    );
    await app.jobs.runDue({ queues: ['test.flaky'] });

    const failed = await app.app.inject({
      url: '/api/v1/admin/jobs?state=failed&queue=test.flaky',
      headers: { cookie: admin.cookie },
    });
    expect(failed.statusCode).toBe(200);
    const body = failed.json();
    expect(body.data).toHaveLength(1);
    expect(body.data[0]).toMatchObject({ id, state: 'failed', attempts: 1, lastError: 'smtp refused' });
    expect(body.counts).toMatchObject({ failed: 1, queued: 0, completed: 0 });

    failing = false;
    const retry = await app.app.inject({
      method: 'POST',
      url: `/api/v1/admin/jobs/${id}/retry`,
      headers: { cookie: admin.cookie },
    });
    expect(retry.statusCode).toBe(200);
    expect(retry.json().data).toMatchObject({ state: 'queued', attempts: 0 });
    const again = await app.app.inject({
      method: 'POST',
      url: `/api/v1/admin/jobs/${id}/retry`,
      headers: { cookie: admin.cookie },
    });
    expect(again.statusCode).toBe(409);
    await app.jobs.runDue({ queues: ['test.flaky'] });
    const done = await app.app.inject({ url: `/api/v1/admin/jobs/${id}`, headers: { cookie: admin.cookie } });
    expect(done.json().data.state).toBe('completed');

    // The other workspace's administrator cannot see or retry this job.
    const foreign = await app.app.inject({ url: `/api/v1/admin/jobs/${id}`, headers: { cookie: other.cookie } });
    expect(foreign.statusCode).toBe(404);
  });

  it('refuses non-administrators and bad filters', async () => {
    const key = await createApiKeyVia(app.app, admin.cookie, { name: 'rep', role: 'sales_rep' });
    const res = await app.app.inject({ url: '/api/v1/admin/jobs', headers: { authorization: `Bearer ${key}` } });
    expect(res.statusCode).toBe(403);
    const bad = await app.app.inject({ url: '/api/v1/admin/jobs?state=exploded', headers: { cookie: admin.cookie } });
    expect(bad.statusCode).toBe(422);
    expect(JSON.stringify(bad.json().errors)).toContain('state');
    expect(bad.headers['content-type']).toContain('application/problem+json');
  });
});
