import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';

describe('saved views (/api/v1/views)', () => {
  let t: TestApp;
  let admin: SignedUp;
  let rep: { cookie: string; userId: string };
  let rep2: { cookie: string; userId: string };
  let other: SignedUp;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Views Co' });
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rep One');
    rep2 = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rep Two');
    other = await signUp(t.app, { workspaceName: 'Elsewhere' });
    // A role that cannot see accounts' annual revenue.
    const role = await client(t, admin).post('/api/v1/roles', {
      key: 'no_revenue',
      name: 'No revenue',
      permissions: {
        objects: { '*': { read: true, scope: 'all' }, accounts: { fields: { annualRevenue: 'hidden' } } },
      },
    });
    expect(role.statusCode).toBe(201);
  });
  afterAll(() => t.stop());

  it('saves a private list view with filter, sort and columns, and lists it back', async () => {
    const res = await client(t, rep).post('/api/v1/views', {
      object: 'accounts',
      name: 'My software accounts',
      filter: {
        and: [
          { field: 'industry', op: 'eq', value: 'software' },
          { field: 'name', op: 'contains', value: 'a' },
        ],
      },
      sort: '-createdAt',
      columns: ['name', 'industry', 'annualRevenue'],
    });
    expect(res.statusCode, res.body).toBe(201);
    const view = res.json().data;
    expect(res.headers.location).toBe(`/api/v1/views/${view.id}`);
    expect(view).toMatchObject({
      object: 'accounts',
      name: 'My software accounts',
      ownerId: rep.userId,
      shared: false,
      kind: 'list',
      sort: '-createdAt',
      columns: ['name', 'industry', 'annualRevenue'],
      groupBy: null,
      permissions: { update: true, delete: true },
    });
    const list = await client(t, rep).get('/api/v1/views?object=accounts');
    expect(list.json().data.map((v: { id: string }) => v.id)).toEqual([view.id]);
    expect(list.json().data[0].filter).toEqual({
      and: [
        { field: 'industry', op: 'eq', value: 'software' },
        { field: 'name', op: 'contains', value: 'a' },
      ],
    });
  });

  it('a sales rep does not see another user’s private view (404, never listed)', async () => {
    const mine = (await client(t, rep).get('/api/v1/views?object=accounts')).json().data[0];
    const list = await client(t, rep2).get('/api/v1/views?object=accounts');
    expect(list.statusCode).toBe(200);
    expect(list.json().data).toEqual([]);
    for (const [method, payload] of [['GET'], ['PATCH', { name: 'Stolen' }], ['DELETE']] as const) {
      const res = await client(t, rep2).call(method, `/api/v1/views/${mine.id}`, payload);
      expect(res.statusCode, `${method} ${res.body}`).toBe(404);
    }
    // The administrator does not see it either: private means private.
    expect((await client(t, admin).get(`/api/v1/views/${mine.id}`)).statusCode).toBe(404);
    expect((await client(t, rep).get(`/api/v1/views/${mine.id}`)).json().data.name).toBe('My software accounts');
  });

  it('shared views are seen by everyone, changed only by their owner or an administrator', async () => {
    const res = await client(t, rep).post('/api/v1/views', {
      object: 'accounts',
      name: 'Team pipeline',
      shared: true,
      kind: 'board',
      groupBy: 'type',
      sumField: 'annualRevenue',
    });
    expect(res.statusCode, res.body).toBe(201);
    const shared = res.json().data;
    const seen = (await client(t, rep2).get('/api/v1/views?object=accounts')).json().data;
    expect(seen).toEqual([expect.objectContaining({ id: shared.id, permissions: { update: false, delete: false } })]);
    expect((await client(t, rep2).patch(`/api/v1/views/${shared.id}`, { name: 'Mine now' })).statusCode).toBe(403);
    expect((await client(t, rep2).del(`/api/v1/views/${shared.id}`)).statusCode).toBe(403);
    const byAdmin = await client(t, admin).patch(`/api/v1/views/${shared.id}`, { name: 'Pipeline by type' });
    expect(byAdmin.statusCode, byAdmin.body).toBe(200);
    expect(byAdmin.json().data).toMatchObject({ name: 'Pipeline by type', ownerId: rep.userId, groupBy: 'type' });
    const byOwner = await client(t, rep).patch(`/api/v1/views/${shared.id}`, { shared: false });
    expect(byOwner.json().data.shared).toBe(false);
    expect((await client(t, rep2).get(`/api/v1/views/${shared.id}`)).statusCode).toBe(404);
    expect((await client(t, rep).del(`/api/v1/views/${shared.id}`)).statusCode).toBe(204);
    expect((await client(t, rep).get(`/api/v1/views/${shared.id}`)).statusCode).toBe(404);
  });

  it('refuses unknown fields in filter, sort, columns and board settings with 422 naming each', async () => {
    const res = await client(t, admin).post('/api/v1/views', {
      object: 'accounts',
      name: 'Broken',
      kind: 'board',
      filter: {
        or: [
          { field: 'name', op: 'eq', value: 'x' },
          { field: 'nope', op: 'eq', value: 1 },
        ],
      },
      sort: 'missing',
      columns: ['name', 'ghost'],
      groupBy: 'name',
      sumField: 'industry',
    });
    expect(res.statusCode).toBe(422);
    const paths = res.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(['filter.or.1.field', 'sort', 'columns.1', 'groupBy', 'sumField']);
    expect(res.json().errors[0].message).toContain('nope');
    const noGroup = await client(t, admin).post('/api/v1/views', { object: 'accounts', name: 'B', kind: 'board' });
    expect(noGroup.statusCode).toBe(422);
    expect(noGroup.json().errors).toEqual([
      { path: 'groupBy', message: 'is required: a select field, a person or a to-one relation' },
    ]);
    const badOp = await client(t, admin).post('/api/v1/views', {
      object: 'accounts',
      name: 'C',
      filter: { field: 'employees', op: 'contains', value: '1' },
    });
    expect(badOp.statusCode).toBe(422);
    expect(badOp.json().errors[0].path).toBe('filter.op');
    const malformed = await client(t, admin).post('/api/v1/views', {
      object: 'accounts',
      name: 'D',
      filter: { and: [{ field: 'name', op: 'bogus' }] },
    });
    expect(malformed.statusCode).toBe(422);
    expect(JSON.stringify(malformed.json().errors)).toContain('filter');
    expect((await client(t, admin).post('/api/v1/views', { object: 'unicorns', name: 'E' })).statusCode).toBe(404);
    expect((await client(t, admin).get('/api/v1/views?object=accounts')).json().data).toEqual([]);
  });

  it('a field hidden from the caller’s role is unknown to them (422), visible to others', async () => {
    const analyst = await memberWithRole(t, admin.workspaceId, 'no_revenue');
    for (const body of [
      { columns: ['name', 'annualRevenue'] },
      { filter: { field: 'annualRevenue', op: 'gt', value: 10 } },
      { sort: '-annualRevenue' },
      { kind: 'board', groupBy: 'type', sumField: 'annualRevenue' },
    ]) {
      const res = await client(t, analyst).post('/api/v1/views', { object: 'accounts', name: 'Revenue', ...body });
      expect(res.statusCode, JSON.stringify(body)).toBe(422);
      expect(JSON.stringify(res.json().errors)).toContain('annualRevenue');
    }
    const ok = await client(t, admin).post('/api/v1/views', {
      object: 'accounts',
      name: 'Revenue',
      shared: true,
      columns: ['name', 'annualRevenue'],
    });
    expect(ok.statusCode).toBe(201);
  });

  it('names are unique per owner and object (409), case-insensitively', async () => {
    const first = await client(t, rep2).post('/api/v1/views', { object: 'contacts', name: 'Hot leads' });
    expect(first.statusCode).toBe(201);
    const again = await client(t, rep2).post('/api/v1/views', { object: 'contacts', name: 'hot LEADS' });
    expect(again.statusCode).toBe(409);
    expect(again.json().errors).toEqual([{ path: 'name', message: 'already used by another of your views' }]);
    // Another user may use the same name.
    expect((await client(t, rep).post('/api/v1/views', { object: 'contacts', name: 'Hot leads' })).statusCode).toBe(
      201,
    );
    const second = await client(t, rep2).post('/api/v1/views', { object: 'contacts', name: 'Cold' });
    const rename = await client(t, rep2).patch(`/api/v1/views/${second.json().data.id}`, { name: 'Hot Leads' });
    expect(rename.statusCode).toBe(409);
  });

  it('another workspace’s views are 404 and never listed', async () => {
    const mine = (await client(t, admin).get('/api/v1/views?object=accounts')).json().data[0];
    expect(mine.shared).toBe(true);
    expect((await client(t, other).get('/api/v1/views?object=accounts')).json().data).toEqual([]);
    expect((await client(t, other).get(`/api/v1/views/${mine.id}`)).statusCode).toBe(404);
    expect((await client(t, other).patch(`/api/v1/views/${mine.id}`, { name: 'x' })).statusCode).toBe(404);
    expect((await client(t, other).del(`/api/v1/views/${mine.id}`)).statusCode).toBe(404);
    expect((await client(t, admin).get(`/api/v1/views/${mine.id}`)).statusCode).toBe(200);
  });

  it('rejects malformed bodies with 4xx naming the property', async () => {
    const res = await client(t, admin).post('/api/v1/views', { object: 'accounts', name: '', extra: 1 });
    expect(res.statusCode).toBe(422);
    const paths = res.json().errors.map((e: { path: string }) => e.path);
    expect(paths).toContain('name');
    expect((await client(t, admin).get('/api/v1/views')).statusCode).toBe(422);
    expect((await client(t, admin).get('/api/v1/views/not-a-uuid')).statusCode).toBe(422);
  });
});
