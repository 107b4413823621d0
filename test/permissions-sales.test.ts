import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { buildAccount, buildLead, buildProduct } from './helpers/factories';
import { client } from './helpers/http';
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
      const res = await client(t, admin).post('/api/v1/opportunities', {
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
        t,
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
    const foreignLead = await buildLead(client(t, admin), { lastName: 'Not yours' });
    const foreignDeal = opportunityOf.administrator as string;
    expect((await client(t, rep).get(`/api/v1/leads/${foreignLead.id}`)).statusCode).toBe(404);
    expect((await client(t, rep).get(`/api/v1/opportunities/${foreignDeal}`)).statusCode).toBe(404);
    expect((await client(t, rep).patch(`/api/v1/opportunities/${foreignDeal}`, { nextStep: 'x' })).statusCode).toBe(
      404,
    );
    const listed = (await client(t, rep).get('/api/v1/opportunities?limit=500')).json().data;
    expect(listed.length).toBeGreaterThan(0);
    for (const o of listed) expect(o.ownerId).toBe(rep.userId);
    // A quote on someone else's opportunity cannot be made: the opportunity is out of scope.
    const q = await client(t, rep).post('/api/v1/quotes', {
      name: 'Sneaky',
      opportunityId: foreignDeal,
      currency: 'EUR',
    });
    expect(q.statusCode).toBe(422);
    expect(q.json().errors[0]).toEqual({ path: 'opportunityId', message: 'points to a record that does not exist' });
    // Products are a shared catalogue: reps see every product.
    const product = await buildProduct(client(t, admin), { name: 'Catalogue item' });
    expect((await client(t, rep).get(`/api/v1/products/${product.id}`)).statusCode).toBe(200);
    expect((await client(t, rep).get('/api/v1/price-books')).statusCode).toBe(200);
    const books = (await client(t, admin).get('/api/v1/price-books')).json().data;
    const price = await client(t, rep).put(`/api/v1/price-books/${books[0].id}/entries`, {
      entries: [{ productId: product.id, currency: 'EUR', unitPrice: '1' }],
    });
    expect(price.statusCode).toBe(403);
  });

  it('service reps never see opportunity amounts: not in records, lists, filters, writes, embeds, metadata or deals', async () => {
    const svc = users.service_rep as { cookie: string; userId: string };
    const id = opportunityOf.administrator as string;
    const one = await client(t, svc).get(`/api/v1/opportunities/${id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json().data.name).toBe('Owned by administrator');
    expect(one.json().data).not.toHaveProperty('amount');
    expect(one.body).not.toContain('1000');
    const list = (await client(t, svc).get('/api/v1/opportunities?limit=500')).json().data;
    for (const o of list) expect(o).not.toHaveProperty('amount');
    const filter = encodeURIComponent(JSON.stringify({ field: 'amount', op: 'gt', value: 0 }));
    const filtered = await client(t, svc).get(`/api/v1/opportunities?filter=${filter}`);
    expect(filtered.statusCode).toBe(422);
    const sorted = await client(t, svc).get('/api/v1/opportunities?sort=-amount');
    expect(sorted.statusCode).toBe(422);
    const write = await client(t, svc).patch(`/api/v1/opportunities/${id}`, {
      amount: { amount: '1', currency: 'EUR' },
    });
    expect(write.statusCode).toBe(422);
    expect(write.json().errors[0]).toEqual({ path: 'amount', message: 'unknown field' });
    const meta = (await client(t, svc).get('/api/v1/objects/opportunities')).json().data;
    expect(meta.fields.map((f: { name: string }) => f.name)).not.toContain('amount');
    const account = await buildAccount(client(t, admin), { name: 'Embedded' });
    await client(t, admin).patch(`/api/v1/opportunities/${id}`, { accountId: account.id });
    const embedded = (await client(t, svc).get(`/api/v1/accounts/${account.id}?include=opportunities`)).json().data;
    expect(embedded.opportunities).toHaveLength(1);
    expect(embedded.opportunities[0]).not.toHaveProperty('amount');
    const withQuotes = await client(t, svc).get(`/api/v1/opportunities/${id}?include=quotes`);
    expect(withQuotes.json().data.quotes).toEqual([]);
    // Moving the deal is fine; the stage rules never reveal the amount.
    const [p] = (await client(t, svc).get('/api/v1/pipelines')).json().data;
    const moved = await client(t, svc).patch(`/api/v1/opportunities/${id}`, { stageId: p.stages[1].id });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().data).not.toHaveProperty('amount');
    expect((await client(t, admin).get(`/api/v1/opportunities/${id}`)).json().data.amount).toEqual({
      amount: '1000',
      currency: 'EUR',
    });
    const search = (await client(t, svc).get('/api/v1/search?q=Quote')).json().data;
    expect(search.filter((r: { object: string }) => r.object === 'quotes')).toEqual([]);
  });

  it('only administrators change pipelines', async () => {
    const [p] = (await client(t, admin).get('/api/v1/pipelines')).json().data;
    for (const role of ['sales_rep', 'marketing_manager', 'service_rep', 'data_analyst']) {
      const { cookie } = users[role] as { cookie: string };
      expect((await client(t, cookie).get('/api/v1/pipelines')).statusCode, role).toBe(200);
      expect((await client(t, cookie).patch(`/api/v1/pipelines/${p.id}`, { name: 'Mine' })).statusCode, role).toBe(403);
    }
    expect((await client(t, admin).patch(`/api/v1/pipelines/${p.id}`, { name: 'Sales' })).statusCode).toBe(200);
  });
});
