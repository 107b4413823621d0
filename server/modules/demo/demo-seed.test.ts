import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/app';
import { demoBanner } from '../../main';
import { passwordProblem } from '../../platform/auth/password-policy';
import { loadConfig } from '../../platform/config';
import { DEMO_EMAIL, generateDemoPassword } from './demo-seed';

describe('the demo login has no published password', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  const signIn = (email: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email, password } });

  it('generated passwords are random and pass the password policy', () => {
    const seen = new Set(Array.from({ length: 50 }, generateDemoPassword));
    expect(seen.size).toBe(50);
    for (const p of seen) expect(passwordProblem(p, { email: DEMO_EMAIL, name: 'Dana Demo' })).toBeNull();
    expect(loadConfig({}, { RAPPORT_DEMO_PASSWORD: 'an operator chosen phrase' }).demoPassword).toBe(
      'an operator chosen phrase',
    );
    expect(loadConfig({}, {}).demoPassword).toBeUndefined();
  });

  it('RAPPORT_DEMO_PASSWORD sets it for everyone; the old published password does not work; later starts do not know it', async () => {
    const weak = t.seedDemo({ password: 'password1234' });
    await expect(weak).rejects.toThrow(/^RAPPORT_DEMO_PASSWORD /);

    const first = await t.seedDemo({
      password: 'an operator chosen phrase',
    });
    expect(first).toMatchObject({ email: DEMO_EMAIL, generatedPassword: null, created: true });
    expect(first?.users.length).toBeGreaterThanOrEqual(3);
    for (const user of first?.users ?? []) {
      expect((await signIn(user.email, 'an operator chosen phrase')).statusCode, user.email).toBe(200);
    }
    expect((await signIn(DEMO_EMAIL, 'rapport-demo-2026')).statusCode).toBe(401);
    // The demo workspace has its support address (inbound mail) from the start.
    const { rows: withoutMailbox } = await sql`select id from workspaces w
      where not exists (select 1 from mailboxes m where m.workspace_id = w.id and m.is_default)`.execute(t.database.db);
    expect(withoutMailbox).toEqual([]);
    const again = await t.seedDemo();
    expect(again).toMatchObject({ email: DEMO_EMAIL, generatedPassword: null, created: false });
    // The same people, read back from the database.
    expect(again?.users.map((u) => u.email).sort()).toEqual(first?.users.map((u) => u.email).sort());
    expect(again?.users[0]).toMatchObject({ email: DEMO_EMAIL, role: 'Administrator', team: null });
    expect(again?.users.find((u) => u.email === 'sam.rivera@rapport.local')).toMatchObject({
      role: 'Sales representative',
      team: 'Sales EMEA',
    });
  }, 300_000); // seeds the whole demo workspace

  it('prints one line per person, `email … password …`, the generated password only when it was made', () => {
    const users = [
      { email: DEMO_EMAIL, name: 'Dana Demo', role: 'Administrator', team: null },
      { email: 'sam.rivera@rapport.local', name: 'Sam Rivera', role: 'Sales representative', team: 'Sales EMEA' },
    ];
    const created = demoBanner({
      email: DEMO_EMAIL,
      users,
      generatedPassword: 'abcde-fghij-kmnpq-rstuv',
      created: true,
    });
    const lines = created.filter((l) => /^ +email /.test(l));
    expect(lines).toEqual([
      '    email demo@rapport.local        password abcde-fghij-kmnpq-rstuv  (Administrator)',
      '    email sam.rivera@rapport.local  password abcde-fghij-kmnpq-rstuv  (Sales representative, Sales EMEA)',
    ]);
    expect(created.join('\n')).toContain('shown only this once');
    const later = demoBanner({ email: DEMO_EMAIL, users, generatedPassword: null, created: false });
    expect(later.filter((l) => l.includes('password (shown at the first start)'))).toHaveLength(2);
    const chosen = demoBanner({ email: DEMO_EMAIL, users, generatedPassword: null, created: true });
    expect(chosen.filter((l) => l.includes('password (the one in RAPPORT_DEMO_PASSWORD)'))).toHaveLength(2);
  });
});
