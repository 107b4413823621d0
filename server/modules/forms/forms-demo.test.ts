import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, sessionCookie, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { DEMO_EMAIL } from '../demo';

describe('the demo workspace’s forms and consents', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  it('has a published "Contact us" form once, with submissions that made leads with consents', async () => {
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
    const forms = (await as.get('/api/v1/forms')).json().data;
    expect(forms.map((f: { name: string }) => f.name)).toEqual(['Contact us']);
    expect(forms[0].submissions).toBe(3);
    const page = await client(t, null).get(`/f/${forms[0].id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="email"');
    const subs = (await as.get(`/api/v1/forms/${forms[0].id}/submissions`)).json().data;
    const nora = subs.find((s: { data: { email: string } }) => s.data.email === 'nora.lindqvist@example.org');
    const ledger = (await as.get(`/api/v1/leads/${nora.recordId}/consents`)).json();
    expect(ledger.data[0]).toMatchObject({ purpose: 'marketing_email', status: 'granted', source: 'form' });
  }, 120_000); // seeds the whole demo workspace
});
