import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { memberWithRole } from './helpers/members';
import { ACTIONS, type Action, checkMatrixCell } from './helpers/permission-matrix';

const OBJECTS = ['leads', 'opportunities', 'products', 'quotes'] as const;
type SalesObject = (typeof OBJECTS)[number];

const all = (v: boolean): Record<Action, boolean> => ({ create: v, read: v, update: v, delete: v, export: v });
const READ_ONLY = { create: false, read: true, update: false, delete: false, export: false };

/** The standard roles' permissions on the sales objects, written out by hand: the server must match every cell. */
const EXPECTED: Record<string, Record<SalesObject, Record<Action, boolean>>> = {
  administrator: { leads: all(true), opportunities: all(true), products: all(true), quotes: all(true) },
  sales_rep: {
    leads: { create: true, read: true, update: true, delete: true, export: false },
    opportunities: { create: true, read: true, update: true, delete: true, export: false },
    products: READ_ONLY,
    quotes: { create: true, read: true, update: true, delete: true, export: false },
  },
  marketing_manager: {
    leads: { create: true, read: true, update: true, delete: false, export: true },
    opportunities: { create: true, read: true, update: true, delete: false, export: true },
    products: { ...READ_ONLY, export: true },
    quotes: { create: true, read: true, update: true, delete: false, export: true },
  },
  service_rep: {
    leads: { create: true, read: true, update: true, delete: false, export: false },
    opportunities: { create: true, read: true, update: true, delete: false, export: false },
    products: READ_ONLY,
    quotes: all(false),
  },
  data_analyst: {
    leads: { ...all(false), read: true, export: true },
    opportunities: { ...all(false), read: true, export: true },
    products: { ...all(false), read: true, export: true },
    quotes: { ...all(false), read: true, export: true },
  },
};

