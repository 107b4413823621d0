import { PassThrough } from 'node:stream';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  type SignedUp,
  STRONG_PASSWORD,
  signUp,
  type TestApp,
  uniqueEmail,
} from '../../../test/helpers/app';

describe('HTTP conventions', () => {
  let t: TestApp;
  let u: SignedUp;
  const logs: string[] = [];
  const userCount = async () =>
    Number(
      (
        await t.database.db
          .selectFrom('users')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk) => logs.push(String(chunk)));
    t = await createTestApp(
      { logLevel: 'info', corsOrigins: ['https://app.example'], bodyLimitBytes: 64 * 1024 },
      { logStream: stream },
    );
    u = await signUp(t.app);
  });
  afterAll(() => t.stop());

  const expectProblem = (
    res: { statusCode: number; headers: Record<string, unknown>; json(): any },
    status: number,
    code: string,
  ) => {
    expect(res.statusCode).toBe(status);
    expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    const body = res.json();
    expect(body).toMatchObject({ status, code, type: `/errors/${code}` });
    expect(typeof body.title).toBe('string');
    expect(typeof body.detail).toBe('string');
    return body;
  };

  it('malformed JSON → 400, nothing created', async () => {
    const before = await userCount();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-up',
      headers: { 'content-type': 'application/json' },
      payload: '{"name": "x", "email": ',
    });
    expectProblem(res, 400, 'malformed_json');
    expect(await userCount()).toBe(before);
  });

  it('wrong types → 422 naming each field, nothing created', async () => {
    const before = await userCount();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-up',
      payload: { name: 42, email: 'not-an-email', password: STRONG_PASSWORD, workspaceName: ['x'] },
    });
    const body = expectProblem(res, 422, 'validation_failed');
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['email', 'name', 'workspaceName']);
    expect(await userCount()).toBe(before);
  });

  it('unknown fields → 422 naming the field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-up',
      payload: { name: 'A', email: uniqueEmail(), password: STRONG_PASSWORD, workspaceName: 'W', isAdmin: true },
    });
    const body = expectProblem(res, 422, 'validation_failed');
    expect(body.errors[0].path).toContain('isAdmin');
  });

  it('validation messages are written for people, never zod’s wording', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-up',
      payload: { name: '  ', email: 'not-an-email', password: '', workspaceName: 'x'.repeat(201), extra: 1 },
    });
    const body = expectProblem(res, 422, 'validation_failed');
    const byPath = Object.fromEntries(body.errors.map((e: { path: string; message: string }) => [e.path, e.message]));
    expect(byPath).toMatchObject({
      name: 'Enter your name',
      email: 'must be a valid email address',
      password: 'Enter a password',
      workspaceName: 'must be at most 200 characters',
      extra: 'is not a field we know',
    });
    for (const e of body.errors) expect(e.message).not.toMatch(/Too (small|big)|Invalid input|expected/);
    const missing = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: {} });
    const m = expectProblem(missing, 422, 'validation_failed');
    expect(m.errors).toEqual(
      expect.arrayContaining([
        { path: 'email', message: 'Enter an email' },
        { path: 'password', message: 'Enter a password' },
      ]),
    );
  });

  it('oversize bodies → 413, nothing created', async () => {
    const before = await userCount();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-up',
      payload: { name: 'x'.repeat(100_000), email: uniqueEmail(), password: STRONG_PASSWORD, workspaceName: 'W' },
    });
    expectProblem(res, 413, 'payload_too_large');
    expect(await userCount()).toBe(before);
  });

  it('unsupported media type → 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      headers: { 'content-type': 'text/xml' },
      payload: '<x/>',
    });
    expectProblem(res, 415, 'unsupported_media_type');
  });

  it('unknown routes → 404 problem, also without credentials', async () => {
    expectProblem(await t.app.inject({ method: 'GET', url: '/api/v1/nope' }), 404, 'route_not_found');
    expectProblem(await t.app.inject({ method: 'DELETE', url: '/api/v1/me' }), 404, 'route_not_found');
  });

  it('bad path parameters → 422', async () => {
    const res = await t.app.inject({
      method: 'DELETE',
      url: '/api/v1/api-keys/not-a-uuid',
      headers: { cookie: u.cookie },
    });
    const body = expectProblem(res, 422, 'validation_failed');
    expect(body.errors[0].path).toBe('id');
  });

  it('sends security headers and a request id (echoing a safe inbound one)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-frame-options']).toBeDefined();
    const hostile = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'hostile id\nwith newline' },
    });
    // Replaced by a generated id (hex digits only: the old check for "bad" failed on ids containing b, a, d).
    expect(hostile.headers['x-request-id']).not.toContain('hostile');
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{8,}$/);
  });

  it('answers CORS preflight for a configured origin only', async () => {
    const ok = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/me',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
    });
    expect(ok.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(ok.headers['access-control-allow-credentials']).toBe('true');
    const other = await t.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/me',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('/health names the database; /ready checks it', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.json()).toMatchObject({ status: 'ok', database: { kind: t.database.kind } });
    expect(health.json().database.version).toMatch(/^PostgreSQL \d+/);
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('serves a valid OpenAPI 3.1 document and the docs UI', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/api/v1/auth/sign-up', '/api/v1/me', '/api/v1/api-keys', '/api/v1/invitations', '/health']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const ui = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toMatch(/text\/html/);
  });

  it('logs requests as JSON with request ids and never logs secrets', async () => {
    const email = uniqueEmail('logged');
    const signUpRes = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-up',
      payload: { name: 'Log Me', email, password: 'a very secret passphrase', workspaceName: 'Logs' },
    });
    const cookie = String(signUpRes.headers['set-cookie']).split(';')[0] ?? '';
    const keyRes = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie },
      payload: { name: 'k' },
    });
    const key = keyRes.json().data.key;
    await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${key}` } });
    await t.app.inject({ method: 'GET', url: '/api/v1/invitations/lookup?token=inv_supersecrettoken' });
    const text = logs.join('');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.some((l) => l.reqId && l.req?.url === '/api/v1/me')).toBe(true);
    expect(text).not.toContain('a very secret passphrase');
    expect(text).not.toContain(key);
    expect(text).not.toContain(cookie.split('=')[1]);
    expect(text).not.toContain('supersecrettoken');
  });
});
