import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TFeedEntry } from '../../../common/contracts/feed';
import { createTestApp, sessionCookie, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { DEMO_EMAIL } from '../demo';

describe('the demo workspace’s feed', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  it('has colleague messages once, one of them about a demo opportunity', async () => {
    const password = 'an operator chosen phrase';
    await t.seedDemo({ password });
    await t.seedDemo({ password }); // a later start adds nothing
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: DEMO_EMAIL, password },
    });
    expect(res.statusCode, res.body).toBe(200);
    const feed = await client(t, sessionCookie(res)).get('/api/v1/feed?type=message.posted&limit=100');
    expect(feed.statusCode, feed.body).toBe(200);
    const messages = feed.json().data as TFeedEntry[];
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages.filter((m) => m.body?.startsWith('Welcome to the team feed'))).toHaveLength(1);
    const about = messages.find((m) => m.recordMentions?.length);
    expect(about?.recordMentions?.[0]).toMatchObject({ object: 'opportunities', title: expect.any(String) });
  }, 120_000); // seeds the whole demo workspace
});
