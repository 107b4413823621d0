import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../test/helpers/app';
import { redactUrl, registerSecretPath } from './logging';

describe('redactUrl', () => {
  it('censors registered secret path segments and secret query values, nothing else', () => {
    registerSecretPath('/test/things/:id/keys/:secret');
    registerSecretPath('/test/feeds/:secret.ics');
    expect(redactUrl('/test/things/42/keys/s3cr3t')).toBe('/test/things/42/keys/[redacted]');
    expect(redactUrl('/test/things/42/keys/s3cr3t/more?x=1')).toBe('/test/things/42/keys/[redacted]/more?x=1');
    expect(redactUrl('/TEST/Things/42/keys/s3cr3t')).toBe('/TEST/Things/42/keys/[redacted]');
    expect(redactUrl('/test/things/42')).toBe('/test/things/42');
    expect(redactUrl('/test/feeds/tok.ics')).toBe('/test/feeds/[redacted].ics');
    expect(redactUrl('/test/feeds/settings')).toBe('/test/feeds/settings');
    expect(redactUrl('/x?token=a&page=2&api_key=b&signature=c#top')).toBe(
      '/x?token=[redacted]&page=2&api_key=[redacted]&signature=[redacted]#top',
    );
    expect(() => registerSecretPath('/test/no-secret/:id')).toThrow(/no :secret/);
  });
});

describe('secret tokens in URLs never reach the logs, the audit log or error answers', () => {
  let t: TestApp;
  let admin: SignedUp;
  const logs: string[] = [];
  const api = (method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers: { cookie: admin.cookie, ...headers },
      payload: payload as object,
    });

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk) => logs.push(String(chunk)));
    t = await createTestApp({ logLevel: 'info' }, { logStream: stream });
    admin = await signUp(t.app, { workspaceName: 'Logged Co' });
  });
  afterAll(() => t.stop());

  it('the calendar feed token and an inbound hook secret are redacted from the request log', async () => {
    const feed = await api('POST', '/api/v1/calendar/feed', {});
    expect(feed.statusCode, feed.body).toBe(201);
    const feedPath = new URL(feed.json().data.url).pathname;
    const feedToken = /\/calendar\/(.+)\.ics$/.exec(feedPath)?.[1] as string;
    expect(feedToken.length).toBeGreaterThan(20);

    const workflow = await api('POST', '/api/v1/workflows', {
      name: 'Form hook',
      active: true,
      definition: {
        trigger: { type: 'webhook' },
        steps: [{ id: 'mk', type: 'create_record', object: 'accounts', values: { name: '{{trigger.company}}' } }],
      },
    });
    expect(workflow.statusCode, workflow.body).toBe(201);
    const hookUrl: string = workflow.json().data.hookUrl;
    const hookSecret = hookUrl.split('/').at(-1) as string;
    expect(hookSecret.length).toBeGreaterThan(20);

    // The public requests, as a calendar client and a form service make them (no cookie).
    const got = await t.app.inject({ method: 'GET', url: feedPath });
    expect(got.statusCode, got.body).toBe(200);
    const hooked = await t.app.inject({ method: 'POST', url: hookUrl, payload: { company: 'Hooked' } });
    expect(hooked.statusCode, hooked.body).toBe(202);
    // Wrong method, and a path past the secret: 404s whose problem text names the path.
    const wrongMethod = await t.app.inject({ method: 'GET', url: hookUrl });
    expect(wrongMethod.statusCode).toBe(404);
    const past = await t.app.inject({ method: 'GET', url: `${hookUrl}/x?secret=${hookSecret}` });
    expect(past.statusCode).toBe(404);
    for (const res of [wrongMethod, past]) {
      expect(res.body).not.toContain(hookSecret);
      expect(res.json().detail).toContain('[redacted]');
    }

    const text = logs.join('');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const urls = lines.map((l) => l.req?.url).filter(Boolean);
    expect(urls).toContain('/api/v1/calendar/[redacted].ics');
    expect(urls).toContain(`/api/v1/workflows/${workflow.json().data.id}/hooks/[redacted]`);
    expect(urls).toContain('/api/v1/calendar/feed'); // the authenticated management route is not censored
    expect(text).not.toContain(feedToken);
    expect(text).not.toContain(hookSecret);

    // The audit log stores the request id and address, never the path; nothing there carries the secrets either.
    const audit = await sql<
      Record<string, unknown>
    >`select * from audit_log where workspace_id = ${admin.workspaceId}`.execute(t.database.db);
    const auditText = JSON.stringify(audit.rows);
    expect(auditText).not.toContain(feedToken);
    expect(auditText).not.toContain(hookSecret);
  });

  it('the audit log stores a client-supplied X-Request-Id only when it is a safe one', async () => {
    const hostileIds = [
      'hostile\nid',
      `${'x'.repeat(65)}`,
      "'; drop table audit_log; --",
      'id with spaces',
      'ünïcode',
      '<script>',
    ];
    const auditOf = async (recordId: string) =>
      (
        await sql<{ request_id: string | null }>`select request_id from audit_log
          where workspace_id = ${admin.workspaceId} and record_id = ${recordId}`.execute(t.database.db)
      ).rows;
    for (const id of hostileIds) {
      const res = await api('POST', '/api/v1/contacts', { firstName: 'Req', lastName: 'Id' }, { 'x-request-id': id });
      expect(res.statusCode, res.body).toBe(201);
      const rows = await auditOf(res.json().data.id);
      expect(rows.length, id).toBeGreaterThan(0);
      for (const r of rows) {
        expect(r.request_id).not.toBe(id);
        expect(r.request_id).toBe(res.headers['x-request-id']); // the generated id, which the client was told
        expect(r.request_id).toMatch(/^[0-9a-f-]{36}$/);
      }
    }
    const safe = await api(
      'POST',
      '/api/v1/contacts',
      { firstName: 'Req', lastName: 'Safe' },
      { 'x-request-id': 'trace-42.a_b' },
    );
    expect((await auditOf(safe.json().data.id)).map((r) => r.request_id)).toContain('trace-42.a_b');
  });
});
