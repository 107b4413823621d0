import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app';
import { passwordProblem } from '../../platform/auth/password-policy';
import { loadConfig } from '../../platform/config';
import { DEMO_EMAIL, generateDemoPassword } from './demo-seed';

describe('the demo login has no published password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  const signIn = (password: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email: DEMO_EMAIL, password } });

  it('generated passwords are random and pass the password policy', () => {
    const seen = new Set(Array.from({ length: 50 }, generateDemoPassword));
    expect(seen.size).toBe(50);
    for (const p of seen) expect(passwordProblem(p, { email: DEMO_EMAIL, name: 'Dana Demo' })).toBeNull();
    expect(loadConfig({}, { RAPPORT_DEMO_PASSWORD: 'an operator chosen phrase' }).demoPassword).toBe(
      'an operator chosen phrase',
    );
    expect(loadConfig({}, {}).demoPassword).toBeUndefined();
  });

  it('RAPPORT_DEMO_PASSWORD sets it; the old published password does not work; later starts do not know it', async () => {
    const weak = t.seedDemo({ password: 'password1234' });
    await expect(weak).rejects.toThrow(/^RAPPORT_DEMO_PASSWORD /);

    const first = await t.seedDemo({
      password: 'an operator chosen phrase',
    });
    expect(first).toEqual({ email: DEMO_EMAIL, generatedPassword: null, created: true });
    expect((await signIn('an operator chosen phrase')).statusCode).toBe(200);
    expect((await signIn('rapport-demo-2026')).statusCode).toBe(401);
    const again = await t.seedDemo();
    expect(again).toEqual({ email: DEMO_EMAIL, generatedPassword: null, created: false });
  }, 120_000); // seeds the whole demo workspace
});
