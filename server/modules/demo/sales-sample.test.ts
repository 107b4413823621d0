import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, sessionCookie, type TestApp } from '../../../test/helpers/app';

describe('the demo workspace has sales data', () => {
  let t: TestApp;
  let cookie: string;
  const get = async (url: string) => {
    const res = await t.app.inject({ method: 'GET', url, headers: { cookie } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  beforeAll(async () => {
    t = await createTestApp();
    const demo = await t.seedDemo();
    // No password given: one was generated, and this is the only time it is known.
    const password = demo?.generatedPassword as string;
    expect(password).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-in',
      payload: { email: demo?.email, password },
    });
    cookie = sessionCookie(res);
  });
  afterAll(() => t.stop());

  it('leads in every status, opportunities in every stage, priced products, quotes and deals', async () => {
    const leads = (await get('/api/v1/leads?limit=100')).data;
    expect(new Set(leads.map((l: { status: string }) => l.status))).toEqual(
      new Set(['new', 'working', 'mql', 'sql', 'nurturing', 'disqualified', 'converted']),
    );
    const [pipeline] = (await get('/api/v1/pipelines')).data;
    const opportunities = (await get('/api/v1/opportunities?limit=100')).data;
    const stages = new Set(opportunities.map((o: { stageId: string }) => o.stageId));
    for (const s of pipeline.stages) expect(stages.has(s.id), s.name).toBe(true);
    expect((await get('/api/v1/products?count=true')).total).toBe(5);
    const quotes = (await get('/api/v1/quotes?sort=number')).data;
    expect(quotes.map((q: { number: number }) => q.number)).toEqual([1, 2]);
    expect(quotes[0].total.amount).not.toBe('0');
    expect(quotes[1].status).toBe('accepted');
    const stats = (await get('/api/v1/deals/stats')).data;
    expect(stats.won).toBeGreaterThanOrEqual(3);
    expect(stats.lost).toBe(2);
  });
});