describe('sales objects: roles and permissions through the HTTP API', () => {
  let t: TestApp;
  let admin: SignedUp;
  const users: Record<string, { cookie: string; userId: string }> = {};
  /** An opportunity owned by each role's user, for their quotes. */
  const opportunityOf: Record<string, string> = {};

  const call = (method: string, url: string, cookie: string, payload?: unknown) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers: { cookie },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  const createBody = (object: SalesObject, role: string, n: string): Record<string, unknown> => {
    switch (object) {
      case 'leads':
        return { lastName: `Lead ${n}` };
      case 'opportunities':
        return { name: `Deal ${n}` };
      case 'products':
        return { name: `Product ${n}` };
      case 'quotes':
        return { name: `Quote ${n}`, opportunityId: opportunityOf[role], currency: 'EUR' };
    }
  };
  const updateBody: Record<SalesObject, Record<string, unknown>> = {
    leads: { title: 'Renamed' },
    opportunities: { nextStep: 'Call back' },
    products: { family: 'Renamed' },
    quotes: { validUntil: '2030-01-31' },
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Sales Perm Co' });
    users.administrator = { cookie: admin.cookie, userId: admin.userId };
    for (const role of Object.keys(EXPECTED).filter((r) => r !== 'administrator')) {
      users[role] = await memberWithRole(t, admin.workspaceId, role);
    }
    for (const [role, u] of Object.entries(users)) {
      const res = await call('POST', '/api/v1/opportunities', admin.cookie, {
        name: `Owned by ${role}`,
        ownerId: u.userId,
        amount: { amount: '1000', currency: 'EUR' },
      });
      opportunityOf[role] = res.json().data.id;
    }
  });
  afterAll(() => t.stop());

  describe.each(Object.keys(EXPECTED))('%s', (role) => {
    it.each(OBJECTS.flatMap((o) => ACTIONS.map((a) => [o, a] as const)))('%s: %s', async (object, action) => {
      await checkMatrixCell({
        call,
        adminCookie: admin.cookie,
        caller: users[role] as { cookie: string; userId: string },
        object,
        action,
        allowed: EXPECTED[role]?.[object][action] ?? false,
        createBody: (tag) => createBody(object, role, `${role}-${tag}`),
        updateBody: updateBody[object],
      });
    });
  });

  it('sales reps work on their own leads and opportunities; others’ are 404 and absent from lists', async () => {
    const rep = users.sales_rep as { cookie: string; userId: string };
    const foreignLead = (await call('POST', '/api/v1/leads', admin.cookie, { lastName: 'Not yours' })).json().data;
    const foreignDeal = opportunityOf.administrator as string;
    expect((await call('GET', `/api/v1/leads/${foreignLead.id}`, rep.cookie)).statusCode).toBe(404);
    expect((await call('GET', `/api/v1/opportunities/${foreignDeal}`, rep.cookie)).statusCode).toBe(404);
    expect(
      (await call('PATCH', `/api/v1/opportunities/${foreignDeal}`, rep.cookie, { nextStep: 'x' })).statusCode,
    ).toBe(404);
    const listed = (await call('GET', '/api/v1/opportunities?limit=500', rep.cookie)).json().data;
    expect(listed.length).toBeGreaterThan(0);
    for (const o of listed) expect(o.ownerId).toBe(rep.userId);
    // A quote on someone else's opportunity cannot be made: the opportunity is out of scope.
    const q = await call('POST', '/api/v1/quotes', rep.cookie, {
      name: 'Sneaky',
      opportunityId: foreignDeal,
      currency: 'EUR',
    });
    expect(q.statusCode).toBe(422);
    expect(q.json().errors[0]).toEqual({ path: 'opportunityId', message: 'points to a record that does not exist' });
    // Products are a shared catalogue: reps see every product.
    const product = (await call('POST', '/api/v1/products', admin.cookie, { name: 'Catalogue item' })).json().data;
    expect((await call('GET', `/api/v1/products/${product.id}`, rep.cookie)).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/price-books', rep.cookie)).statusCode).toBe(200);
    const books = (await call('GET', '/api/v1/price-books', admin.cookie)).json().data;
    const price = await call('PUT', `/api/v1/price-books/${books[0].id}/entries`, rep.cookie, {
      entries: [{ productId: product.id, currency: 'EUR', unitPrice: '1' }],
    });
    expect(price.statusCode).toBe(403);
  });

  it('service reps never see opportunity amounts: not in records, lists, filters, writes, embeds, metadata or deals', async () => {
    const svc = users.service_rep as { cookie: string; userId: string };
    const id = opportunityOf.administrator as string;
    const one = await call('GET', `/api/v1/opportunities/${id}`, svc.cookie);
    expect(one.statusCode).toBe(200);
    expect(one.json().data.name).toBe('Owned by administrator');
    expect(one.json().data).not.toHaveProperty('amount');
    expect(one.body).not.toContain('1000');
    const list = (await call('GET', '/api/v1/opportunities?limit=500', svc.cookie)).json().data;
    for (const o of list) expect(o).not.toHaveProperty('amount');
    const filter = encodeURIComponent(JSON.stringify({ field: 'amount', op: 'gt', value: 0 }));
    const filtered = await call('GET', `/api/v1/opportunities?filter=${filter}`, svc.cookie);
    expect(filtered.statusCode).toBe(422);
    const sorted = await call('GET', '/api/v1/opportunities?sort=-amount', svc.cookie);
    expect(sorted.statusCode).toBe(422);
    const write = await call('PATCH', `/api/v1/opportunities/${id}`, svc.cookie, {
      amount: { amount: '1', currency: 'EUR' },
    });
    expect(write.statusCode).toBe(422);
    expect(write.json().errors[0]).toEqual({ path: 'amount', message: 'unknown field' });
    const meta = (await call('GET', '/api/v1/objects/opportunities', svc.cookie)).json().data;
    expect(meta.fields.map((f: { name: string }) => f.name)).not.toContain('amount');
    const account = (await call('POST', '/api/v1/accounts', admin.cookie, { name: 'Embedded' })).json().data;
    await call('PATCH', `/api/v1/opportunities/${id}`, admin.cookie, { accountId: account.id });
    const embedded = (await call('GET', `/api/v1/accounts/${account.id}?include=opportunities`, svc.cookie)).json()
      .data;
    expect(embedded.opportunities).toHaveLength(1);
    expect(embedded.opportunities[0]).not.toHaveProperty('amount');
    const withQuotes = await call('GET', `/api/v1/opportunities/${id}?include=quotes`, svc.cookie);
    expect(withQuotes.json().data.quotes).toEqual([]);
    // Moving the deal is fine; the stage rules never reveal the amount.
    const [p] = (await call('GET', '/api/v1/pipelines', svc.cookie)).json().data;
    const moved = await call('PATCH', `/api/v1/opportunities/${id}`, svc.cookie, { stageId: p.stages[1].id });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().data).not.toHaveProperty('amount');
    expect((await call('GET', `/api/v1/opportunities/${id}`, admin.cookie)).json().data.amount).toEqual({
      amount: '1000',
      currency: 'EUR',
    });
    const search = (await call('GET', '/api/v1/search?q=Quote', svc.cookie)).json().data;
    expect(search.filter((r: { object: string }) => r.object === 'quotes')).toEqual([]);
  });

  it('only administrators change pipelines', async () => {
    const [p] = (await call('GET', '/api/v1/pipelines', admin.cookie)).json().data;
    for (const role of ['sales_rep', 'marketing_manager', 'service_rep', 'data_analyst']) {
      const { cookie } = users[role] as { cookie: string };
      expect((await call('GET', '/api/v1/pipelines', cookie)).statusCode, role).toBe(200);
      expect((await call('PATCH', `/api/v1/pipelines/${p.id}`, cookie, { name: 'Mine' })).statusCode, role).toBe(403);
    }
    expect((await call('PATCH', `/api/v1/pipelines/${p.id}`, admin.cookie, { name: 'Sales' })).statusCode).toBe(200);
  });
});
