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
import { type Runtime, startRuntime } from '../../runtime';
import { CREDENTIAL_CACHE_MS } from '../auth/caller-resolver';

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

/** Issue 12.9: an address counts as the account's only once its owner proved it. */
describe(`email verification (${ENGINE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  const verificationMails = async (to: string) => {
    const { rows } = await sql<{ text_body: string; confidential: boolean }>`
      select text_body, confidential from mail_outbox where to_address = ${to} and subject like 'Confirm your email%'
      order by created_at`.execute(t.database.db);
    return rows;
  };
  const tokenOf = (text: string) => decodeURIComponent(/token=([^\s&]+)/.exec(text)?.[1] ?? '');
  const meOf = async (cookie: string) =>
    (await t.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).json().data.user;
  const verify = (token: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } });

  it('a new account starts unverified; the emailed single-use link verifies it, with no session needed', async () => {
    const u = await signUp(t.app);
    expect(await meOf(u.cookie)).toMatchObject({ email: u.email, emailVerified: false });
    const [mail] = await verificationMails(u.email);
    expect(mail?.confidential).toBe(true);
    const token = tokenOf(mail?.text_body ?? '');
    expect(token).toMatch(/^rve_/);
    const stored = await sql`select identifier, value from verifications`.execute(t.database.db);
    expect(JSON.stringify(stored.rows)).not.toContain(token);

    const ok = await verify(token);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ data: { emailVerified: true } });
    expect(await meOf(u.cookie)).toMatchObject({ emailVerified: true });
    const again = await verify(token);
    expect(again.statusCode).toBe(422);
    expect(again.json().errors[0].path).toBe('token');
  });

  it('an expired verification link is refused', async () => {
    const u = await signUp(t.app);
    const token = tokenOf((await verificationMails(u.email))[0]?.text_body ?? '');
    await sql`update verifications set expires_at = now() - interval '1 second'
      where starts_with(identifier, 'email-verify:') and value = ${u.userId}`.execute(t.database.db);
    expect((await verify(token)).statusCode).toBe(422);
    expect(await meOf(u.cookie)).toMatchObject({ emailVerified: false });
  });

  it('resending replaces the link, is limited per account, and sends nothing once verified', async () => {
    const u = await signUp(t.app);
    const first = tokenOf((await verificationMails(u.email))[0]?.text_body ?? '');
    const resend = (cookie = u.cookie) =>
      t.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email/resend', headers: { cookie } });
    const res = await resend();
    expect(res.statusCode, res.body).toBe(202);
    const mails = await verificationMails(u.email);
    expect(mails).toHaveLength(2);
    expect((await verify(first)).statusCode).toBe(422); // replaced by the new one
    for (let i = 1; i < 5; i++) expect((await resend()).statusCode).toBe(202);
    const limited = await resend();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Another account has its own allowance.
    const other = await signUp(t.app);
    expect((await resend(other.cookie)).statusCode).toBe(202);
    expect((await verify(tokenOf((await verificationMails(other.email)).at(-1)?.text_body ?? ''))).statusCode).toBe(
      200,
    );
    expect((await resend(other.cookie)).statusCode).toBe(202);
    expect(await verificationMails(other.email)).toHaveLength(2);
  });
});

/** Sessions ended on one app server stop working on every other one at once, not when caches expire. */
describe.skipIf(ENGINE === 'embedded')(`sessions ended on another app server (${ENGINE})`, () => {
  // One process owns an embedded database, so only the server engine has several app servers.
  let a: TestApp;
  let b: Runtime;
  beforeAll(async () => {
    a = await createTestApp();
    b = await startRuntime(a.config, { backgroundWork: false });
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it('a session signed out on server A is refused by server B before B’s cache would expire', async () => {
    const u = await signUp(a.app);
    const signIn = await b.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: u.email, password: STRONG_PASSWORD },
      headers: { 'user-agent': 'phone' },
    });
    const phone = sessionCookie(signIn);
    const meOnB = async () =>
      (await b.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: phone } })).statusCode;
    const cachedAt = Date.now();
    expect(await meOnB()).toBe(200); // B now trusts this session for CREDENTIAL_CACHE_MS
    const sessions = (
      await a.app.inject({ method: 'GET', url: '/api/v1/auth/sessions', headers: { cookie: u.cookie } })
    ).json().data as { id: string; userAgent: string | null }[];
    const target = sessions.find((s) => s.userAgent === 'phone');
    const del = await a.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/sessions/${target?.id}`,
      headers: { cookie: u.cookie },
    });
    expect(del.statusCode, del.body).toBe(204);
    // Wait for the condition; it must hold well before B's cached entry would have expired.
    let status = await meOnB();
    while (status !== 401 && Date.now() - cachedAt < CREDENTIAL_CACHE_MS * 2) {
      await new Promise((r) => setTimeout(r, 20));
      status = await meOnB();
    }
    expect(status).toBe(401);
    expect(Date.now() - cachedAt, 'revocation reached B only through cache expiry').toBeLessThan(CREDENTIAL_CACHE_MS);
    expect((await b.app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: u.cookie } })).statusCode).toBe(
      200,
    );
  });
});
