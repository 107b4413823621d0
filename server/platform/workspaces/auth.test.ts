import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  STRONG_PASSWORD,
  sessionCookie,
  signUp,
  type TestApp,
  uniqueEmail,
} from '../../../test/helpers/app';
import { SIGN_IN_LIMITS } from '../auth/sign-in-guard';

describe('sign-up, sign-in, sign-out and sessions', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  it('sign-up creates a workspace with the user as administrator and starts an httpOnly session', async () => {
    const email = uniqueEmail('Founder');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-up',
      payload: { name: 'Ada Founder', email, password: STRONG_PASSWORD, workspaceName: 'Ada Corp' },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.data).toMatchObject({
      user: { email: email.toLowerCase(), name: 'Ada Founder' },
      workspace: { name: 'Ada Corp' },
      role: 'administrator',
      via: 'session',
    });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/rapport\.session_token=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: sessionCookie(res) } });
    expect(me.statusCode).toBe(200);
    expect(me.json().data.workspace.id).toBe(body.data.workspace.id);
  });

  it('stores the password hashed with argon2id', async () => {
    const u = await signUp(t.app);
    const row = await t.database.db
      .selectFrom('auth_accounts' as never)
      .select(['password' as never])
      .where('user_id' as never, '=', u.userId as never)
      .executeTakeFirst();
    const hash = (row as { password: string } | undefined)?.password ?? '';
    expect(hash.startsWith('$argon2id$')).toBe(true);
    expect(hash).not.toContain(STRONG_PASSWORD);
  });

  it.each([
    ['short1!', 'at least 12'],
    ['password1234', 'too easy to guess'],
    ['Password1234!', 'too easy to guess'],
    ['qwertyuiop123', 'too easy to guess'],
    ['aaaaaaaaaaaaaaaa', 'too easy to guess'],
    ['passwordpassword', 'too easy to guess'],
  ])('refuses the weak password %s with 422 naming the field, creating nothing', async (password, why) => {
    const email = uniqueEmail();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-up',
      payload: { name: 'Weak', email, password, workspaceName: 'W' },
    });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const body = res.json();
    expect(body.code).toBe('weak_password');
    expect(body.errors[0].path).toBe('password');
    expect(body.errors[0].message).toContain(why);
    const user = await t.database.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
    expect(user).toBeUndefined();
  });

  it('signs in, and signs out so the cookie stops working', async () => {
    const u = await signUp(t.app);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: u.email, password: STRONG_PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.role).toBe('administrator');
    const cookie = sessionCookie(res);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(200);
    const out = await t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-out', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    const after = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    expect(after.statusCode).toBe(401);
  });

  it('rejects an expired session with 401', async () => {
    const u = await signUp(t.app);
    await t.database.system((tx) =>
      tx
        .updateTable('sessions' as never)
        .set({ expires_at: new Date(Date.now() - 1000) } as never)
        .where('user_id' as never, '=', u.userId as never)
        .execute(),
    );
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: u.cookie } });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('unauthenticated');
  });

  it('rejects a forged session cookie with 401', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/me',
      headers: { cookie: 'rapport.session_token=forged.signature' },
    });
    expect(res.statusCode).toBe(401);
  });

  it('locks out an email after repeated failures, even with the right password, with Retry-After', async () => {
    const u = await signUp(t.app);
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail; i++) {
      const bad = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: u.email, password: 'wrong password for sure' },
      });
      expect(bad.statusCode).toBe(401);
      expect(bad.json().detail).toBe('Invalid email or password');
    }
    const locked = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: u.email, password: STRONG_PASSWORD },
    });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('too_many_attempts');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.headers['set-cookie']).toBeUndefined();
  });

  it('does not tell unknown emails from wrong passwords', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: uniqueEmail('nobody'), password: STRONG_PASSWORD },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().detail).toBe('Invalid email or password');
  });

  it('rejects a cross-site cookie-authenticated write (CSRF) and accepts a same-origin one', async () => {
    const u = await signUp(t.app);
    const evil = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: u.cookie, origin: 'https://evil.example' },
      payload: { name: 'csrf' },
    });
    expect(evil.statusCode).toBe(403);
    expect(evil.json().code).toBe('csrf_rejected');
    const same = await t.app.inject({
      method: 'POST',
      url: '/api/v1/api-keys',
      headers: { cookie: u.cookie, origin: 'http://localhost:3000' },
      payload: { name: 'ok' },
    });
    expect(same.statusCode).toBe(201);
    // RAPPORT_BASE_URL unset (http://localhost:<port>) and the app opened at 127.0.0.1 or [::1]: its own page.
    for (const host of ['127.0.0.1:3000', '[::1]:3000']) {
      const loopback = await t.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: { cookie: u.cookie, origin: `http://${host}`, host },
        payload: { name: `loopback ${host}` },
      });
      expect(loopback.statusCode, loopback.body).toBe(201);
    }
    // Another port of the same machine, or a loopback origin sent to another host, is another site.
    for (const [origin, host] of [
      ['http://127.0.0.1:8080', '127.0.0.1:3000'],
      ['http://127.0.0.1:3000', 'crm.example:3000'],
      ['http://evil.example:3000', 'evil.example:3000'],
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/api-keys',
        headers: { cookie: u.cookie, origin, host },
        payload: { name: 'refused' },
      });
      expect(res.statusCode, `${origin} → ${host}`).toBe(403);
    }
    const keys = await t.database.db
      .selectFrom('api_keys')
      .select('name')
      .where('workspace_id', '=', u.workspaceId)
      .execute();
    expect(keys.map((k) => k.name).sort()).toEqual(['loopback 127.0.0.1:3000', 'loopback [::1]:3000', 'ok']);
  });
});
