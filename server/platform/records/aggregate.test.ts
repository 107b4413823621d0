import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { memberWithRole } from '../../../test/helpers/members';

type Group = { value: string | null; label: string; count: number; sum: unknown };

describe('GET /api/v1/{object}/aggregate (board counts and totals)', () => {
  let t: TestApp;
  let admin: SignedUp;
  let rep: { cookie: string; userId: string };
  let other: SignedUp;

  const get = (cookie: string, url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } });
  const agg = async (cookie: string, query: Record<string, string>) => {
    const res = await get(cookie, `/api/v1/accounts/aggregate?${new URLSearchParams(query)}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data as { groups: Group[]; total: { count: number; sum: unknown } };
  };
  const byValue = (groups: Group[]) => Object.fromEntries(groups.map((g) => [String(g.value), g]));

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Aggregates Co' });
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep');
    other = await signUp(t.app, { workspaceName: 'Other Co' });
    const money = (amount: string, currency = 'EUR') => ({ amount, currency });
    const records = [
      { name: 'A1', type: 'customer', industry: 'software', employees: 10, annualRevenue: money('0.1') },
      { name: 'A2', type: 'customer', industry: 'software', employees: 5, annualRevenue: money('0.2') },
      { name: 'A3', type: 'customer', industry: 'banking', annualRevenue: money('1000000000.0001', 'USD') },
      { name: 'A4', type: 'prospect', industry: 'software', employees: 7 },
      { name: 'A5', industry: 'retail', annualRevenue: money('99.99') },
      // The sales rep's own records, one of them a supplier (their row rule hides suppliers).
      { name: 'R1', type: 'prospect', ownerId: rep.userId, annualRevenue: money('50', 'GBP'), employees: 3 },
      { name: 'R2', type: 'supplier', ownerId: rep.userId, annualRevenue: money('70', 'GBP') },
      { name: 'R3', type: 'customer', ownerId: rep.userId, annualRevenue: money('12.5') },
    ];
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts/batch',
      headers: { cookie: admin.cookie },
      payload: { mode: 'create', atomic: true, records },
    });
    expect(res.statusCode, res.body).toBe(200);
    // A trashed record never counts.
    const gone = await t.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      headers: { cookie: admin.cookie },
      payload: { name: 'Gone', type: 'customer', annualRevenue: money('1000') },
    });
    await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/accounts/${gone.json().data.id}`,
      headers: { cookie: admin.cookie },
    });
  });
  afterAll(() => t.stop());

  it('counts per option in declaration order, "no value" last, money summed exactly per currency', async () => {
    const data = await agg(admin.cookie, { groupBy: 'type', sum: 'annualRevenue' });
    expect(data.groups.map((g) => g.value)).toEqual([
      'prospect',
      'customer',
      'partner',
      'supplier',
      'competitor',
      'other',
      null,
    ]);
    const g = byValue(data.groups);
    expect(g.customer).toEqual({
      value: 'customer',
      label: 'Customer',
      count: 4,
      sum: [
        { currency: 'EUR', amount: '12.8' }, // 0.1 + 0.2 + 12.5, exactly
        { currency: 'USD', amount: '1000000000.0001' },
      ],
    });
    expect(g.prospect).toMatchObject({ count: 2, sum: [{ currency: 'GBP', amount: '50' }] });
    expect(g.supplier).toMatchObject({ count: 1, sum: [{ currency: 'GBP', amount: '70' }] });
    expect(g.partner).toMatchObject({ count: 0, sum: [] });
    expect(g.null).toMatchObject({ label: 'No type', count: 1, sum: [{ currency: 'EUR', amount: '99.99' }] });
    expect(data.total).toEqual({
      count: 8,
      sum: [
        { currency: 'EUR', amount: '112.79' },
        { currency: 'GBP', amount: '120' },
        { currency: 'USD', amount: '1000000000.0001' },
      ],
    });
  });

  it('sums number fields as exact decimal strings, and applies the filter like a list', async () => {
    const data = await agg(admin.cookie, {
      groupBy: 'industry',
      sum: 'employees',
      filter: JSON.stringify({ field: 'name', op: 'startsWith', value: 'A' }),
    });
    const g = byValue(data.groups);
    expect(g.software).toMatchObject({ count: 3, sum: '22' });
    expect(g.banking).toMatchObject({ count: 1, sum: '0' });
    expect(g.null).toMatchObject({ count: 0 });
    expect(data.total).toEqual({ count: 5, sum: '22' });
    const noSum = await agg(admin.cookie, { groupBy: 'industry' });
    expect(byValue(noSum.groups).software).toMatchObject({ count: 3, sum: null });
  });

  it('counts only what the caller may see: own records, no suppliers for a sales rep', async () => {
    const data = await agg(rep.cookie, { groupBy: 'type', sum: 'annualRevenue' });
    const g = byValue(data.groups);
    expect(g.prospect).toMatchObject({ count: 1, sum: [{ currency: 'GBP', amount: '50' }] });
    expect(g.customer).toMatchObject({ count: 1, sum: [{ currency: 'EUR', amount: '12.5' }] });
    expect(g.supplier).toMatchObject({ count: 0, sum: [] });
    expect(data.total.count).toBe(2);
    const list = await get(rep.cookie, '/api/v1/accounts?count=true');
    expect(list.json().total).toBe(data.total.count);
    // Another workspace sees none of it.
    expect((await agg(other.cookie, { groupBy: 'type' })).total.count).toBe(0);
  });

  it('refuses hidden fields for grouping, summing and filtering, like list filters do', async () => {
    const role = await t.app.inject({
      method: 'POST',
      url: '/api/v1/roles',
      headers: { cookie: admin.cookie },
      payload: {
        key: 'blind',
        name: 'Blind',
        permissions: {
          objects: {
            '*': { read: true, scope: 'all' },
            accounts: { fields: { annualRevenue: 'hidden', type: 'hidden' } },
          },
        },
      },
    });
    expect(role.statusCode).toBe(201);
    const blind = await memberWithRole(t, admin.workspaceId, 'blind');
    const cases: [Record<string, string>, string][] = [
      [{ groupBy: 'type' }, 'groupBy'],
      [{ groupBy: 'industry', sum: 'annualRevenue' }, 'sum'],
      [{ groupBy: 'industry', filter: JSON.stringify({ field: 'annualRevenue', op: 'gt', value: 1 }) }, 'filter.field'],
    ];
    for (const [query, path] of cases) {
      const res = await get(blind.cookie, `/api/v1/accounts/aggregate?${new URLSearchParams(query)}`);
      expect(res.statusCode, JSON.stringify(query)).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors[0].path).toBe(path);
    }
    const listFilter = await get(
      blind.cookie,
      `/api/v1/accounts?filter=${encodeURIComponent(JSON.stringify({ field: 'annualRevenue', op: 'gt', value: 1 }))}`,
    );
    expect(listFilter.statusCode).toBe(422);
    expect((await agg(blind.cookie, { groupBy: 'industry' })).total.count).toBe(8);
  });

  it('groups by a custom select field and refuses fields that cannot group or sum', async () => {
    const field = await t.app.inject({
      method: 'POST',
      url: '/api/v1/objects/accounts/fields',
      headers: { cookie: admin.cookie },
      payload: {
        name: 'tier',
        type: 'select',
        label: 'Tier',
        options: [
          { value: 'gold', label: 'Gold' },
          { value: 'silver', label: 'Silver' },
        ],
      },
    });
    expect(field.statusCode, field.body).toBe(201);
    const list = await get(
      admin.cookie,
      `/api/v1/accounts?filter=${encodeURIComponent(JSON.stringify({ field: 'name', op: 'in', value: ['A1', 'A2'] }))}`,
    );
    for (const r of list.json().data as { id: string; name: string }[]) {
      await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/accounts/${r.id}`,
        headers: { cookie: admin.cookie },
        payload: { tier: r.name === 'A1' ? 'gold' : 'silver' },
      });
    }
    const data = await agg(admin.cookie, { groupBy: 'tier', sum: 'annualRevenue' });
    expect(data.groups.map((g) => [g.value, g.count])).toEqual([
      ['gold', 1],
      ['silver', 1],
      [null, 6],
    ]);
    expect(byValue(data.groups).gold?.sum).toEqual([{ currency: 'EUR', amount: '0.1' }]);
    for (const [query, path] of [
      [{ groupBy: 'name' }, 'groupBy'],
      [{ groupBy: 'nothing' }, 'groupBy'],
      [{ groupBy: 'type', sum: 'industry' }, 'sum'],
    ] as const) {
      const res = await get(admin.cookie, `/api/v1/accounts/aggregate?${new URLSearchParams(query)}`);
      expect(res.statusCode).toBe(422);
      expect(res.json().errors[0].path).toBe(path);
    }
    expect((await get(admin.cookie, '/api/v1/accounts/aggregate')).statusCode).toBe(422);
    expect((await get(admin.cookie, '/api/v1/accounts/aggregate?groupBy=type&filter=%7Bbad')).statusCode).toBe(422);
  });
});
