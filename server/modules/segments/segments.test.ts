import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContact, buildLead } from '../../../test/helpers/factories';
import { workflowTestbed } from '../../../test/helpers/workflow-testbed';
import { emailsInCsv } from './segments.service';

type Bed = Awaited<ReturnType<typeof workflowTestbed>>;

describe('segments, through HTTP', () => {
  let b: Bed;
  let api: Bed['adminApi'];
  const de = { field: 'address.country', op: 'eq', value: 'DE' };

  /** The segment events committed so far, oldest first. */
  const segmentEvents = async () =>
    (
      await sql<{ type: string; record_id: string; data: { segmentId: string; segmentName: string } }>`
        select type, record_id, data from events where type like 'segment.%' and type not in
          ('segment.created', 'segment.updated', 'segment.deleted') order by tx, seq`.execute(b.t.database.db)
    ).rows;

  beforeAll(async () => {
    b = await workflowTestbed('Segments Co');
    api = b.adminApi;
  });
  afterAll(async () => {
    await b.t.stop();
  });

  it('creates a dynamic segment ({ name, object, filter } → 201 { data: { id } }) and lists its members like a list', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = await buildContact(api, { lastName: `Berlin ${i}`, address: { city: 'Berlin', country: 'DE' } });
      ids.push(c.id);
    }
    await buildContact(api, { lastName: 'Paris', address: { city: 'Paris', country: 'FR' } });
    const res = await api.post('/api/v1/segments', { name: 'Germany', object: 'contacts', filter: de });
    expect(res.statusCode, res.body).toBe(201);
    const { id } = res.json().data;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await api.get(`/api/v1/segments/${id}`)).json().data).toMatchObject({
      type: 'dynamic',
      object: 'contacts',
    });

    const page1 = await api.get(`/api/v1/segments/${id}/members?count=true&limit=2&sort=lastName&fields=lastName`);
    expect(page1.statusCode, page1.body).toBe(200);
    const body = page1.json();
    expect(body.total).toBe(5);
    expect(body.data.map((r: { lastName: string }) => r.lastName)).toEqual(['Berlin 0', 'Berlin 1']);
    expect(Object.keys(body.data[0]).sort()).toEqual(['id', 'lastName', 'version']);
    expect(body.page.hasMore).toBe(true);
    const page2 = await api.get(
      `/api/v1/segments/${id}/members?limit=2&sort=lastName&fields=lastName&cursor=${body.page.nextCursor}`,
    );
    expect(page2.json().data.map((r: { lastName: string }) => r.lastName)).toEqual(['Berlin 2', 'Berlin 3']);

    // The caller's filter is AND-ed to the segment's.
    const narrowed = await api.get(
      `/api/v1/segments/${id}/members?count=true&filter=${encodeURIComponent(JSON.stringify({ field: 'lastName', op: 'eq', value: 'Berlin 4' }))}`,
    );
    expect(narrowed.json()).toMatchObject({ total: 1, data: [{ id: ids[4] }] });

    // Always current: a record that starts matching is in on the next read, with no rebuild.
    const moved = await buildContact(api, { lastName: 'Mover', address: { city: 'Paris', country: 'FR' } });
    expect(
      (await api.patch(`/api/v1/contacts/${moved.id}`, { address: { city: 'Köln', country: 'DE' } })).statusCode,
    ).toBe(200);
    expect((await api.get(`/api/v1/segments/${id}/members?count=true&limit=1`)).json().total).toBe(6);
  });

  it('refuses bad input with a 422 naming the field, and writes nothing', async () => {
    const before = (await api.get('/api/v1/segments?count=true')).json().total;
    const unknown = await api.post('/api/v1/segments', {
      name: 'Bad',
      object: 'contacts',
      filter: { and: [de, { field: 'shoeSize', op: 'eq', value: 42 }] },
    });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(unknown.json().errors).toEqual([expect.objectContaining({ path: 'filter.and.1.field' })]);
    expect(unknown.json().errors[0].message).toContain('shoeSize');

    const wrongObject = await api.post('/api/v1/segments', { name: 'Bad', object: 'invoices', filter: de });
    expect(wrongObject.statusCode).toBe(422);
    expect(wrongObject.json().errors.map((e: { path: string }) => e.path)).toContain('object');

    const badOp = await api.post('/api/v1/segments', {
      name: 'Bad',
      object: 'contacts',
      filter: { field: 'lastName', op: 'gt', value: [1] },
    });
    expect(badOp.statusCode).toBe(422);
    expect(badOp.json().errors[0].path).toMatch(/^filter/);

    const noFilter = await api.post('/api/v1/segments', { name: 'Bad', object: 'contacts', type: 'dynamic' });
    expect(noFilter.statusCode).toBe(422);
    expect(noFilter.json().errors[0].path).toBe('filter');

    const seg = await api.create('/api/v1/segments', {
      name: 'Leads',
      object: 'leads',
      filter: { field: 'status', op: 'eq', value: 'new' },
    });
    const change = await api.patch(`/api/v1/segments/${seg.id}`, { object: 'contacts' });
    expect(change.statusCode).toBe(422);
    expect(change.json().errors[0].path).toBe('object');

    const preview = await api.post('/api/v1/segments/preview', {
      object: 'contacts',
      filter: { field: 'nope', op: 'eq', value: 1 },
    });
    expect(preview.statusCode).toBe(422);
    expect(preview.json().errors[0].path).toBe('filter.field');
    const previewObject = await api.post('/api/v1/segments/preview', { object: 'tasks', filter: de });
    expect(previewObject.statusCode).toBe(422);
    expect(previewObject.json().errors[0].path).toBe('object');

    expect((await api.get('/api/v1/segments?count=true')).json().total).toBe(before + 1);
  });

  it('previews a filter: the live count and the first 10 records', async () => {
    const res = await api.post('/api/v1/segments/preview', { object: 'contacts', filter: de });
    expect(res.statusCode, res.body).toBe(200);
    const { total, sample } = res.json().data;
    expect(total).toBe(6);
    expect(sample).toHaveLength(6);
    expect(sample.every((r: { address: { country: string } }) => r.address.country === 'DE')).toBe(true);
  });

  it('members follow the reader’s permissions: a sales rep sees only their own; managers manage, reps and analysts read', async () => {
    const rep = await b.member('sales_rep');
    const analyst = await b.member('data_analyst');
    const marketer = await b.member('marketing_manager');
    const repApi = b.as(rep.cookie);
    const mine = await buildContact(repApi, { lastName: 'Reps own', address: { country: 'DE' } });
    const seg = await b
      .as(marketer.cookie)
      .create('/api/v1/segments', { name: 'DE (marketing)', object: 'contacts', filter: de });

    const asRep = await repApi.get(`/api/v1/segments/${seg.id}/members?count=true`);
    expect(asRep.statusCode, asRep.body).toBe(200);
    expect(asRep.json()).toMatchObject({ total: 1, data: [{ id: mine.id }] });
    expect((await api.get(`/api/v1/segments/${seg.id}/members?count=true`)).json().total).toBe(7);
    expect((await repApi.post('/api/v1/segments/preview', { object: 'contacts', filter: de })).json().data.total).toBe(
      1,
    );

    expect((await repApi.post('/api/v1/segments', { name: 'Mine', object: 'contacts', filter: de })).statusCode).toBe(
      403,
    );
    expect((await repApi.patch(`/api/v1/segments/${seg.id}`, { name: 'Renamed' })).statusCode).toBe(403);
    const analystApi = b.as(analyst.cookie);
    expect((await analystApi.get(`/api/v1/segments/${seg.id}`)).statusCode).toBe(200);
    expect((await analystApi.post('/api/v1/segments', { name: 'A', object: 'contacts', filter: de })).statusCode).toBe(
      403,
    );
    expect((await analystApi.get(`/api/v1/segments/${seg.id}/members?count=true`)).json().total).toBe(7);
    expect((await b.as(marketer.cookie).del(`/api/v1/segments/${seg.id}`)).statusCode).toBe(204);
  });

  it('static segments: add and remove by id, import a CSV of emails; segment.entered / left for each change', async () => {
    const a = await buildContact(api, { lastName: 'Static A', email: 'a@static.test' });
    const c = await buildContact(api, { lastName: 'Static C', email: 'c@static.test' });
    const lead = await buildLead(api, { lastName: 'Not a contact' });
    const seg = await api.create('/api/v1/segments', { name: 'VIP', object: 'contacts', type: 'static' });
    expect((await api.get(`/api/v1/segments/${seg.id}/members?count=true`)).json().total).toBe(0);

    const wrong = await api.post(`/api/v1/segments/${seg.id}/members`, { ids: [a.id, lead.id] });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors[0].path).toBe('ids.1');
    expect((await api.get(`/api/v1/segments/${seg.id}/members?count=true`)).json().total).toBe(0);

    const added = await api.post(`/api/v1/segments/${seg.id}/members`, { ids: [a.id] });
    expect(added.statusCode, added.body).toBe(200);
    expect(added.json().data).toEqual({ changed: 1, unchanged: 0 });

    const csv = 'name,email\nStatic A,a@static.test\n"Static C", C@Static.test \nnobody,nobody@static.test\n';
    const imported = await api.post(`/api/v1/segments/${seg.id}/members/import`, csv, { 'content-type': 'text/csv' });
    expect(imported.statusCode, imported.body).toBe(200);
    expect(imported.json().data).toEqual({
      emails: 3,
      matched: 2,
      added: 1,
      unmatched: ['nobody@static.test'],
      unmatchedCount: 1,
    });
    const members = (await api.get(`/api/v1/segments/${seg.id}/members?count=true&sort=lastName`)).json();
    expect(members.total).toBe(2);
    expect(members.data.map((r: { id: string }) => r.id)).toEqual([a.id, c.id]);

    const json = await api.post(`/api/v1/segments/${seg.id}/members/import`, { emails: ['x@nowhere.test'] });
    expect(json.json().data).toMatchObject({ matched: 0, added: 0 });
    const empty = await api.post(`/api/v1/segments/${seg.id}/members/import`, 'just,words\n', {
      'content-type': 'text/csv',
    });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().errors[0].path).toBe('body');

    const removed = await api.del(`/api/v1/segments/${seg.id}/members`, { ids: [a.id, lead.id] });
    expect(removed.json().data).toEqual({ changed: 1, unchanged: 1 });
    expect((await api.get(`/api/v1/segments/${seg.id}/members?count=true`)).json().total).toBe(1);

    const events = (await segmentEvents()).filter((e) => e.data.segmentId === seg.id);
    expect(events.map((e) => [e.type, e.record_id])).toEqual([
      ['segment.entered', a.id],
      ['segment.entered', c.id],
      ['segment.left', a.id],
    ]);
    expect(events[0]?.data.segmentName).toBe('VIP');

    // Adding to a dynamic segment is refused.
    const dyn = await api.create('/api/v1/segments', { name: 'Dyn', object: 'contacts', filter: de });
    expect((await api.post(`/api/v1/segments/${dyn.id}/members`, { ids: [a.id] })).statusCode).toBe(409);
  });

  it('dynamic segments: segment.entered when a record starts matching, segment.left when it stops; a workflow starts on entered', async () => {
    const seg = await api.create('/api/v1/segments', {
      name: 'Hot Spain',
      object: 'contacts',
      filter: {
        and: [
          { field: 'address.country', op: 'eq', value: 'ES' },
          { field: 'tags', op: 'contains', value: 'hot' },
        ],
      },
    });
    // Created after the segment, in the same consumer batch as its creation: it enters it.
    const already = await buildContact(api, { lastName: 'Already', address: { country: 'ES' }, tags: ['hot'] });
    await b.settle();
    expect((await segmentEvents()).filter((e) => e.record_id === already.id).map((e) => e.type)).toEqual([
      'segment.entered',
    ]);
    const flow = await api.post('/api/v1/workflows', {
      name: 'Welcome to Spain',
      active: true,
      definition: {
        trigger: { type: 'event', event: 'segment.entered', object: 'contacts' },
        steps: [{ id: 'tag', type: 'add_tag', tags: ['welcomed'] }],
      },
    });
    expect(flow.statusCode, flow.body).toBe(201);
    const badFlow = await api.post('/api/v1/workflows', {
      name: 'Bad',
      definition: { trigger: { type: 'event', event: 'contact.sneezed' }, steps: [] },
    });
    expect(badFlow.statusCode).toBe(422);
    expect(badFlow.json().errors[0].path).toBe('definition.trigger.event');

    const c = await buildContact(api, { lastName: 'Mover', address: { country: 'ES' } });
    await b.settle();
    expect((await segmentEvents()).filter((e) => e.record_id === c.id)).toEqual([]);

    await api.patch(`/api/v1/contacts/${c.id}`, { tags: ['hot'] });
    await b.settle();
    let mine = (await segmentEvents()).filter((e) => e.record_id === c.id);
    expect(mine.map((e) => e.type)).toEqual(['segment.entered']);
    expect(mine[0]?.data).toEqual({ segmentId: seg.id, segmentName: 'Hot Spain' });
    // The workflow ran on that contact (and only on it).
    const runs = await b.runsOf(flow.json().data.id);
    expect(runs.map((r) => [r.recordId, r.status])).toEqual([[c.id, 'completed']]);
    expect((await api.get(`/api/v1/contacts/${c.id}`)).json().data.tags).toEqual(
      expect.arrayContaining(['hot', 'welcomed']),
    );

    // Still matching: nothing new. Leaving: segment.left. Trashed: it leaves too.
    await api.patch(`/api/v1/contacts/${c.id}`, { lastName: 'Mover 2' });
    await api.patch(`/api/v1/contacts/${already.id}`, { address: { country: 'PT' } });
    await b.settle();
    expect((await segmentEvents()).filter((e) => e.record_id === c.id).map((e) => e.type)).toEqual(['segment.entered']);
    expect((await segmentEvents()).filter((e) => e.record_id === already.id).map((e) => e.type)).toEqual([
      'segment.entered',
      'segment.left',
    ]);
    await api.del(`/api/v1/contacts/${c.id}`);
    await b.settle();
    mine = (await segmentEvents()).filter((e) => e.record_id === c.id);
    expect(mine.map((e) => e.type)).toEqual(['segment.entered', 'segment.left']);
    expect((await b.runsOf(flow.json().data.id)).length).toBe(1);
  });

  it('a segment’s snapshot is taken as it is written: records that matched before never "enter"; a filter change starts over', async () => {
    // Unconsumed before the segment exists, consumed after: the old order of events must not fire entered.
    const before = await buildContact(api, { lastName: 'Snapshot before', address: { country: 'IS' } });
    const seg = await api.create('/api/v1/segments', {
      name: 'Iceland',
      object: 'contacts',
      filter: { field: 'address.country', op: 'eq', value: 'IS' },
    });
    const after = await buildContact(api, { lastName: 'Snapshot after', address: { country: 'IS' } });
    await b.settle();
    const about = async (id: string) =>
      (await segmentEvents()).filter((e) => e.record_id === id && e.data.segmentId === seg.id).map((e) => e.type);
    expect(await about(before.id)).toEqual([]);
    expect(await about(after.id)).toEqual(['segment.entered']);
    // A change to the filter: who matches the new one is the new snapshot (no events), and an
    // update of a record still matching fires nothing.
    expect(
      (
        await api.patch(`/api/v1/segments/${seg.id}`, {
          filter: { field: 'lastName', op: 'startsWith', value: 'Snapshot' },
        })
      ).statusCode,
    ).toBe(200);
    await api.patch(`/api/v1/contacts/${before.id}`, { jobTitle: 'Still here' });
    await b.settle();
    expect(await about(before.id)).toEqual([]);
    expect(await about(after.id)).toEqual(['segment.entered']);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from segment_membership
      where segment_id = ${seg.id}::uuid`.execute(b.t.database.db);
    expect(rows[0]?.n).toBe(2);
  });

  it('static segments: a list view’s "select all matching" adds by filter (what the caller can see), or 422 and nothing', async () => {
    const seg = await api.create('/api/v1/segments', { name: 'From a list', object: 'leads', type: 'static' });
    const x = await buildLead(api, { lastName: 'Selected X', company: 'Matching Ltd' });
    const y = await buildLead(api, { lastName: 'Selected Y', company: 'Matching Ltd' });
    await buildLead(api, { lastName: 'Not selected', company: 'Other Ltd' });
    const byCompany = { field: 'company', op: 'eq', value: 'Matching Ltd' };
    const bad = await api.post(`/api/v1/segments/${seg.id}/members`, {
      filter: { field: 'shoeSize', op: 'eq', value: 1 },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('filter.field');
    const both = await api.post(`/api/v1/segments/${seg.id}/members`, { ids: [x.id], filter: byCompany });
    expect(both.statusCode).toBe(422);
    expect((await api.get(`/api/v1/segments/${seg.id}/members?count=true`)).json().total).toBe(0);

    const res = await api.post(`/api/v1/segments/${seg.id}/members`, { filter: byCompany });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toEqual({ changed: 2, unchanged: 0 });
    const again = await api.post(`/api/v1/segments/${seg.id}/members`, { filter: byCompany });
    expect(again.json().data).toEqual({ changed: 0, unchanged: 2 });
    const members = (await api.get(`/api/v1/segments/${seg.id}/members?count=true&sort=lastName`)).json();
    expect(members.data.map((r: { id: string }) => r.id)).toEqual([x.id, y.id]);
    const events = (await segmentEvents()).filter((e) => e.data.segmentId === seg.id);
    expect(events.map((e) => [e.type, e.record_id]).sort()).toEqual(
      [
        ['segment.entered', x.id],
        ['segment.entered', y.id],
      ].sort(),
    );
    // A rep who may not change the segment is refused, whatever the filter.
    const rep = await b.member('sales_rep');
    expect((await b.as(rep.cookie).post(`/api/v1/segments/${seg.id}/members`, { filter: byCompany })).statusCode).toBe(
      403,
    );
  });

  it('finds emails in any column of a CSV', () => {
    expect(emailsInCsv('Email;Name\r\n"A@x.io";A\nb@y.io,\nnot-an-email\n a@x.io ')).toEqual(['a@x.io', 'b@y.io']);
  });
});
