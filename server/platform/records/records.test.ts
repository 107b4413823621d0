import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKeyVia, createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildAccount, buildContact } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';

describe('record REST API: CRUD, concurrency, trash, idempotency, includes', () => {
  let t: TestApp;
  let admin: SignedUp;
  let other: SignedUp;
  let h: { cookie: string };
  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Records Co' });
    other = await signUp(t.app, { workspaceName: 'Other Co' });
    h = { cookie: admin.cookie };
  });
  afterAll(() => t.stop());

  const count = async (table: 'contacts' | 'accounts') =>
    Number(
      (
        await t.database.db
          .selectFrom(table as never)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('creates with 201, Location and ETag, normalising values; reads it back', async () => {
    const res = await client(t, admin).post('/api/v1/accounts', {
      name: 'Globex',
      domain: 'WWW.Globex.COM/',
      annualRevenue: { amount: '1250000.10', currency: 'usd' },
      phone: '+1 (415) 555-2671',
      address: { city: 'San Francisco', country: 'us', latitude: 37.77, longitude: -122.41 },
      tags: ['Enterprise', 'enterprise', ' West '],
    });
    expect(res.statusCode).toBe(201);
    const a = res.json().data;
    expect(res.headers.location).toBe(`/api/v1/accounts/${a.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(a).toMatchObject({
      name: 'Globex',
      domain: 'globex.com',
      annualRevenue: { amount: '1250000.1', currency: 'USD' },
      phone: '+14155552671',
      address: { city: 'San Francisco', country: 'US', latitude: 37.77, longitude: -122.41, street: null },
      tags: ['enterprise', 'west'],
      ownerId: admin.userId,
      createdBy: admin.userId,
      version: 1,
    });
    expect(a.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const got = await t.app.inject({ method: 'GET', url: `/api/v1/accounts/${a.id}`, headers: h });
    expect(got.statusCode).toBe(200);
    expect(got.json().data).toEqual(a);
  });

  it('returns only the requested fields', async () => {
    const c = await buildContact(client(t, admin), { firstName: 'Fiona', lastName: 'Fields', title: 'CTO' });
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/contacts/${c.id}?fields=lastName,title`,
      headers: h,
    });
    expect(Object.keys(res.json().data).sort()).toEqual(['id', 'lastName', 'title', 'version']);
    const bad = await t.app.inject({
      method: 'GET',
      url: `/api/v1/contacts/${c.id}?fields=lastName,salary`,
      headers: h,
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0]).toMatchObject({ path: 'fields' });
  });

  it('PATCH updates partially, bumps the version; a stale If-Match gets 412 and changes nothing', async () => {
    const c = await buildContact(client(t, admin), { firstName: 'Pat', lastName: 'Patch', title: 'Buyer' });
    const ok = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/contacts/${c.id}`,
      headers: { ...h, 'if-match': '"1"' },
      payload: { title: 'Head of Buying', phone: null },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expect(ok.json().data).toMatchObject({ title: 'Head of Buying', firstName: 'Pat', version: 2 });
    const stale = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/contacts/${c.id}`,
      headers: { ...h, 'if-match': '"1"' },
      payload: { title: 'Overwritten' },
    });
    expect(stale.statusCode).toBe(412);
    expect(stale.json().code).toBe('precondition_failed');
    const now = (await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${c.id}`, headers: h })).json().data;
    expect(now).toMatchObject({ title: 'Head of Buying', version: 2 });
    const noHeader = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/contacts/${c.id}`,
      headers: h,
      payload: { title: 'Last write' },
    });
    expect(noHeader.json().data.version).toBe(3);
  });

  it('refuses bad writes with 422 naming each field and writes nothing', async () => {
    const before = await count('contacts');
    const res = await client(t, admin).post('/api/v1/contacts', {
      firstName: 42,
      email: 'not-an-email',
      phone: '12',
      lifecycleStage: 'king',
      salary: 100,
      createdAt: '2020-01-01T00:00:00Z',
      address: { country: 'France' },
    });
    expect(res.statusCode).toBe(422);
    const paths = res
      .json()
      .errors.map((e: { path: string }) => e.path)
      .sort();
    expect(paths).toEqual(['address.country', 'createdAt', 'email', 'firstName', 'lifecycleStage', 'phone', 'salary']);
    expect(await count('contacts')).toBe(before);
    const noName = await client(t, admin).post('/api/v1/accounts', { domain: 'nameless.com' });
    expect(noName.statusCode).toBe(422);
    expect(noName.json().errors).toEqual([{ path: 'name', message: 'is required' }]);
    const huge = await client(t, admin).post('/api/v1/contacts', { lastName: 'x'.repeat(101) });
    expect(huge.statusCode).toBe(422);
    expect(huge.json().errors[0].path).toBe('lastName');
  });

  it('refuses duplicates of a unique field with 409 naming the field', async () => {
    await client(t, admin).post('/api/v1/contacts', { lastName: 'Uno', email: 'same@example.com' });
    const dup = await client(t, admin).post('/api/v1/contacts', { lastName: 'Dos', email: 'SAME@example.com' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().errors[0].path).toBe('email');
  });

  it('cannot reference a record or a user of another workspace', async () => {
    const foreign = await buildAccount(client(t, other), { name: 'Foreign Ltd' });
    const before = await count('contacts');
    const res = await client(t, admin).post('/api/v1/contacts', { lastName: 'Spy', accountId: foreign.id });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe('accountId');
    const owner = await client(t, admin).post('/api/v1/contacts', { lastName: 'Spy', ownerId: other.userId });
    expect(owner.statusCode).toBe(422);
    expect(owner.json().errors[0].path).toBe('ownerId');
    expect(await count('contacts')).toBe(before);
    // …nor read, change or delete it: 404, as if it did not exist.
    for (const method of ['GET', 'PATCH', 'DELETE'] as const) {
      const r = await t.app.inject({
        method,
        url: `/api/v1/accounts/${foreign.id}`,
        headers: h,
        ...(method === 'PATCH' ? { payload: { name: 'x' } } : {}),
      });
      expect(r.statusCode, method).toBe(404);
    }
    const still = (
      await t.app.inject({ method: 'GET', url: `/api/v1/accounts/${foreign.id}`, headers: { cookie: other.cookie } })
    ).json().data;
    expect(still.name).toBe('Foreign Ltd');
  });

  it('embeds related records: account and owner on contacts, contacts on accounts', async () => {
    const a = await buildAccount(client(t, admin), { name: 'Embed Inc', domain: 'embed.example' });
    const c1 = await buildContact(client(t, admin), { firstName: 'Ann', lastName: 'One', accountId: a.id });
    await client(t, admin).post('/api/v1/contacts', { firstName: 'Bob', lastName: 'Two', accountId: a.id });
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/v1/contacts/${c1.id}?include=account,owner`,
      headers: h,
    });
    expect(res.json().data.account).toMatchObject({ id: a.id, name: 'Embed Inc' });
    expect(res.json().data.owner).toMatchObject({ id: admin.userId, email: admin.email });
    const acc = await t.app.inject({ method: 'GET', url: `/api/v1/accounts/${a.id}?include=contacts`, headers: h });
    expect(
      acc
        .json()
        .data.contacts.map((c: { lastName: string }) => c.lastName)
        .sort(),
    ).toEqual(['One', 'Two']);
    const bad = await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${c1.id}?include=salary`, headers: h });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('include');
  });

  it('DELETE moves to the trash; restore brings it back; permanent delete is for administrators', async () => {
    const c = await buildContact(client(t, admin), {
      firstName: 'Tina',
      lastName: 'Trash',
      email: 'tina@trash.example',
    });
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/contacts/${c.id}`, headers: h })).statusCode).toBe(
      204,
    );
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${c.id}`, headers: h })).statusCode).toBe(404);
    const listed = await t.app.inject({
      method: 'GET',
      url: `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'tina@trash.example' }))}`,
      headers: h,
    });
    expect(listed.json().data).toEqual([]);
    const trash = await t.app.inject({ method: 'GET', url: '/api/v1/contacts/trash', headers: h });
    expect(trash.json().data.map((r: { id: string }) => r.id)).toContain(c.id);
    // The email is free again while the record is in the trash…
    const reuse = await buildContact(client(t, admin), { lastName: 'Reuser', email: 'tina@trash.example' });
    // …so restoring the original now conflicts (409), until the newcomer goes.
    expect((await client(t, admin).post(`/api/v1/contacts/${c.id}/restore`, {})).statusCode).toBe(409);
    await t.app.inject({ method: 'DELETE', url: `/api/v1/contacts/${reuse.id}?permanent=true`, headers: h });
    const restored = await client(t, admin).post(`/api/v1/contacts/${c.id}/restore`, {});
    expect(restored.statusCode).toBe(200);
    expect(restored.json().data).toMatchObject({ id: c.id, lastName: 'Trash' });
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${c.id}`, headers: h })).statusCode).toBe(200);

    const repKey = await createApiKeyVia(t.app, admin.cookie, { name: 'rep', role: 'sales_rep' });
    const byRep = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/contacts/${c.id}?permanent=true`,
      headers: { authorization: `Bearer ${repKey}` },
    });
    expect(byRep.statusCode).toBe(403);
    const purge = await t.app.inject({ method: 'DELETE', url: `/api/v1/contacts/${c.id}?permanent=true`, headers: h });
    expect(purge.statusCode).toBe(204);
    expect((await client(t, admin).post(`/api/v1/contacts/${c.id}/restore`, {})).statusCode).toBe(404);
  });

  it('Idempotency-Key: a retry returns the first response and creates nothing; another body is refused', async () => {
    const before = await count('contacts');
    const key = `retry-${Date.now()}`;
    const first = await client(t, admin).post('/api/v1/contacts', { lastName: 'Once' }, { 'idempotency-key': key });
    const second = await client(t, admin).post('/api/v1/contacts', { lastName: 'Once' }, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect(second.headers.location).toBe(first.headers.location);
    expect(await count('contacts')).toBe(before + 1);
    const other = await client(t, admin).post('/api/v1/contacts', { lastName: 'Twice' }, { 'idempotency-key': key });
    expect(other.statusCode).toBe(422);
    expect(other.json().code).toBe('idempotency_key_reused');
    expect(await count('contacts')).toBe(before + 1);
    // Concurrent duplicates also create one record.
    const k2 = `race-${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        client(t, admin).post('/api/v1/contacts', { lastName: 'Racer' }, { 'idempotency-key': k2 }),
      ),
    );
    expect(new Set(results.map((r) => r.json().data.id)).size).toBe(1);
    expect(await count('contacts')).toBe(before + 2);
    // A failed request stores nothing: fixing the body with the same key works.
    const k3 = `fix-${Date.now()}`;
    expect(
      (await client(t, admin).post('/api/v1/contacts', { email: 'broken' }, { 'idempotency-key': k3 })).statusCode,
    ).toBe(422);
  });

  it('unknown objects and ids are 404 problems; malformed ids are 422', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/widgets', headers: h })).statusCode).toBe(404);
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/v1/contacts/01a20824-9241-7715-a2ea-3aaf90afc547', headers: h }))
        .statusCode,
    ).toBe(404);
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/contacts/123', headers: h });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('id');
  });

  it('rate limits per caller with RateLimit headers and 429 + Retry-After', async () => {
    const limited = await createTestApp({ rateLimitPerMinute: 5 });
    try {
      const u = await signUp(limited.app);
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof limited.app.inject>> | undefined;
      for (let i = 0; i < 7; i++) {
        last = await limited.app.inject({ method: 'GET', url: '/api/v1/contacts', headers: { cookie: u.cookie } });
        statuses.push(last.statusCode);
        if (i === 0) {
          expect(last.headers['ratelimit-limit']).toBe('5');
          expect(last.headers['ratelimit-remaining']).toBe('4');
          expect(Number(last.headers['ratelimit-reset'])).toBeGreaterThan(0);
        }
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      expect(last?.json().code).toBe('rate_limited');
      expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
      // Another caller has its own budget.
      const v = await signUp(limited.app);
      expect(
        (await limited.app.inject({ method: 'GET', url: '/api/v1/contacts', headers: { cookie: v.cookie } }))
          .statusCode,
      ).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
