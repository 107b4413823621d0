import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApiKeyVia,
  createTestApp,
  STRONG_PASSWORD,
  sessionCookie,
  signUp,
  type TestApp,
} from '../../../test/helpers/app';
import { ENGINE } from '../../../test/helpers/engine';

/** Issue 12.9: password change, the session list and "sign out everywhere". */
describe(`password change and sessions (${ENGINE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  const NEW_PASSWORD = 'a brand new passphrase for rapport';
  const signIn = async (email: string, password: string, userAgent = 'browser-a') => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password },
      headers: { 'user-agent': userAgent },
    });
    return { status: res.statusCode, cookie: res.statusCode === 200 ? sessionCookie(res) : '' };
  };
  const me = async (cookie: string) =>
    (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).statusCode;
  const post = (url: string, cookie: string, payload?: object) =>
    t.app.inject({ method: 'POST', url, headers: { cookie }, ...(payload ? { payload } : {}) });

  it('lists the user’s sessions without their tokens and signs one out by id', async () => {
    const u = await signUp(t.app);
    const phone = await signIn(u.email, STRONG_PASSWORD, 'phone');
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: { cookie: u.cookie } });
    expect(list.statusCode, list.body).toBe(200);
    const sessions = list.json().data as { id: string; current: boolean; userAgent: string | null }[];
    expect(sessions).toHaveLength(2);
    expect(sessions.filter((s) => s.current)).toHaveLength(1);
    const token = decodeURIComponent(phone.cookie.split('=')[1] ?? '').split('.')[0] ?? '';
    expect(token.length).toBeGreaterThan(10);
    expect(list.body).not.toContain(token);

    expect(await me(phone.cookie)).toBe(200); // cached on this server now
    const other = sessions.find((s) => !s.current && s.userAgent === 'phone');
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${other?.id}`,
      headers: { cookie: u.cookie },
    });
    expect(del.statusCode, del.body).toBe(204);
    expect(await me(phone.cookie)).toBe(401);
    expect(await me(u.cookie)).toBe(200);
    // Another user's session id is not found, not revoked.
    const stranger = await signUp(t.app);
    const strangerSessions = (
      await t.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: { cookie: stranger.cookie } })
    ).json().data;
    const foreign = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${strangerSessions[0].id}`,
      headers: { cookie: u.cookie },
    });
    expect(foreign.statusCode).toBe(404);
    expect(await me(stranger.cookie)).toBe(200);
  });

  it('changing the password needs the current one and signs out every other session', async () => {
    const u = await signUp(t.app);
    const laptop = await signIn(u.email, STRONG_PASSWORD, 'laptop');
    expect(await me(laptop.cookie)).toBe(200);

    const wrong = await post('/api/v1/auth/password', u.cookie, {
      currentPassword: 'not my password at all',
      newPassword: NEW_PASSWORD,
    });
    expect(wrong.statusCode, wrong.body).toBe(422);
    expect(wrong.json().errors[0].path).toBe('currentPassword');
    const weak = await post('/api/v1/auth/password', u.cookie, {
      currentPassword: STRONG_PASSWORD,
      newPassword: 'password1234',
    });
    expect(weak.statusCode).toBe(422);
    expect(weak.json().errors[0].path).toBe('newPassword');

    const ok = await post('/api/v1/auth/password', u.cookie, {
      currentPassword: STRONG_PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(ok.statusCode, ok.body).toBe(204);
    const fresh = sessionCookie(ok);
    expect(await me(fresh)).toBe(200);
    expect(await me(laptop.cookie)).toBe(401);
    expect((await signIn(u.email, STRONG_PASSWORD)).status).toBe(401);
    expect((await signIn(u.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('"sign out everywhere" ends every session, this one included', async () => {
    const u = await signUp(t.app);
    const tablet = await signIn(u.email, STRONG_PASSWORD, 'tablet');
    expect(await me(tablet.cookie)).toBe(200);
    const res = await post('/api/v1/auth/sign-out-everywhere', u.cookie);
    expect(res.statusCode, res.body).toBe(204);
    expect(String(res.headers['set-cookie'])).toMatch(/rapport\.session_token=;/);
    expect(await me(u.cookie)).toBe(401);
    expect(await me(tablet.cookie)).toBe(401);
  });

  /** The reset mail queued for `to` (polls: the request answers before the mail is queued). */
  const resetMail = async (to: string) => {
    const started = Date.now();
    for (;;) {
      const { rows } = await sql<{ id: string; text_body: string; confidential: boolean }>`
        select id, text_body, confidential from mail_outbox where to_address = ${to} and subject like '%password%'`.execute(
        t.database.db,
      );
      if (rows[0]) return rows[0];
      if (Date.now() - started > 10_000) throw new Error(`no reset mail to ${to}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const requestReset = (email: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email } });
  const confirm = (token: string, newPassword = NEW_PASSWORD) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, newPassword } });

  it('password reset by email: same answer for any email, hashed single-use token, sessions end', async () => {
    const u = await signUp(t.app);
    const known = await requestReset(u.email);
    const unknown = await requestReset(`nobody-${Date.now()}@example.com`);
    expect(known.statusCode).toBe(202);
    expect(unknown.statusCode).toBe(202);
    expect(known.body).toBe(unknown.body);

    const mail = await resetMail(u.email);
    expect(mail.confidential).toBe(true);
    const token = /token=([^\s]+)/.exec(mail.text_body)?.[1] ?? '';
    expect(token).toMatch(/^rpr_/);
    const stored = await sql<{ identifier: string }>`select identifier from verifications`.execute(t.database.db);
    expect(JSON.stringify(stored.rows)).not.toContain(token);
    // The workspace's administrator reading the outbox does not see the link.
    const shown = await t.app.inject({
      method: 'GET',
      url: `/api/v1/mail/outbox/${mail.id}`,
      headers: { cookie: u.cookie },
    });
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.body).not.toContain(token);

    const weak = await confirm(token, 'password1234');
    expect(weak.statusCode).toBe(422);
    expect(weak.json().errors[0].path).toBe('newPassword');
    const ok = await confirm(token);
    expect(ok.statusCode, ok.body).toBe(204);
    expect(await me(u.cookie)).toBe(401);
    expect((await signIn(u.email, STRONG_PASSWORD)).status).toBe(401);
    expect((await signIn(u.email, NEW_PASSWORD)).status).toBe(200);
    const again = await confirm(token, 'yet another passphrase here');
    expect(again.statusCode).toBe(422);
    expect(again.json().errors[0].path).toBe('token');
  });

  it('an expired reset token is refused', async () => {
    const u = await signUp(t.app);
    await requestReset(u.email);
    const mail = await resetMail(u.email);
    const token = /token=([^\s]+)/.exec(mail.text_body)?.[1] ?? '';
    await sql`update verifications set expires_at = now() - interval '1 second'
      where starts_with(identifier, 'password-reset:')`.execute(t.database.db);
    const res = await confirm(token);
    expect(res.statusCode).toBe(422);
    expect((await signIn(u.email, STRONG_PASSWORD)).status).toBe(200);
  });

  it('an API key cannot change its creator’s password or sessions', async () => {
    const u = await signUp(t.app);
    const key = await createApiKeyVia(t.app, u.cookie);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: { authorization: `Bearer ${key}` },
      payload: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(res.statusCode).toBe(403);
    const list = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/sessions',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(list.statusCode).toBe(403);
  });
});
