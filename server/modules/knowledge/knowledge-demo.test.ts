import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, sessionCookie, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { DEMO_EMAIL } from '../demo';

describe('the demo workspace’s knowledge base', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  it('has categories and public articles in a working help centre, once', async () => {
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
    const articles = (await as.get('/api/v1/articles?limit=100&fields=title,visibility,status')).json().data;
    expect(articles).toHaveLength(8);
    expect(articles.filter((a: { visibility: string }) => a.visibility === 'internal')).toHaveLength(1);
    expect(articles.filter((a: { status: string }) => a.status === 'draft')).toHaveLength(1);
    const settings = (await as.get('/api/v1/service/settings')).json().data;
    expect(settings.helpCentreEnabled).toBe(true);
    const home = await t.app.inject({ method: 'GET', url: new URL(settings.helpCentreUrl).pathname });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Getting started');
    expect(home.body).toContain('Café opening hours for pick-up');
    expect(home.body).not.toContain('Escalating a damaged delivery');
    expect(home.body).not.toContain('Loyalty programme');
  }, 180_000); // seeds the whole demo workspace
});
