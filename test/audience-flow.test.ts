import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { client, type HttpClient } from './helpers/http';

// Issue 15 end to end, across its modules: an anonymous visitor browses a site with t.js,
// then fills in a Rapport form on it (t.js adds the visitor id to the post). The new lead
// gets the earlier visits on its record, the visits and the form fill score as engagement,
// and crossing the threshold makes it an MQL — the tracking, forms and scoring modules
// meeting only through events.
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const VISITOR = `v${'1'.repeat(8)}${'b'.repeat(23)}`;

describe('audience: from an anonymous visit to a scored MQL', () => {
  let t: TestApp;
  let admin: SignedUp;
  let as: HttpClient;
  let formId: string;
  let siteKey: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Audience Flow Ltd' });
    as = client(t, admin.cookie);
    const tracking = await as.post('/api/v1/tracking/settings', { enabled: true, allowedOrigins: [] });
    expect(tracking.statusCode, tracking.body).toBeLessThan(300);
    siteKey = tracking.json().data.siteKey;
    const form = await as.post('/api/v1/forms', {
      name: 'Pricing enquiry',
      object: 'leads',
      fields: [
        { name: 'name', field: 'lastName', required: true },
        { name: 'email', field: 'email', required: true },
      ],
    });
    expect(form.statusCode, form.body).toBe(201);
    formId = form.json().data.id;
    for (const rule of [
      { name: 'Pricing page', kind: 'engagement', event: 'page.viewed', points: 20, match: { path: '/pricing*' } },
      { name: 'Form fill', kind: 'engagement', event: 'form.submitted', points: 30 },
    ]) {
      const res = await as.post('/api/v1/scoring/rules', rule);
      expect(res.statusCode, res.body).toBe(201);
    }
    const threshold = await as.patch('/api/v1/scoring/settings', { mqlThreshold: 60 });
    expect(threshold.statusCode, threshold.body).toBe(200);
  });
  afterAll(() => t.stop());

  it('earlier visits attach to the lead the form made, score, and make it an MQL', async () => {
    for (const path of ['/pricing', '/pricing/enterprise', '/blog/hello']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/t/collect',
        headers: { 'content-type': 'text/plain', 'user-agent': CHROME },
        payload: JSON.stringify({
          key: siteKey,
          visitorId: VISITOR,
          url: `https://www.example.com${path}`,
          kind: 'page',
        }),
      });
      expect(res.statusCode, res.body).toBe(204);
    }
    // The form on the site, as t.js leaves it: the fields and the hidden rapport_vid.
    const submitted = await t.app.inject({
      method: 'POST',
      url: `/f/${formId}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'user-agent': CHROME },
      payload: new URLSearchParams({
        name: 'Vera Visitor',
        email: 'vera@visitor.example',
        rapport_vid: VISITOR,
      }).toString(),
    });
    expect(submitted.statusCode, submitted.body).toBeLessThan(400);
    await t.events.drain();
    await t.events.drain(); // identification emits the earlier views as events; scoring takes them next

    const filter = encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'vera@visitor.example' }));
    const [lead] = (await as.get(`/api/v1/leads?filter=${filter}`)).json().data;
    expect(lead).toBeTruthy();
    const visits = (await as.get(`/api/v1/leads/${lead.id}/visits`)).json();
    expect(visits.data.map((v: { path: string }) => v.path).sort()).toEqual([
      '/blog/hello',
      '/pricing',
      '/pricing/enterprise',
    ]);
    // The form fill is not part of the submission's fields: no rapport_vid on the record or submission values.
    expect(JSON.stringify(lead)).not.toContain(VISITOR);

    const score = (await as.get(`/api/v1/leads/${lead.id}/score`)).json().data;
    expect(score.engagement).toBe(70);
    expect(score.factors.map((f: { rule: string }) => f.rule).sort()).toEqual([
      'Form fill',
      'Pricing page',
      'Pricing page',
    ]);
    const after = (await as.get(`/api/v1/leads/${lead.id}`)).json().data;
    expect(after).toMatchObject({ status: 'mql', qualification: 'mql' });
  });
});
