import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FilterNode } from '../../../common/filter';
import { reverseSort } from '../../../common/sort';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';

describe('listing: filters, sorting, cursor pagination, counts', () => {
  let t: TestApp;
  let u: SignedUp;
  let h: { cookie: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    t = await createTestApp();
    u = await signUp(t.app, { workspaceName: 'Query Co' });
    h = { cookie: u.cookie };
    const post = async (url: string, payload: object) => {
      const r = await t.app.inject({ method: 'POST', url, headers: h, payload });
      if (r.statusCode !== 201) throw new Error(r.body);
      return r.json().data;
    };
    ids.aero = (
      await post('/api/v1/accounts', {
        name: 'Aero One',
        industry: 'aerospace',
        employees: 500,
        annualRevenue: { amount: '2000000', currency: 'EUR' },
        address: { city: 'Toulouse', country: 'FR' },
      })
    ).id;
    ids.bank = (
      await post('/api/v1/accounts', {
        name: 'Bank Two',
        industry: 'banking',
        employees: 50,
        address: { city: 'Zürich', country: 'CH' },
      })
    ).id;
    const people = [
      {
        firstName: 'Alice',
        lastName: 'Martin',
        email: 'alice@aero.example',
        accountId: ids.aero,
        tags: ['vip', 'newsletter'],
        lifecycleStage: 'customer',
        birthday: '1980-05-01',
        doNotContact: false,
        phone: '+33 6 12 34 56 78',
      },
      {
        firstName: 'Bruno',
        lastName: 'Martin',
        email: 'bruno@aero.example',
        accountId: ids.aero,
        tags: ['newsletter'],
        lifecycleStage: 'lead',
        birthday: '1990-07-15',
        doNotContact: true,
      },
      {
        firstName: 'Chloé',
        lastName: 'Durand',
        email: 'chloe@bank.example',
        accountId: ids.bank,
        tags: [],
        lifecycleStage: 'mql',
        title: '50% off_deals\\',
      },
      { firstName: 'David', lastName: null, email: 'david@nowhere.example', tags: ['vip'], lifecycleStage: 'lead' },
      { firstName: 'Eve', lastName: 'Zola', emails: [{ value: 'eve.private@mail.example', label: 'home' }] },
    ];
    for (const p of people) ids[p.firstName] = (await post('/api/v1/contacts', p)).id;
  });
  afterAll(() => t.stop());

  const query = async (filter?: FilterNode, extra: Record<string, unknown> = {}) => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/contacts/query',
      headers: h,
      payload: { ...(filter ? { filter } : {}), ...extra },
    });
    return res;
  };
  const names = async (filter: FilterNode) => {
    const res = await query(filter, { sort: 'firstName' });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data.map((r: { firstName: string }) => r.firstName);
  };

  it.each<[string, FilterNode, string[]]>([
    ['eq', { field: 'lastName', op: 'eq', value: 'Martin' }, ['Alice', 'Bruno']],
    ['ne (includes empty values)', { field: 'lastName', op: 'ne', value: 'Martin' }, ['Chloé', 'David', 'Eve']],
    ['in', { field: 'lifecycleStage', op: 'in', value: ['lead', 'mql'] }, ['Bruno', 'Chloé', 'David']],
    ['nin (includes empty values)', { field: 'lifecycleStage', op: 'nin', value: ['lead'] }, ['Alice', 'Chloé', 'Eve']],
    ['contains, case-insensitive', { field: 'email', op: 'contains', value: 'AERO' }, ['Alice', 'Bruno']],
    ['contains treats % _ \\ literally', { field: 'title', op: 'contains', value: '50% off_deals\\' }, ['Chloé']],
    ['contains % matches nothing else', { field: 'title', op: 'contains', value: '%' }, ['Chloé']],
    ['startsWith', { field: 'firstName', op: 'startsWith', value: 'br' }, ['Bruno']],
    ['endsWith', { field: 'email', op: 'endsWith', value: '@bank.example' }, ['Chloé']],
    ['isEmpty', { field: 'lastName', op: 'isEmpty' }, ['David']],
    ['isNotEmpty', { field: 'accountId', op: 'isNotEmpty' }, ['Alice', 'Bruno', 'Chloé']],
    ['gt on a date', { field: 'birthday', op: 'gt', value: '1985-01-01' }, ['Bruno']],
    ['lte on a date', { field: 'birthday', op: 'lte', value: '1980-05-01' }, ['Alice']],
    ['boolean eq', { field: 'doNotContact', op: 'eq', value: true }, ['Bruno']],
    ['phone eq normalises the value', { field: 'phone', op: 'eq', value: '+33 6 12 34 56 78' }, ['Alice']],
    ['tags contains', { field: 'tags', op: 'contains', value: 'VIP' }, ['Alice', 'David']],
    ['tags in (any of)', { field: 'tags', op: 'in', value: ['vip', 'newsletter'] }, ['Alice', 'Bruno', 'David']],
    ['tags nin (none of)', { field: 'tags', op: 'nin', value: ['vip'] }, ['Bruno', 'Chloé', 'Eve']],
    ['tags isEmpty', { field: 'tags', op: 'isEmpty' }, ['Chloé', 'Eve']],
    ['other emails contains', { field: 'emails', op: 'contains', value: 'private' }, ['Eve']],
    ['relation: account industry', { field: 'account.industry', op: 'eq', value: 'aerospace' }, ['Alice', 'Bruno']],
    ['relation: account employees gte', { field: 'account.employees', op: 'gte', value: 100 }, ['Alice', 'Bruno']],
    [
      'relation: account address part, accent kept',
      { field: 'account.address.city', op: 'eq', value: 'Zürich' },
      ['Chloé'],
    ],
    ['relation: money amount', { field: 'account.annualRevenue', op: 'gt', value: '1000000' }, ['Alice', 'Bruno']],
    [
      'and',
      {
        and: [
          { field: 'lastName', op: 'eq', value: 'Martin' },
          { field: 'tags', op: 'contains', value: 'vip' },
        ],
      },
      ['Alice'],
    ],
    [
      'or',
      {
        or: [
          { field: 'firstName', op: 'eq', value: 'Eve' },
          { field: 'lifecycleStage', op: 'eq', value: 'mql' },
        ],
      },
      ['Chloé', 'Eve'],
    ],
    ['not', { not: { field: 'lastName', op: 'eq', value: 'Martin' } }, ['Chloé', 'David', 'Eve']],
  ])('%s', async (_name, filter, expected) => {
    expect(await names(filter)).toEqual(expected);
  });

  it('GET with ?filter= JSON behaves like POST /query, with count', async () => {
    const filter = { field: 'lastName', op: 'eq', value: 'Martin' };
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify(filter))}&count=true&sort=firstName`,
      headers: h,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(2);
    expect(res.json().page).toEqual({ nextCursor: null, hasMore: false });
    expect(res.json().data.map((r: { firstName: string }) => r.firstName)).toEqual(['Alice', 'Bruno']);
  });

  it.each<[string, unknown, string]>([
    ['unknown field', { field: 'salary', op: 'eq', value: 1 }, 'filter.field'],
    ['unknown operator', { field: 'lastName', op: 'like', value: 'x' }, 'filter.op'],
    ['operator that does not apply', { field: 'birthday', op: 'contains', value: '19' }, 'filter.op'],
    ['wrong value type', { field: 'birthday', op: 'gt', value: 'last tuesday' }, 'filter.value'],
    ['in without a list', { field: 'lifecycleStage', op: 'in', value: 'lead' }, 'filter.value'],
    ['option not in the list', { field: 'lifecycleStage', op: 'eq', value: 'king' }, 'filter.value'],
    ['relation to an unknown field', { field: 'account.salary', op: 'eq', value: 1 }, 'filter.field'],
    ['two relation levels', { field: 'account.parentAccount.name', op: 'eq', value: 'x' }, 'filter.field'],
    [
      'nested error path',
      {
        and: [
          { field: 'lastName', op: 'eq', value: 'x' },
          { field: 'nope', op: 'eq', value: 1 },
        ],
      },
      'filter.and.1.field',
    ],
    ['not a filter', { where: 'lastName = 1' }, 'filter'],
  ])('refuses a bad filter (%s) with 422 naming %s', async (_n, filter, path) => {
    const res = await query(filter as FilterNode);
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
  });

  it('treats SQL-looking strings as plain values', async () => {
    const evil = "x' or '1'='1'; drop table contacts; --";
    expect(await names({ field: 'lastName', op: 'eq', value: evil })).toEqual([]);
    expect(await names({ field: 'lastName', op: 'contains', value: evil })).toEqual([]);
    const sort = await t.app.inject({
      method: 'GET',
      url: `/api/v1/contacts?sort=${encodeURIComponent('lastName; drop table contacts')}`,
      headers: h,
    });
    expect(sort.statusCode).toBe(422);
    expect(sort.json().errors[0].path).toBe('sort');
    expect((await query()).json().data.length).toBe(5);
  });

  it('refuses malformed or foreign cursors and bad limits', async () => {
    for (const cursor of [
      'garbage!',
      'eyJub3QiOiJhIGN1cnNvciJ9',
      Buffer.from('{"s":"-createdAt","k":[],"id":"x"}').toString('base64url'),
    ]) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/contacts?cursor=${cursor}`, headers: h });
      expect(res.statusCode, cursor).toBe(422);
      expect(res.json().errors[0].path).toBe('cursor');
    }
    const first = (
      await t.app.inject({ method: 'GET', url: '/api/v1/contacts?limit=2&sort=firstName', headers: h })
    ).json();
    const wrongSort = await t.app.inject({
      method: 'GET',
      url: `/api/v1/contacts?limit=2&sort=lastName&cursor=${first.page.nextCursor}`,
      headers: h,
    });
    expect(wrongSort.statusCode).toBe(422);
    for (const limit of ['0', '501', 'ten']) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/contacts?limit=${limit}`, headers: h });
      expect(res.statusCode, limit).toBe(422);
      expect(res.json().errors[0].path).toBe('limit');
    }
  });

  it('cannot sort by an unsortable or unknown field', async () => {
    for (const sort of ['emails', 'salary', 'address']) {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/contacts?sort=${sort}`, headers: h });
      expect(res.statusCode, sort).toBe(422);
    }
  });
});

