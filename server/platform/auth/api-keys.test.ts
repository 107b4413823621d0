import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyVia, createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { hashToken } from './tokens';

describe('API keys', () => {
  let t: TestApp;
  let admin: SignedUp;
  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Keys Co' });
  });
  afterAll(() => t.stop());

  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  it('returns the key once, stores only its hash, and the key then acts in the workspace', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: admin.cookie },
      payload: { name: 'integration', role: 'sales_rep' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    const { key, id, prefix } = res.json().data;
    expect(key).toMatch(/^rpk_[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(prefix)).toBe(true);

    const stored = await t.database.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.key_hash).toBe(hashToken(key));
    expect(JSON.stringify(stored)).not.toContain(key);

    const list = await t.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: { cookie: admin.cookie } });
    expect(list.body).not.toContain(key);
    expect(list.json().data[0]).not.toHaveProperty('key');

    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(key) });
    expect(me.statusCode).toBe(200);
    expect(me.json().data).toMatchObject({
      via: 'api_key',
      role: 'sales_rep',
      workspace: { id: admin.workspaceId },
      apiKeyId: id,
    });
  });

  it('a revoked key stops working at once', async () => {
    const key = await createApiKeyVia(t.app, admin.cookie, { name: 'short-lived' });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(key) })).statusCode).toBe(200);
    const id = (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(key) })).json().data.apiKeyId;
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/api-keys/${id}`,
      headers: { cookie: admin.cookie },
    });
    expect(del.json().data.revokedAt).toBeTruthy();
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(key) });
    expect(after.statusCode).toBe(401);
  });

  it('an expired key is refused', async () => {
    const key = await createApiKeyVia(t.app, admin.cookie, {
      name: 'exp',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await t.database.db
      .updateTable('api_keys')
      .set({ expires_at: new Date(Date.now() - 1) })
      .where('key_hash', '=', hashToken(key))
      .execute();
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(key) })).statusCode).toBe(401);
  });

  it.each([
    ['Bearer rpk_nonsense', 401],
    ['Bearer not-a-key', 401],
    ['Basic dXNlcjpwYXNz', 401],
    [`Bearer rpk_${'x'.repeat(500)}`, 401],
  ])('bad credentials %s → %i problem', async (authorization, status) => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization } });
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('a read-scoped key can read but not write; only administrators manage keys', async () => {
    const readOnly = await createApiKeyVia(t.app, admin.cookie, { name: 'ro', scopes: ['read'] });
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: bearer(readOnly) })).statusCode).toBe(200);
    const write = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(readOnly),
      payload: { name: 'x' },
    });
    expect(write.statusCode).toBe(403);

    const repKey = await createApiKeyVia(t.app, admin.cookie, { name: 'rep', role: 'sales_rep' });
    const byRep = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: bearer(repKey),
      payload: { name: 'x' },
    });
    expect(byRep.statusCode).toBe(403);
    const names = (await t.app.inject({ method: 'GET', url: '/api/v1/api-keys', headers: { cookie: admin.cookie } }))
      .json()
      .data.map((k: { name: string }) => k.name);
    expect(names).not.toContain('x');
  });

  it('refuses an expiry in the past and unknown scopes with 422 naming the field', async () => {
    const past = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: admin.cookie },
      payload: { name: 'p', expiresAt: '2001-01-01T00:00:00Z' },
    });
    expect(past.statusCode).toBe(422);
    expect(past.json().errors[0].path).toBe('expiresAt');
    const scope = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: admin.cookie },
      payload: { name: 'p', scopes: ['everything'] },
    });
    expect(scope.statusCode).toBe(422);
    expect(scope.json().errors[0].path).toBe('scopes.0');
  });
});
