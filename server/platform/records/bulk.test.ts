import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';

describe('POST /api/v1/{object}/bulk', () => {
  let t: TestApp;
  let admin: SignedUp;
  let rep: { cookie: string; userId: string };
  let other: SignedUp;
  const bulk = (cookie: string, payload: unknown, headers?: Record<string, string>) =>
    client(t, cookie).post('/api/v1/contacts/bulk', payload, headers);
  const create = async (cookie: string, records: Record<string, unknown>[]) => {
    const res = await client(t, cookie).post('/api/v1/contacts/batch', { mode: 'create', atomic: true, records });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().data as { id: string }[]).map((r) => r.id);
  };
  const read = async (id: string, cookie = admin.cookie) =>
    (await client(t, cookie).get(`/api/v1/contacts/${id}`)).json().data;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Bulk Co' });
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep');
    other = await signUp(t.app, { workspaceName: 'Other Co' });
  });
  afterAll(() => t.stop());

  it('adds tags without replacing the others, reporting unchanged records, and removes them', async () => {
    const ids = await create(admin.cookie, [
      { lastName: 'T1', tags: ['vip'] },
      { lastName: 'T2', tags: ['hot', 'emea'] },
      { lastName: 'T3' },
    ]);
    const res = await bulk(admin.cookie, { ids, action: 'addTags', tags: ['Hot', 'q3'] });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data.map((r: { status: string }) => r.status)).toEqual(['updated', 'updated', 'updated']);
    expect((await read(ids[0] as string)).tags).toEqual(['vip', 'hot', 'q3']);
    expect((await read(ids[1] as string)).tags).toEqual(['hot', 'emea', 'q3']);
    expect((await read(ids[2] as string)).tags).toEqual(['hot', 'q3']);
    const again = await bulk(admin.cookie, { ids, action: 'addTags', tags: ['q3'] });
    expect(again.json().summary).toMatchObject({ matched: 3, updated: 0, unchanged: 3, failed: 0 });
    expect((await read(ids[0] as string)).version).toBe(2);

    const removed = await bulk(admin.cookie, { ids, action: 'removeTags', tags: ['hot'] });
    expect(removed.json().data.map((r: { status: string }) => r.status)).toEqual(['updated', 'updated', 'updated']);
    expect((await read(ids[1] as string)).tags).toEqual(['emea', 'q3']);
    // The audit log has the tags' before and after.
    const audit = await t.database.tenant(
      admin.workspaceId,
      async (tx) =>
        (
          await sql<{ changes: unknown }>`select changes from audit_log where record_id = ${ids[1]}::uuid
          and action = 'record.updated' order by id desc limit 1`.execute(tx)
        ).rows,
    );
    expect(audit[0]?.changes).toEqual({
      tags: [
        ['hot', 'emea', 'q3'],
        ['emea', 'q3'],
      ],
    });
  });

  it('refuses to push a record past 100 tags, alone', async () => {
    const many = Array.from({ length: 99 }, (_, i) => `t${i}`);
    const ids = await create(admin.cookie, [{ lastName: 'Full', tags: many }, { lastName: 'Roomy' }]);
    const res = await bulk(admin.cookie, { ids, action: 'addTags', tags: ['x1', 'x2'] });
    expect(res.json().data.map((r: { status: string }) => r.status)).toEqual(['error', 'updated']);
    expect(res.json().data[0].error.errors).toEqual([{ path: 'tags', message: 'at most 100 tags per record' }]);
    expect((await read(ids[0] as string)).tags).toHaveLength(99);
    const fits = await bulk(admin.cookie, { ids: [ids[0]], action: 'addTags', tags: ['t0', 'x1'] });
    expect(fits.json().data[0].status).toBe('updated');
    expect((await read(ids[0] as string)).tags).toHaveLength(100);
  });

  it('sets fields on many records through the record engine; a bad value fails the request, nothing written', async () => {
    const ids = await create(admin.cookie, [{ lastName: 'U1' }, { lastName: 'U2' }]);
    const bad = await bulk(admin.cookie, { ids, action: 'update', values: { lifecycleStage: 'nope', birthday: 'x' } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual([
      'values.lifecycleStage',
      'values.birthday',
    ]);
    expect((await read(ids[0] as string)).version).toBe(1);
    const readOnly = await bulk(admin.cookie, { ids, action: 'update', values: { createdAt: '2020-01-01T00:00:00Z' } });
    expect(readOnly.statusCode).toBe(422);
    expect(readOnly.json().errors).toEqual([{ path: 'values.createdAt', message: 'is read-only' }]);

    const ok = await bulk(admin.cookie, {
      ids,
      action: 'update',
      values: { lifecycleStage: 'customer', title: 'CTO' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().data).toEqual([
      { index: 0, id: ids[0], status: 'updated', version: 2 },
      { index: 1, id: ids[1], status: 'updated', version: 2 },
    ]);
    expect(await read(ids[1] as string)).toMatchObject({ lifecycleStage: 'customer', title: 'CTO', lastName: 'U2' });
  });

  it('chooses records by filter and moves them to the trash', async () => {
    await create(admin.cookie, [{ lastName: 'Trash A' }, { lastName: 'Trash B' }, { lastName: 'Keep C' }]);
    const res = await bulk(admin.cookie, {
      filter: { field: 'lastName', op: 'startsWith', value: 'Trash' },
      action: 'trash',
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().summary).toMatchObject({ matched: 2, trashed: 2, failed: 0 });
    const live = await client(t, admin).get(
      `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'lastName', op: 'in', value: ['Trash A', 'Trash B', 'Keep C'] }))}`,
    );
    expect(live.json().data.map((r: { lastName: string }) => r.lastName)).toEqual(['Keep C']);
    const trash = await client(t, admin).get('/api/v1/contacts/trash');
    expect(
      trash
        .json()
        .data.map((r: { lastName: string }) => r.lastName)
        .sort(),
    ).toEqual(['Trash A', 'Trash B']);
    // Trashing again finds them no more.
    const again = await bulk(admin.cookie, { ids: res.json().data.map((r: { id: string }) => r.id), action: 'trash' });
    expect(again.json().data.map((r: { status: string }) => r.status)).toEqual(['error', 'error']);
    expect(again.json().data[0].error.code).toBe('not_found');
  });

  it('a sales rep changes only their own records: the others are "not found", untouched', async () => {
    const [theirs] = await create(rep.cookie, [{ lastName: 'Rep own' }]);
    const [adminOwn] = await create(admin.cookie, [{ lastName: 'Admin own' }]);
    const [foreign] = await create(other.cookie, [{ lastName: 'Foreign' }]);
    for (const action of [
      { action: 'addTags', tags: ['x'] },
      { action: 'update', values: { title: 'Changed' } },
      { action: 'trash' },
    ]) {
      const res = await bulk(rep.cookie, { ids: [adminOwn, theirs, foreign], ...action });
      expect(res.statusCode, res.body).toBe(200);
      const statuses = res.json().data.map((r: { status: string }) => r.status);
      expect(statuses[0], JSON.stringify(action)).toBe('error');
      expect(statuses[2]).toBe('error');
      expect(res.json().data[0].error.code).toBe('not_found');
      expect(statuses[1]).toBe(action.action === 'trash' ? 'trashed' : 'updated');
    }
    expect(await read(adminOwn as string)).toMatchObject({ tags: [], title: null, version: 1 });
    expect((await read(foreign as string, other.cookie)).version).toBe(1);
    // A filter only ever finds the caller's records.
    const byFilter = await bulk(rep.cookie, {
      filter: { field: 'lastName', op: 'eq', value: 'Admin own' },
      action: 'trash',
    });
    expect(byFilter.json().summary.matched).toBe(0);
    expect((await client(t, admin).get(`/api/v1/contacts/${adminOwn}`)).statusCode).toBe(200);
  });

  it('follows the role: no update or delete permission → 403, nothing changed', async () => {
    const analyst = await memberWithRole(t, admin.workspaceId, 'data_analyst');
    const marketing = await memberWithRole(t, admin.workspaceId, 'marketing_manager');
    const [id] = await create(admin.cookie, [{ lastName: 'Protected' }]);
    expect((await bulk(analyst.cookie, { ids: [id], action: 'addTags', tags: ['a'] })).statusCode).toBe(403);
    expect((await bulk(marketing.cookie, { ids: [id], action: 'trash' })).statusCode).toBe(403);
    expect((await read(id as string)).version).toBe(1);
  });

  it('refuses malformed requests with 4xx naming the field', async () => {
    const [id] = await create(admin.cookie, [{ lastName: 'M' }]);
    const cases: [unknown, number, string][] = [
      [{ action: 'trash' }, 422, 'ids'],
      [{ ids: [id], filter: { field: 'lastName', op: 'eq', value: 'M' }, action: 'trash' }, 422, 'filter'],
      [{ ids: ['nope'], action: 'trash' }, 422, 'ids.0'],
      [{ ids: [id], action: 'explode' }, 422, 'action'],
      [{ ids: [id], action: 'addTags' }, 422, 'tags'],
      [{ ids: [id], action: 'update', values: {} }, 422, 'values'],
      [{ ids: [id], action: 'update', values: { nope: 1 } }, 422, 'values.nope'],
      [{ filter: { field: 'ghost', op: 'eq', value: 1 }, action: 'trash' }, 422, 'filter.field'],
    ];
    for (const [payload, status, path] of cases) {
      const res = await bulk(admin.cookie, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect((await read(id as string)).version).toBe(1);
  });

  it('honours Idempotency-Key: a retry replays the first answer', async () => {
    const [id] = await create(admin.cookie, [{ lastName: 'Idem' }]);
    const body = { ids: [id], action: 'addTags', tags: ['once'] };
    const first = await bulk(admin.cookie, body, { 'idempotency-key': 'bulk-1' });
    const second = await bulk(admin.cookie, body, { 'idempotency-key': 'bulk-1' });
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json()).toEqual(first.json());
    expect((await read(id as string)).version).toBe(2);
  });
});