describe('cursor pagination at scale', () => {
  let t: TestApp;
  let h: { cookie: string };
  beforeAll(async () => {
    t = await createTestApp();
    const u = await signUp(t.app);
    h = { cookie: u.cookie };
    // 230 contacts with many duplicate and missing sort values.
    const records = Array.from({ length: 230 }, (_, i) => ({
      firstName: `P${String(i).padStart(3, '0')}`,
      lastName: i % 7 === 0 ? null : ['Ng', 'Li', 'Ba', 'Ko'][i % 4],
      ...(i % 5 === 0 ? {} : { birthday: `19${50 + (i % 40)}-01-0${1 + (i % 9)}` }),
    }));
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/contacts/batch',
      headers: h,
      payload: { mode: 'create', atomic: true, records },
    });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(() => t.stop());

  const walk = async (sort: string, limit: number, during?: (page: number) => Promise<void>) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const url: string = `/api/v1/contacts?sort=${encodeURIComponent(sort)}&limit=${limit}&fields=firstName${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.app.inject({ method: 'GET', url, headers: h });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      seen.push(...body.data.map((r: { id: string }) => r.id));
      cursor = body.page.nextCursor;
      expect(body.page.hasMore).toBe(cursor !== null);
      await during?.(page++);
    } while (cursor);
    return seen;
  };

  it.each([
    'lastName',
    '-lastName',
    'lastName,-birthday',
    '-birthday,firstName',
    'birthday',
    '-createdAt',
    'createdAt',
  ])('visits every record exactly once in the same order as one big page (sort=%s)', async (sort) => {
    const all = (
      await t.app.inject({
        method: 'GET',
        url: `/api/v1/contacts?sort=${encodeURIComponent(sort)}&limit=500`,
        headers: h,
      })
    )
      .json()
      .data.map((r: { id: string }) => r.id);
    expect(all.length).toBeGreaterThanOrEqual(230);
    const paged = await walk(sort, 17);
    expect(paged).toEqual(all);
  });

  it('jumps into the list with offset: the same records as that stretch of the whole list; its cursor goes on from there', async () => {
    const sort = '-birthday,firstName';
    const ids = async (url: string) => {
      const res = await t.app.inject({ method: 'GET', url, headers: h });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const all = (await ids(`/api/v1/contacts?sort=${sort}&limit=500`)).data.map((r: { id: string }) => r.id);
    const jump = await ids(`/api/v1/contacts?sort=${sort}&limit=30&offset=150&fields=firstName`);
    expect(jump.data.map((r: { id: string }) => r.id)).toEqual(all.slice(150, 180));
    const after = await ids(`/api/v1/contacts?sort=${sort}&limit=30&fields=firstName&cursor=${jump.page.nextCursor}`);
    expect(after.data.map((r: { id: string }) => r.id)).toEqual(all.slice(180, 210));
    // The body form, with a filter and a count (the total is of the whole filtered list).
    const query = await t.app.inject({
      method: 'POST',
      url: '/api/v1/contacts/query',
      headers: h,
      payload: { sort, limit: 5, offset: 20, count: true },
    });
    expect(query.statusCode, query.body).toBe(200);
    expect(query.json().data.map((r: { id: string }) => r.id)).toEqual(all.slice(20, 25));
    expect(query.json().total).toBe(all.length);
    // Past the end: an empty last page.
    const past = await ids(`/api/v1/contacts?sort=${sort}&offset=${all.length}`);
    expect(past.data).toEqual([]);
    expect(past.page).toEqual({ nextCursor: null, hasMore: false });
  });

  it('refuses an offset with a cursor, a negative or a too-large offset, naming offset', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/api/v1/contacts?limit=2', headers: h });
    const cursor = first.json().page.nextCursor;
    for (const url of [
      `/api/v1/contacts?limit=2&offset=4&cursor=${cursor}`,
      '/api/v1/contacts?offset=-1',
      '/api/v1/contacts?offset=1000001',
      '/api/v1/contacts?offset=ten',
    ]) {
      const res = await t.app.inject({ method: 'GET', url, headers: h });
      expect(res.statusCode, url).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(res.json().errors), url).toContain('offset');
    }
  });

  // The web app's long lists read their last rows with the sort reversed (reverseSort):
  // that must be exactly the list backwards, ties, nulls and the id tie-breaker included.
  it.each(['lastName', '-birthday,firstName', 'lastName,-birthday', '-createdAt'])(
    'the sort reversed (%s) is the same list backwards, page after page',
    async (sort) => {
      const forward = await walk(sort, 17);
      expect(forward.length).toBeGreaterThanOrEqual(230);
      expect(await walk(reverseSort(sort), 17)).toEqual([...forward].reverse());
    },
  );

  it('is stable under concurrent inserts: no record skipped or repeated', async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/api/v1/contacts?sort=lastName&limit=500', headers: h }))
      .json()
      .data.map((r: { id: string }) => r.id);
    let n = 0;
    const paged = await walk('lastName', 20, async () => {
      // Someone else keeps adding contacts, sorting before and after the current page.
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/contacts',
        headers: h,
        payload: { firstName: `New${n++}`, lastName: n % 2 ? 'Aa' : 'Zz' },
      });
    });
    expect(new Set(paged).size).toBe(paged.length);
    for (const id of before) expect(paged).toContain(id);
  });
});
