import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createApiKeyVia,
  createTestApp,
  type SignedUp,
  STRONG_PASSWORD,
  sessionCookie,
  signUp,
  type TestApp,
} from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { SIGN_IN_LIMITS } from './sign-in-guard';
import { totpCode, totpStep } from './totp';

describe('two-factor sign-in (TOTP and recovery codes)', () => {
  let t: TestApp;
  // The app's clock: codes are computed in the test from the secret for this moment.
  let nowMs = Date.UTC(2026, 11, 7, 9, 0, 10);
  const code = (secret: string, offsetSteps = 0) => totpCode(secret, totpStep(nowMs) + offsetSteps);
  /** Moves the clock to the next 30-second step (a new code). */
  const nextStep = () => {
    nowMs += 30_000;
  };

  beforeAll(async () => {
    t = await createTestApp({}, { clock: () => new Date(nowMs) });
  });
  afterAll(() => t.stop());

  const signIn = (email: string, body: Record<string, unknown> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email, password: STRONG_PASSWORD, ...body },
    });

  /** Signs up, enrols and confirms: the user, their secret and recovery codes. */
  async function enrolled(): Promise<SignedUp & { secret: string; recoveryCodes: string[] }> {
    const u = await signUp(t.app);
    const api = client(t, u.cookie);
    const setup = (await api.post('/api/v1/me/two-factor')).json().data;
    const verified = await api.post('/api/v1/me/two-factor/verify', { code: code(setup.secret) });
    expect(verified.statusCode, verified.body).toBe(200);
    nextStep();
    return { ...u, secret: setup.secret, recoveryCodes: verified.json().data.recoveryCodes };
  }

  it('enrols: a secret and otpauth URL, a wrong code refused, a right one turns it on with 10 recovery codes', async () => {
    const u = await signUp(t.app);
    const api = client(t, u.cookie);
    expect((await api.get('/api/v1/me/two-factor')).json().data).toEqual({
      enabled: false,
      pending: false,
      recoveryCodesLeft: 0,
      required: false,
    });
    const started = await api.post('/api/v1/me/two-factor');
    expect(started.statusCode, started.body).toBe(200);
    const { secret, otpauthUrl } = started.json().data;
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUrl).toContain(`secret=${secret}`);
    expect(otpauthUrl).toContain(`otpauth://totp/Rapport:${encodeURIComponent(u.email)}?`);
    expect((await api.get('/api/v1/me/two-factor')).json().data).toMatchObject({ enabled: false, pending: true });

    const wrong = await api.post('/api/v1/me/two-factor/verify', { code: code(secret, 5) });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect(wrong.json().errors[0].path).toBe('code');
    const missing = await api.post('/api/v1/me/two-factor/verify', {});
    expect(missing.statusCode).toBe(422);
    expect(missing.json().errors[0].path).toBe('code');

    const ok = await api.post('/api/v1/me/two-factor/verify', { code: code(secret) });
    expect(ok.statusCode, ok.body).toBe(200);
    const codes: string[] = ok.json().data.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    expect((await api.get('/api/v1/me/two-factor')).json().data).toEqual({
      enabled: true,
      pending: false,
      recoveryCodesLeft: 10,
      required: false,
    });
    expect((await api.get('/api/v1/me')).json().data.twoFactor).toEqual({ enabled: true, required: false });
    // While on, enrolment cannot restart (a stolen session cannot swap the seed).
    expect((await api.post('/api/v1/me/two-factor')).statusCode).toBe(409);

    // Stored sealed and hashed: neither the seed nor any recovery code is in the database.
    const stored = await sql<{
      secret: string;
    }>`select secret from user_two_factor where user_id = ${u.userId}`.execute(t.database.db);
    expect(stored.rows[0]?.secret.startsWith('v1:')).toBe(true);
    expect(stored.rows[0]?.secret).not.toContain(secret);
    const hashes = await sql<{ code_hash: string }>`
      select code_hash from user_recovery_codes where user_id = ${u.userId}`.execute(t.database.db);
    expect(hashes.rows).toHaveLength(10);
    const dump = JSON.stringify(hashes.rows);
    for (const c of codes) expect(dump).not.toContain(c.replace(/-/g, ''));

    const audit = (await api.get('/api/v1/audit-log?action=auth.two_factor_enabled')).json().data;
    expect(audit).toHaveLength(1);
  });

  it('sign-in then needs a code: none → 401 two_factor_required and no session; a valid one signs in; the same one again is refused', async () => {
    const u = await enrolled();
    const noCode = await signIn(u.email);
    expect(noCode.statusCode).toBe(401);
    expect(noCode.headers['content-type']).toContain('application/problem+json');
    expect(noCode.json()).toMatchObject({ code: 'two_factor_required', errors: [{ path: 'code' }] });
    expect(noCode.headers['set-cookie']).toBeUndefined();

    // A wrong password says nothing about the second factor.
    const badPassword = await signIn(u.email, { password: 'not the password at all' });
    expect(badPassword.statusCode).toBe(401);
    expect(badPassword.json().code).toBe('unauthenticated');
    expect(badPassword.json().errors ?? []).toEqual([]);

    const current = code(u.secret);
    const ok = await signIn(u.email, { code: current });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().data.twoFactor).toEqual({ enabled: true, required: false });
    const me = await client(t, sessionCookie(ok)).get('/api/v1/me');
    expect(me.statusCode).toBe(200);
    expect(me.json().data.user.id).toBe(u.userId);

    const replay = await signIn(u.email, { code: current });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().errors[0].path).toBe('code');
    expect(replay.headers['set-cookie']).toBeUndefined();

    // Codes of the current step ±1 are accepted: the next step's code works, then the one before is stale.
    nextStep();
    expect((await signIn(u.email, { code: code(u.secret) })).statusCode).toBe(200);
    expect((await signIn(u.email, { code: code(u.secret, -1) })).statusCode).toBe(401);
    nextStep();
  });

  it('the same code sent twice at once signs in once', async () => {
    const u = await enrolled();
    const c = code(u.secret);
    const results = await Promise.all([signIn(u.email, { code: c }), signIn(u.email, { code: c })]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
    nextStep();
  });

  it('a recovery code signs in once, is audited, and counts down', async () => {
    const u = await enrolled();
    const [first] = u.recoveryCodes;
    const typed = (first ?? '').toUpperCase().replace(/-/g, ' ');
    const ok = await signIn(u.email, { code: typed });
    expect(ok.statusCode, ok.body).toBe(200);
    const again = await signIn(u.email, { code: first });
    expect(again.statusCode).toBe(401);
    const api = client(t, sessionCookie(ok));
    expect((await api.get('/api/v1/me/two-factor')).json().data.recoveryCodesLeft).toBe(9);
    const audit = (await api.get('/api/v1/audit-log?action=auth.two_factor_recovery_used')).json().data;
    expect(audit).toHaveLength(1);
  });

  it('wrong codes count like wrong passwords: after 5 the right code is refused with 429', async () => {
    const u = await enrolled();
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail; i++) {
      const res = await signIn(u.email, { code: code(u.secret, 7 + i) });
      expect(res.statusCode).toBe(401);
    }
    const locked = await signIn(u.email, { code: code(u.secret) });
    expect(locked.statusCode).toBe(429);
    expect(locked.json().code).toBe('too_many_attempts');
    expect(locked.headers['retry-after']).toBeDefined();
  });

  it('asking for the code is not a failed attempt (a right password without code many times does not lock)', async () => {
    const u = await enrolled();
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail + 2; i++) {
      expect((await signIn(u.email)).json().code).toBe('two_factor_required');
    }
    expect((await signIn(u.email, { code: code(u.secret) })).statusCode).toBe(200);
    nextStep();
  });

  it('new recovery codes need a current code and retire the old ones', async () => {
    const u = await enrolled();
    const api = client(t, u.cookie);
    expect((await api.post('/api/v1/me/two-factor/recovery-codes', { code: '000000' })).statusCode).toBe(401);
    const fresh = await api.post('/api/v1/me/two-factor/recovery-codes', { code: code(u.secret) });
    expect(fresh.statusCode, fresh.body).toBe(200);
    const codes: string[] = fresh.json().data.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect((await signIn(u.email, { code: u.recoveryCodes[0] })).statusCode).toBe(401);
    expect((await signIn(u.email, { code: codes[0] })).statusCode).toBe(200);
    nextStep();
  });

  it('turning it off needs the password or a code; afterwards sign-in needs no code', async () => {
    const u = await enrolled();
    const api = client(t, u.cookie);
    const none = await api.post('/api/v1/me/two-factor/disable', {});
    expect(none.statusCode).toBe(422);
    expect(none.json().errors[0].path).toBe('password');
    const wrong = await api.post('/api/v1/me/two-factor/disable', { password: 'not the password at all' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors[0].path).toBe('password');
    expect((await signIn(u.email)).json().code).toBe('two_factor_required');

    const off = await api.post('/api/v1/me/two-factor/disable', { password: STRONG_PASSWORD });
    expect(off.statusCode, off.body).toBe(204);
    expect((await signIn(u.email)).statusCode).toBe(200);
    expect((await api.get('/api/v1/me/two-factor')).json().data.enabled).toBe(false);
    const rows = await sql<{ n: number }>`
      select (select count(*) from user_recovery_codes where user_id = ${u.userId})::int
           + (select count(*) from user_two_factor where user_id = ${u.userId})::int as n`.execute(t.database.db);
    expect(rows.rows[0]?.n).toBe(0);
    expect((await api.get('/api/v1/audit-log?action=auth.two_factor_disabled')).json().data[0]).toMatchObject({
      action: 'auth.two_factor_disabled',
    });

    // And with a code instead of the password.
    const v = await enrolled();
    const byCode = await client(t, v.cookie).post('/api/v1/me/two-factor/disable', { code: code(v.secret) });
    expect(byCode.statusCode, byCode.body).toBe(204);
    expect((await signIn(v.email)).statusCode).toBe(200);
  });

  it('an API key cannot manage two-factor, and is not asked for a code', async () => {
    const u = await enrolled();
    const key = await createApiKeyVia(t.app, u.cookie);
    expect((await client(t, key).post('/api/v1/me/two-factor')).statusCode).toBe(403);
    expect((await client(t, key).get('/api/v1/contacts')).statusCode).toBe(200);
  });

  it('a workspace that requires two-factor sends members without it to enrolment, and nothing else', async () => {
    const admin = await signUp(t.app);
    const adminApi = client(t, admin.cookie);
    const key = await createApiKeyVia(t.app, admin.cookie);
    const rep = await memberWithRole(t, admin.workspaceId, 'sales_rep');
    const repApi = client(t, rep.cookie);

    const bad = await adminApi.patch('/api/v1/workspace/settings', { twoFactorPolicy: 'sometimes' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('twoFactorPolicy');

    // Administrators only: the administrator is stopped, the sales rep is not.
    const admins = await adminApi.patch('/api/v1/workspace/settings', { twoFactorPolicy: 'admins' });
    expect(admins.statusCode, admins.body).toBe(200);
    expect(admins.json().data.twoFactorPolicy).toBe('admins');
    // Every app server drops its cached answer when told of the change (NOTIFY): wait for it.
    const blocked = await vi.waitFor(
      async () => {
        const res = await adminApi.get('/api/v1/contacts');
        expect(res.statusCode).toBe(403);
        return res;
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(blocked.headers['content-type']).toContain('application/problem+json');
    expect(blocked.json().code).toBe('two_factor_enrolment_required');
    expect((await adminApi.get('/api/v1/me')).json().data.twoFactor).toEqual({ enabled: false, required: true });
    expect((await repApi.get('/api/v1/contacts')).statusCode).toBe(200);
    expect((await repApi.get('/api/v1/me')).json().data.twoFactor).toEqual({ enabled: false, required: false });
    // API keys are unaffected.
    expect((await client(t, key).get('/api/v1/contacts')).statusCode).toBe(200);

    // The administrator enrols and is let through at once.
    const setup = (await adminApi.post('/api/v1/me/two-factor')).json().data;
    expect((await adminApi.post('/api/v1/me/two-factor/verify', { code: code(setup.secret) })).statusCode).toBe(200);
    nextStep();
    expect((await adminApi.get('/api/v1/contacts')).statusCode).toBe(200);

    // Everyone: the sales rep's next sign-in lands them in enrolment.
    expect((await adminApi.patch('/api/v1/workspace/settings', { twoFactorPolicy: 'everyone' })).statusCode).toBe(200);
    const again = await signIn(rep.email);
    expect(again.statusCode).toBe(200);
    expect(again.json().data.twoFactor).toEqual({ enabled: false, required: true });
    const repAgain = client(t, sessionCookie(again));
    await vi.waitFor(
      async () => expect((await repAgain.get('/api/v1/contacts')).json().code).toBe('two_factor_enrolment_required'),
      { timeout: 10_000, interval: 100 },
    );
    expect((await repAgain.get('/api/v1/me/two-factor')).json().data.required).toBe(true);

    const log = (await adminApi.get('/api/v1/audit-log?action=workspace.settings_changed')).json().data;
    expect(log[0].changes).toEqual({ twoFactorPolicy: ['admins', 'everyone'] });
  });
});
