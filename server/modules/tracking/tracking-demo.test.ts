import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TVisitsResponse } from '../../../common/contracts/tracking';
import { createTestApp, sessionCookie, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { DEMO_EMAIL } from '../demo';

describe('the demo workspace’s website tracking', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  it('has a site key and a few leads with visits, a download among them, once', async () => {
    const password = 'an operator chosen phrase';
    await t.seedDemo({ password });
    await t.seedDemo({ password }); // a later start adds nothing
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: DEMO_EMAIL, password },
    });
    expect(res.statusCode, res.body).toBe(200);
    const as = client(t, sessionCookie(res));
    const settings = await as.get('/api/v1/tracking/settings');
    expect(settings.json().data.siteKey).toMatch(/^rk_/);
    const recent = await as.get('/api/v1/tracking/views?limit=200');
    const views = recent.json().data as { path: string; kind: string; identified: boolean }[];
    expect(views).toHaveLength(10);
    expect(views.every((v) => v.identified)).toBe(true);
    const leads = (await as.get('/api/v1/leads?limit=3&sort=-createdAt&fields=id')).json().data as { id: string }[];
    const visits = await Promise.all(
      leads.map(async (l) => (await as.get(`/api/v1/leads/${l.id}/visits`)).json() as TVisitsResponse),
    );
    expect(visits.map((v) => v.total)).toEqual([4, 2, 4]);
    expect(visits[0]?.data.some((v) => v.kind === 'download')).toBe(true);
  }, 120_000); // seeds the whole demo workspace
});
