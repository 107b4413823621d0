import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';

type Row = Record<string, unknown>;

/**
 * Customer acquisition cost from cost entries per campaign and per date (issue 22 point 3),
 * against a fixture worked out by hand below (Q1 2026, by month).
 */
describe('customer acquisition cost: cost entries per campaign and period ÷ new customers', () => {
  let t: TestApp;
  let admin: SignedUp;
  let spring: string;
  let fair: string;
  let old: string;
  const eur = (amount: string) => ({ amount, currency: 'EUR' });
  const Q1 = 'from=2026-01-01&to=2026-03-31';
  const create = async (who: SignedUp, object: string, records: Row[]) => {
    const res = await client(t, who).post(`/api/v1/${object}/batch`, { mode: 'create', atomic: true, records });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().data as { id: string }[]).map((r) => r.id);
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Acquisition Co' });
    const ws = admin.workspaceId;
    [spring, fair, old] = (await create(admin, 'campaigns', [
      // Spring has cost entries: its actual cost is not counted.
      { name: 'Spring', type: 'email', startDate: '2026-01-05', actualCost: eur('9999') },
      // Fair has none: its actual cost counts on its start date.
      { name: 'Fair', type: 'event', startDate: '2026-02-10', actualCost: eur('500') },
      { name: 'Old', type: 'email', startDate: '2025-06-01', actualCost: eur('777') },
    ])) as [string, string, string];
    await create(admin, 'campaign_costs', [
      { campaignId: spring, incurredOn: '2026-01-10', amount: eur('1000'), description: 'Spring: design' },
      { campaignId: spring, incurredOn: '2026-02-20', amount: eur('600'), description: 'Spring: ads' },
      { campaignId: spring, incurredOn: '2026-04-02', amount: eur('700'), description: 'Spring: after Q1' },
      { campaignId: spring, incurredOn: '2026-01-12', amount: { amount: '50', currency: 'USD' } },
      { campaignId: old, incurredOn: '2026-03-05', amount: eur('200'), description: 'Old: late invoice' },
      { category: 'sales', incurredOn: '2026-03-15', amount: eur('900'), description: 'Sales travel' },
      { category: 'sales', incurredOn: '2025-12-20', amount: eur('300'), description: 'Before Q1' },
    ]);
    const accounts = await create(
      admin,
      'accounts',
      ['A1', 'A2', 'A3', 'A4', 'A5'].map((name) => ({ name })),
    );
    const stages = (await client(t, admin).get('/api/v1/pipelines')).json().data[0].stages as {
      name: string;
      id: string;
    }[];
    const won = stages.find((s) => s.name === 'Closed Won')?.id;
    // [account, closed]
    const deals: [number | null, string][] = [
      [0, '2026-01-18'], // A1: new in January
      [1, '2025-11-01'], // A2: a customer before Q1…
      [1, '2026-03-01'], // …so not new in March
      [2, '2026-02-15'], // A3: new in February…
      [2, '2026-03-20'], // …counted once
      [3, '2026-03-25'], // A4: new in March
      [4, '2026-04-05'], // A5: after Q1
      [null, '2026-02-01'], // no account: no customer
    ];
    const ids = await create(
      admin,
      'opportunities',
      deals.map(([a], i) => ({
        name: `D${i}`,
        stageId: won,
        amount: eur('100'),
        ...(a == null ? {} : { accountId: accounts[a] }),
      })),
    );
    for (const [i, [, closed]] of deals.entries())
      await t.database.tenant(ws, (tx) =>
        sql`update opportunities set closed_at = ${closed}::timestamptz where id = ${ids[i]}::uuid`.execute(tx),
      );
  });
  afterAll(() => t.stop());

  it('over the quarter, per month and per campaign', async () => {
    const res = await client(t, admin).get(`/api/v1/acquisition-cost?${Q1}&period=month`);
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json().data;
    // Marketing: 1000 + 600 (Spring) + 200 (Old, dated in Q1) + 500 (Fair's actual cost); sales 900.
    expect(d).toMatchObject({
      from: '2026-01-01',
      to: '2026-03-31',
      currency: 'EUR',
      marketingCost: eur('2300'),
      salesCost: eur('900'),
      cost: eur('3200'),
      newCustomers: 3, // A1, A3, A4
      cac: eur('1066.67'), // 3200 / 3
      otherCurrencies: [{ amount: '50', currency: 'USD' }],
    });
    expect(d.periods).toEqual([
      {
        from: '2026-01-01',
        to: '2026-01-31',
        cost: eur('1000'),
        marketingCost: eur('1000'),
        salesCost: eur('0'),
        newCustomers: 1,
        cac: eur('1000'),
      },
      {
        from: '2026-02-01',
        to: '2026-02-28',
        cost: eur('1100'), // 600 + 500
        marketingCost: eur('1100'),
        salesCost: eur('0'),
        newCustomers: 1,
        cac: eur('1100'),
      },
      {
        from: '2026-03-01',
        to: '2026-03-31',
        cost: eur('1100'), // 200 + 900
        marketingCost: eur('200'),
        salesCost: eur('900'),
        newCustomers: 1,
        cac: eur('1100'),
      },
    ]);
    expect(d.byCampaign).toEqual([
      { campaignId: spring, name: 'Spring', cost: eur('1600') },
      { campaignId: null, name: null, cost: eur('900') },
      { campaignId: fair, name: 'Fair', cost: eur('500') },
      { campaignId: old, name: 'Old', cost: eur('200') },
    ]);
    // By quarter: one period, the whole.
    const q = (await client(t, admin).get(`/api/v1/acquisition-cost?${Q1}&period=quarter`)).json().data;
    expect(q.periods).toHaveLength(1);
    expect(q.periods[0]).toMatchObject({ cost: eur('3200'), newCustomers: 3, cac: eur('1066.67') });
    // A period without new customers has no CAC.
    const apr = (await client(t, admin).get('/api/v1/acquisition-cost?from=2026-04-06&to=2026-04-30')).json().data;
    expect(apr).toMatchObject({ cost: eur('0'), newCustomers: 0, cac: null });
  });

  it('the marketing dashboard counts the same cost, CAC by period, and costs campaigns by their entries', async () => {
    const res = await client(t, admin).get(`/api/v1/dashboards/standard/marketing?${Q1}&period=month`);
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json().data;
    const numbers = Object.fromEntries(d.numbers.map((n: { key: string; value: unknown }) => [n.key, n.value]));
    expect(numbers).toMatchObject({
      marketingCost: eur('2300'),
      salesCost: eur('900'),
      newCustomers: 3,
      cac: eur('1066.67'),
    });
    const panel = (key: string) => d.panels.find((p: { key: string }) => p.key === key)?.result.rows as Row[];
    expect(panel('acquisitionCost')).toEqual([
      { period: '2026-01-01', cost: eur('1000'), newCustomers: 1, cac: eur('1000') },
      { period: '2026-02-01', cost: eur('1100'), newCustomers: 1, cac: eur('1100') },
      { period: '2026-03-01', cost: eur('1100'), newCustomers: 1, cac: eur('1100') },
    ]);
    // ROI of the campaigns started in Q1: Spring's cost is its entries in EUR (1000 + 600 + 700), Fair's its actual cost.
    const roi = Object.fromEntries(panel('campaignRoi').map((r) => [r.campaignId, r.cost]));
    expect(roi).toEqual({ [spring]: eur('2300'), [fair]: eur('500') });
    expect(d.hidden).toEqual([]);
  });

  it('cost entries are records: validated, a marketing cost unless told, read with the role’s permissions', async () => {
    const api = client(t, admin);
    const entry = await api.create('/api/v1/campaign_costs', {
      incurredOn: '2027-01-01',
      amount: eur('1'),
    });
    expect(entry.category).toBe('marketing');
    let res = await api.post('/api/v1/campaign_costs', { amount: eur('1') });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('incurredOn');
    res = await api.post('/api/v1/campaign_costs', { incurredOn: '2027-01-01', amount: eur('1'), category: 'travel' });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain('category');
    // A sales rep reads the costs (as campaigns' actual cost) but does not write them.
    const rep = await memberWithRole(t, admin.workspaceId, 'sales_rep');
    expect((await client(t, rep).get(`/api/v1/acquisition-cost?${Q1}`)).json().data.cost).toEqual(eur('3200'));
    res = await client(t, rep).post('/api/v1/campaign_costs', { incurredOn: '2027-01-01', amount: eur('1') });
    expect(res.statusCode).toBe(403);
  });

  it('bad input gets a 4xx naming the field', async () => {
    const api = client(t, admin);
    let res = await api.get('/api/v1/acquisition-cost?from=2026-03-01&to=2026-01-01');
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe('to');
    for (const [query, field] of [
      ['from=yesterday', 'from'],
      ['currency=EURO', 'currency'],
      ['period=week', 'period'],
      ['nope=1', 'nope'],
    ]) {
      res = await api.get(`/api/v1/acquisition-cost?${query}`);
      expect(res.statusCode, query).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, query).toBeLessThan(500);
      expect(res.body).toContain(field);
    }
  });
});
