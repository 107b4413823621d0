import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';

/** The value of the sample `name{labels}` in a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const has = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (has) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('GET /metrics', () => {
  let t: TestApp;
  let a: SignedUp;

  beforeAll(async () => {
    t = await createTestApp();
    a = await signUp(t.app, { workspaceName: 'Metrics Co' });
  });
  afterAll(() => t.stop());

  it('answers the Prometheus text format: requests by route pattern, queue depth, event lag, pool use', async () => {
    const api = client(t, a.cookie);
    const contact = await buildContact(api, { lastName: 'Measured', email: 'measured@example.com' });
    expect((await api.get(`/api/v1/contacts/${contact.id}`)).statusCode).toBe(200);
    expect((await api.get('/api/v1/contacts/not-a-uuid')).statusCode).toBeGreaterThanOrEqual(400);
    expect((await api.get(`/api/v1/nothing-here/${contact.id}`)).statusCode).toBe(404);
    // A committed event the dispatcher has not delivered (no background work in tests) is lag.
    await t.jobs.enqueue(t.database.db, { queue: 'metrics.probe', payload: {}, workspaceId: a.workspaceId });

    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = res.body;
    expect(
      sample(text, 'rapport_http_requests_total', { method: 'GET', route: '/api/v1/contacts/:id', status: '200' }),
    ).toBe(1);
    expect(
      sample(text, 'rapport_http_requests_total', { method: 'POST', route: '/api/v1/contacts', status: '201' }),
    ).toBe(1);
    expect(sample(text, 'rapport_http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(
      sample(text, 'rapport_http_request_duration_seconds_count', { method: 'GET', route: '/api/v1/contacts/:id' }),
    ).toBe(1);
    expect(text).toContain('# TYPE rapport_http_request_duration_seconds histogram');
    expect(sample(text, 'rapport_jobs', { queue: 'metrics.probe', state: 'queued' })).toBe(1);
    expect(sample(text, 'rapport_jobs_due')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'rapport_event_dispatch_lag_seconds')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE rapport_event_lag_seconds gauge');
    expect(sample(text, 'rapport_db_pool_connections', { pool: 'owner', state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'rapport_db_pool_max', { pool: 'owner' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'rapport_process_resident_memory_bytes')).toBeGreaterThan(0);
    // Nothing of a tenant: no ids, no names, no emails, no cookies.
    for (const secret of [contact.id, a.workspaceId, a.userId, 'Measured', 'measured@example.com', 'Metrics Co']) {
      expect(text).not.toContain(secret);
    }
    // The events were committed and not yet dispatched: the lag is the oldest one's age.
    await t.events.drain();
    const after = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(sample(after.body, 'rapport_event_dispatch_lag_seconds')).toBe(0);
  });

  it('is not served through a proxy nor to other addresses without the token: 404 problem+json', async () => {
    const proxied = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(proxied.statusCode).toBe(404);
    expect(proxied.headers['content-type']).toMatch(/^application\/problem\+json/);
    const remote = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '203.0.113.9' });
    expect(remote.statusCode).toBe(404);
    expect(remote.body).not.toContain('rapport_');
  });
});

describe('GET /metrics with RAPPORT_METRICS_TOKEN', () => {
  let t: TestApp;
  const token = 'metrics-token-0123456789abcdef';
  beforeAll(async () => {
    t = await createTestApp({ metricsToken: token });
  });
  afterAll(() => t.stop());

  it('answers only the bearer of the token, from any address', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(none.statusCode).toBe(404);
    const wrong = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${token}x` },
    });
    expect(wrong.statusCode).toBe(404);
    const right = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      remoteAddress: '203.0.113.9',
      headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.9' },
    });
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('rapport_http_requests_total');
  });
});
