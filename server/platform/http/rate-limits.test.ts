import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, STRONG_PASSWORD, type TestApp, uniqueEmail } from '../../../test/helpers/app';
import { ENGINE } from '../../../test/helpers/engine';
import { type LimitName, NAMED_LIMITS } from './rate-limits';

/** Issue 12.6: routes anyone can call without credentials are rate limited too. */
describe(`named limits of public routes (${ENGINE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ publicRateLimits: true });
  });
  afterAll(() => t.stop());

  const expectLimited = (res: Awaited<ReturnType<TestApp['app']['inject']>>, max: number) => {
    expect(res.statusCode, res.body).toBe(429);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json().code).toBe('rate_limited');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.headers['ratelimit-limit']).toBe(String(max));
    expect(res.headers['ratelimit-remaining']).toBe('0');
    expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThan(0);
  };

  it('counts every request of a limited route per address, announces it, and answers 429 past it', async () => {
    const { max } = NAMED_LIMITS['invitations.lookup'];
    const lookup = (remoteAddress: string) =>
      t.app.inject({ method: 'GET', url: '/api/v1/invitations/lookup?token=inv_nonexistent0000', remoteAddress });
    for (let i = 1; i <= max; i++) {
      const res = await lookup('10.9.0.1');
      expect(res.statusCode).toBe(404);
      expect(res.headers['ratelimit-limit']).toBe(String(max));
      expect(res.headers['ratelimit-remaining']).toBe(String(max - i));
    }
    expectLimited(await lookup('10.9.0.1'), max);
    // Another address has its own count.
    expect((await lookup('10.9.0.2')).statusCode).toBe(404);
  });

  const routes: [LimitName, () => Promise<Awaited<ReturnType<TestApp['app']['inject']>>>][] = [
    [
      'auth.sign-up',
      () =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/sign-up',
          payload: { name: 'N', email: uniqueEmail(), password: STRONG_PASSWORD, workspaceName: 'W' },
          remoteAddress: '10.8.0.1',
        }),
    ],
    [
      'invitations.lookup',
      () =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/invitations/accept',
          payload: { token: 'inv_nonexistent0000', name: 'N', password: STRONG_PASSWORD },
          remoteAddress: '10.8.0.1',
        }),
    ],
    [
      'workflows.hook',
      () =>
        t.app.inject({
          method: 'POST',
          url: '/api/v1/workflows/01890000-0000-7000-8000-000000000000/hooks/wrong-secret',
          payload: {},
          remoteAddress: '10.8.0.1',
        }),
    ],
    [
      'calendar.feed',
      () => t.app.inject({ method: 'GET', url: '/api/v1/calendar/cal_nothing.ics', remoteAddress: '10.8.0.1' }),
    ],
    ['chat.config', () => t.app.inject({ method: 'GET', url: '/chat/config?key=nothing', remoteAddress: '10.8.0.1' })],
    [
      'chat.connect',
      () =>
        t.app.inject({
          method: 'GET',
          url: '/chat/socket?key=nothing',
          headers: { connection: 'upgrade', upgrade: 'websocket' },
          remoteAddress: '10.8.0.1',
        }),
    ],
  ];

  it.each(routes)('%s: a caller over the limit gets 429 before the route does any work', async (name, call) => {
    const { max, windowSeconds } = NAMED_LIMITS[name];
    await sql`insert into rate_limit_hits (name, key, hits, window_ends)
      values (${name}, '10.8.0.1', ${max}, now() + make_interval(secs => ${windowSeconds}))
      on conflict (name, key) do update set hits = excluded.hits, window_ends = excluded.window_ends`.execute(
      t.database.db,
    );
    expectLimited(await call(), max);
  });

  it('sign-up creates nothing once limited', async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from users`.execute(t.database.db);
    expect(rows[0]?.n).toBe(0);
  });
});
