import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';

describe('batch create / update / upsert', () => {
  let t: TestApp;
  let u: SignedUp;
  let h: { cookie: string };
  beforeAll(async () => {
    t = await createTestApp();
    u = await signUp(t.app, { workspaceName: 'Batch Co' });
    h = { cookie: u.cookie };
  });
  afterAll(() => t.stop());

  const batch = (payload: object) =>
    t.app.inject({ method: 'POST', url: '/api/v1/contacts/batch', headers: h, payload });
  const countContacts = async () =>
    Number(
      (
        await t.database.db
          .selectFrom('contacts' as never)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('creates many, with per-item results in request order; a bad item fails alone', async () => {
    const res = await batch({
      mode: 'create',
      records: [
        { firstName: 'A', lastName: 'One', email: 'a1@batch.example', tags: ['X'] },
        { firstName: 'B', email: 'not-an-email' },
        {
          firstName: 'C',
          lastName: 'Three',
          email: 'c3@batch.example',
          accountId: '01a20824-922a-77bb-b1b3-0f8d0fac2dba',
        },
        { firstName: 'D', lastName: 'Four', email: 'a1@batch.example' },
        { firstName: 'E', lastName: 'Five' },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data.map((r: { status: string }) => r.status)).toEqual([
      'created',
      'error',
      'error',
      'error',
      'created',
    ]);
    expect(body.data.map((r: { index: number }) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(body.data[1].error.errors[0]).toMatchObject({ path: 'records.1.email' });
    expect(body.data[2].error.errors[0]).toMatchObject({ path: 'records.2.accountId' });
    expect(body.data[3].error.code).toBe('already_exists');
    expect(body.summary).toEqual({ created: 2, updated: 0, failed: 3 });
    const created = await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${body.data[0].id}`, headers: h });
    expect(created.json().data).toMatchObject({
      firstName: 'A',
      email: 'a1@batch.example',
      tags: ['x'],
      ownerId: u.userId,
      version: 1,
    });
  });

  it('atomic: one bad item and nothing is written (422 listing the failures)', async () => {
    const before = await countContacts();
    const res = await batch({
      mode: 'create',
      atomic: true,
      records: [{ lastName: 'Fine' }, { lastName: 'Also fine' }, { lastName: 'Bad', birthday: '31/12/1999' }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([{ path: 'records.2.birthday', message: 'must be a date YYYY-MM-DD' }]);
    expect(await countContacts()).toBe(before);
    const dup = await batch({ mode: 'create', atomic: true, records: [{ lastName: 'X', email: 'a1@batch.example' }] });
    expect(dup.statusCode).toBe(409);
    expect(await countContacts()).toBe(before);
  });

  it('updates by id; unknown ids fail per item; other fields are untouched', async () => {
    const created = (
      await batch({
        mode: 'create',
        records: [
          { firstName: 'U1', lastName: 'Upd', title: 'Keep' },
          { firstName: 'U2', lastName: 'Upd' },
        ],
      })
    ).json().data;
    const res = await batch({
      mode: 'update',
      records: [
        { id: created[0].id, lastName: 'Updated' },
        { id: '01a20824-922a-77bb-b1b3-0f8d0fac2dba', lastName: 'Ghost' },
        { lastName: 'No id' },
        { id: created[1].id, tags: ['a', 'b'] },
      ],
    });
    expect(res.json().data.map((r: { status: string }) => r.status)).toEqual(['updated', 'error', 'error', 'updated']);
    expect(res.json().data[1].error.code).toBe('not_found');
    expect(res.json().data[2].error.errors[0].path).toBe('records.2.id');
    const one = (await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${created[0].id}`, headers: h })).json()
      .data;
    expect(one).toMatchObject({ firstName: 'U1', lastName: 'Updated', title: 'Keep', version: 2 });
    const two = (await t.app.inject({ method: 'GET', url: `/api/v1/contacts/${created[1].id}`, headers: h })).json()
      .data;
    expect(two).toMatchObject({ firstName: 'U2', lastName: 'Upd', tags: ['a', 'b'] });
  });

  it('upserts on a unique field: existing records updated, new ones created, duplicates in the batch refused', async () => {
    await batch({
      mode: 'create',
      records: [{ firstName: 'Old', lastName: 'Timer', email: 'old@upsert.example', title: 'Before' }],
    });
    const res = await batch({
      mode: 'upsert',
      matchOn: 'email',
      records: [
        { email: 'OLD@upsert.example', title: 'After' },
        { email: 'new@upsert.example', firstName: 'New', lastName: 'Comer' },
        { email: 'new@upsert.example', firstName: 'Again' },
        { firstName: 'No email' },
        { email: 'incomplete@upsert.example', emails: 'nope' },
      ],
    });
    const data = res.json().data;
    expect(data.map((r: { status: string }) => r.status)).toEqual(['updated', 'created', 'error', 'error', 'error']);
    expect(data[2].error.errors[0]).toMatchObject({
      path: 'records.2.email',
      message: 'repeats record 1 of this batch',
    });
    const filter = encodeURIComponent(JSON.stringify({ field: 'email', op: 'endsWith', value: '@upsert.example' }));
    const rows = (
      await t.app.inject({ method: 'GET', url: `/api/v1/contacts?filter=${filter}&sort=email`, headers: h })
    ).json().data;
    expect(rows.map((r: { email: string; title: string | null }) => [r.email, r.title])).toEqual([
      ['new@upsert.example', null],
      ['old@upsert.example', 'After'],
    ]);
    expect(rows[1].firstName).toBe('Old');
  });

  it('upserts accounts on their normalised domain', async () => {
    const a = (i: object) => t.app.inject({ method: 'POST', url: '/api/v1/accounts/batch', headers: h, payload: i });
    await a({ mode: 'create', records: [{ name: 'Initech', domain: 'initech.com' }] });
    const res = await a({
      mode: 'upsert',
      matchOn: 'domain',
      records: [{ domain: 'https://www.INITECH.com/', employees: 300 }, { domain: 'hooli.com' }],
    });
    const data = res.json().data;
    expect(data[0].status).toBe('updated');
    // A new account needs a name: create rules apply to the records an upsert creates.
    expect(data[1]).toMatchObject({ status: 'error' });
    expect(data[1].error.errors[0].path).toBe('records.1.name');
  });

  it('refuses an unknown matchOn, more than 1,000 records, and a non-object record', async () => {
    const bad = await batch({ mode: 'upsert', matchOn: 'lastName', records: [{ lastName: 'x' }] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('matchOn');
    const many = await batch({ mode: 'create', records: Array.from({ length: 1001 }, () => ({ lastName: 'x' })) });
    expect(many.statusCode).toBe(422);
    expect(many.json().errors[0].path).toBe('records');
    const notObj = await batch({ mode: 'create', records: ['string'] });
    expect(notObj.statusCode).toBe(422);
  });

  it('writes 1,000 records in one request', async () => {
    const before = await countContacts();
    const records = Array.from({ length: 1000 }, (_, i) => ({
      firstName: `Bulk${i}`,
      lastName: 'Load',
      email: `bulk${i}@load.example`,
      tags: ['bulk'],
    }));
    const res = await batch({ mode: 'upsert', matchOn: 'email', records });
    expect(res.json().summary).toEqual({ created: 1000, updated: 0, failed: 0 });
    const again = await batch({
      mode: 'upsert',
      matchOn: 'email',
      records: records.map((r) => ({ ...r, lastName: 'Reloaded' })),
    });
    expect(again.json().summary).toEqual({ created: 0, updated: 1000, failed: 0 });
    expect(await countContacts()).toBe(before + 1000);
  });
});
