import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, STRONG_PASSWORD, signUp, type TestApp, uniqueEmail } from '../../../test/helpers/app';
import { ENGINE } from '../../../test/helpers/engine';
import { hit } from '../http/rate-limits';
import { SIGN_IN_LIMITS } from './sign-in-guard';

/** Issue 12.6: sign-in throttling was raced, and the per-address limit locked everyone out. */
describe(`sign-in throttling (${ENGINE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  const signIn = (email: string, password: string, remoteAddress = '127.0.0.1') =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email, password }, remoteAddress });

  const failuresAudited = async (userId: string) => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from audit_log
      where actor_user_id = ${userId}::uuid and action = 'auth.sign_in_failed'`.execute(t.database.db);
    return rows[0]?.n ?? 0;
  };

  it('a counter hit is atomic: parallel hits get distinct counts', async () => {
    const counts = await Promise.all(Array.from({ length: 20 }, () => hit(t.database.db, 'test.atomic', 'k', 60)));
    expect(counts.map((c) => c.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('25 parallel wrong passwords: at most 5 are checked, the rest get 429, and then so does the right one', async () => {
    const u = await signUp(t.app);
    const answers = await Promise.all(
      Array.from({ length: 25 }, () => signIn(u.email, 'wrong password for sure', '10.1.0.1')),
    );
    const statuses = answers.map((a) => a.statusCode);
    const checked = statuses.filter((s) => s === 401).length;
    expect(checked).toBeLessThanOrEqual(SIGN_IN_LIMITS.perEmail);
    expect(checked).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 429).length).toBe(25 - checked);
    expect(await failuresAudited(u.userId)).toBe(checked);
    const refused = answers.find((a) => a.statusCode === 429);
    expect(refused?.json().code).toBe('too_many_attempts');
    expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);

    const right = await signIn(u.email, STRONG_PASSWORD, '10.1.0.1');
    expect(right.statusCode).toBe(429);
    expect(right.headers['set-cookie']).toBeUndefined();
  });

  it('30+ failures from one address do not stop another account’s correct password from there', async () => {
    const office = '10.2.0.1';
    const colleague = await signUp(t.app);
    const sprayed = await signUp(t.app);
    expect((await signIn(sprayed.email, 'wrong password for sure', office)).statusCode).toBe(401);
    for (let i = 0; i < SIGN_IN_LIMITS.perIp; i++) {
      expect((await signIn(uniqueEmail('spray'), 'Winter2026!', office)).statusCode).toBe(401);
    }
    // The colleague's account is not under attack: their correct password works from the same address.
    const ok = await signIn(colleague.email, STRONG_PASSWORD, office);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(String(ok.headers['set-cookie'])).toMatch(/rapport\.session_token=/);
    // An account that already took a guess from there gets no second one while the address is over its limit…
    const again = await signIn(sprayed.email, STRONG_PASSWORD, office);
    expect(again.statusCode).toBe(429);
    expect(again.json().code).toBe('too_many_attempts');
    // …and still signs in from anywhere else.
    expect((await signIn(sprayed.email, STRONG_PASSWORD, '10.3.0.1')).statusCode).toBe(200);
  });
});
