import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact, buildLead } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/helpers/webhook-receiver';
import { emitEvent } from '../../platform/events/events';
import { GPC_LAST_UPDATE } from './gpc.routes';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FORM = {
  name: 'Talk to sales',
  object: 'leads',
  fields: [
    { name: 'last', field: 'lastName', required: true },
    { name: 'mail', field: 'email', required: true },
  ],
  consents: [{ purpose: 'marketing_email', label: 'Email me your newsletter.' }],
};
const JSON_POST = { 'content-type': 'application/json' };

describe('opt-out of sale/sharing, Global Privacy Control and consent honoured', () => {
  let t: TestApp;
  let admin: SignedUp;
  let as: HttpClient;
  let anon: HttpClient;
  let rep: Member;
  let formId: string;
  let siteKey: string;
  let receiver: WebhookReceiver;

  const ledger = async (object: string, id: string) => (await as.get(`/api/v1/${object}/${id}/consents`)).json();
  const record = async (object: string, id: string) => (await as.get(`/api/v1/${object}/${id}`)).json().data;
  const collect = (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/t/collect',
      headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME, ...headers },
      payload: JSON.stringify(body),
      remoteAddress: '198.51.100.9',
    });
  const view = (visitorId: string, path: string) => ({
    key: siteKey,
    visitorId,
    url: `https://www.example.com${path}`,
    title: path,
    kind: 'page',
  });
  const viewsOf = async (visitorId: string) =>
    (
      await t.database.tenant(admin.workspaceId, (tx) =>
        sql<{ path: string }>`select path from page_views where visitor_id = ${visitorId} order by occurred_at`.execute(
          tx,
        ),
      )
    ).rows.map((r) => r.path);
  /** Identifies a browser as a record the way a form submission does (the tracking module's consumer). */
  const identify = async (visitorId: string, mail: string) => {
    const res = await anon.post(`/f/${formId}`, { last: 'Visitor', mail, rapport_vid: visitorId }, JSON_POST);
    expect(res.statusCode, res.body).toBe(201);
    await t.events.drain(60_000);
  };

  beforeAll(async () => {
    // The webhook receiver is on loopback: this instance's operator allows private networks.
    t = await createTestApp({ webhooksAllowPrivate: true });
    admin = await signUp(t.app, { workspaceName: 'Private Co' });
    as = client(t, admin);
    anon = client(t, null);
    rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rita Rep');
    const form = await as.post('/api/v1/forms', FORM);
    expect(form.statusCode, form.body).toBe(201);
    formId = form.json().data.id;
    siteKey = (await as.get('/api/v1/tracking/settings')).json().data.siteKey;
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await t?.stop();
  });
  beforeEach(() => {
    receiver.received.length = 0;
  });

  it('outside check: POST /f/{id} with Sec-GPC: 1 leaves the lead with doNotSell: true, the ledger says gpc', async () => {
    const res = await anon.post(
      `/f/${formId}`,
      { last: 'Signal', mail: 'gpc-lead@example.com' },
      {
        ...JSON_POST,
        'sec-gpc': '1',
      },
    );
    expect(res.statusCode, res.body).toBe(201);
    const leads = (
      await as.get(
        `/api/v1/leads?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'gpc-lead@example.com' }))}`,
      )
    ).json().data;
    expect(leads).toHaveLength(1);
    expect(leads[0].doNotSell).toBe(true);
    const l = await ledger('leads', leads[0].id);
    const gpc = l.data.filter((c: { source: string }) => c.source === 'gpc');
    expect(gpc.map((c: { purpose: string; status: string }) => [c.purpose, c.status]).sort()).toEqual([
      ['sale_sharing', 'withdrawn'],
      ['tracking', 'withdrawn'],
    ]);
    expect(gpc[0].proof).toMatchObject({ signal: 'Sec-GPC: 1', formId });
    // The browser sends the signal every time: a second post adds no second opt-out to the history.
    await anon.post(`/f/${formId}`, { last: 'Signal', mail: 'gpc-lead@example.com' }, { ...JSON_POST, 'sec-gpc': '1' });
    expect(
      (await ledger('leads', leads[0].id)).data.filter((c: { source: string }) => c.source === 'gpc'),
    ).toHaveLength(2);
  });

  it('a known contact posting with Sec-GPC: 1 gets doNotSell: true; without the signal nothing changes', async () => {
    const contact = await buildContact(as, { lastName: 'Known', email: 'known@example.com' });
    const plain = await buildContact(as, { lastName: 'Plain', email: 'plain@example.com' });
    expect((await record('contacts', contact.id)).doNotSell).toBe(false);
    await anon.post(`/f/${formId}`, { last: 'Known', mail: 'known@example.com' }, { ...JSON_POST, 'sec-gpc': '1' });
    await anon.post(`/f/${formId}`, { last: 'Plain', mail: 'plain@example.com' }, JSON_POST);
    expect((await record('contacts', contact.id)).doNotSell).toBe(true);
    expect((await record('contacts', plain.id)).doNotSell).toBe(false);
    expect((await ledger('contacts', plain.id)).data.some((c: { source: string }) => c.source === 'gpc')).toBe(false);
  });

  it('doNotSell follows the ledger with history (who, when, source), and is read-only as a field', async () => {
    const lead = await buildLead(as, { lastName: 'Ledgered' });
    const path = `/api/v1/leads/${lead.id}/consents`;
    expect((await as.post(path, { purpose: 'sale_sharing', status: 'withdrawn', source: 'user' })).statusCode).toBe(
      201,
    );
    expect((await record('leads', lead.id)).doNotSell).toBe(true);
    expect((await as.post(path, { purpose: 'sale_sharing', status: 'granted', source: 'api' })).statusCode).toBe(201);
    expect((await record('leads', lead.id)).doNotSell).toBe(false);
    const history = (await ledger('leads', lead.id)).data;
    expect(history.map((c: { status: string; source: string }) => [c.status, c.source])).toEqual([
      ['granted', 'api'],
      ['withdrawn', 'user'],
    ]);
    expect(history[1].recordedBy).toEqual({ id: admin.userId, name: 'Test User' });
    // The record engine refuses a direct write of the field, for administrators too.
    const direct = await as.patch(`/api/v1/leads/${lead.id}`, { doNotSell: true });
    expect(direct.statusCode).toBe(422);
    expect(direct.headers['content-type']).toContain('application/problem+json');
    expect(direct.json().errors[0].path).toBe('doNotSell');
    expect((await record('leads', lead.id)).doNotSell).toBe(false);
    // The change went through the engine: audited and an update event.
    const { rows } = await sql<{ data: { changes: Record<string, unknown> } }>`
      select data from events where type = 'lead.updated' and record_id = ${lead.id}::uuid order by created_at`.execute(
      t.database.db,
    );
    expect(rows.map((r) => r.data.changes.doNotSell)).toEqual([
      [false, true],
      [true, false],
    ]);
    // A sales rep may not record consent for a lead they cannot see.
    expect((await client(t, rep).post(path, { purpose: 'sale_sharing', status: 'withdrawn' })).statusCode).toBe(404);
  });

  it('serves /.well-known/gpc.json publicly', async () => {
    const res = await anon.get('/.well-known/gpc.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.json()).toEqual({ gpc: true, lastUpdate: GPC_LAST_UPDATE });
    expect(GPC_LAST_UPDATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('t/collect: Sec-GPC from an identified visitor records the opt-out and stores no view; tracking withdrawn stops views', async () => {
    const vid = 'vid_gpc_identified_0001';
    await identify(vid, 'tracked@example.com');
    const leadId = (
      await as.get(
        `/api/v1/leads?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'tracked@example.com' }))}`,
      )
    ).json().data[0].id as string;
    expect((await collect(view(vid, '/before'))).statusCode).toBe(204);
    expect(await viewsOf(vid)).toEqual(['/before']);

    expect((await collect(view(vid, '/with-gpc'), { 'sec-gpc': '1' })).statusCode).toBe(204);
    expect(await viewsOf(vid)).toEqual(['/before']);
    expect((await record('leads', leadId)).doNotSell).toBe(true);
    const current = Object.fromEntries(
      (await ledger('leads', leadId)).current.map((c: { purpose: string; status: string }) => [c.purpose, c.status]),
    );
    expect(current).toMatchObject({ sale_sharing: 'withdrawn', tracking: 'withdrawn' });

    // Without the header (t.js honours navigator.globalPrivacyControl itself) the withdrawn consent still holds.
    expect((await collect(view(vid, '/later'))).statusCode).toBe(204);
    expect(await viewsOf(vid)).toEqual(['/before']);

    // An anonymous visitor with GPC: the same 204, nothing stored, nothing to record.
    expect((await collect(view('vid_gpc_anonymous_0001', '/x'), { 'sec-gpc': '1' })).statusCode).toBe(204);
    expect(await viewsOf('vid_gpc_anonymous_0001')).toEqual([]);
    // A forged key or body with GPC reveals nothing either.
    expect((await collect({ key: 'rk_nope', visitorId: vid }, { 'sec-gpc': '1' })).statusCode).toBe(204);
  });

  it('a person who withdrew tracking is not linked to their browser on a later form submission', async () => {
    const lead = await buildLead(as, { lastName: 'Untracked', email: 'untracked@example.com' });
    await as.create(`/api/v1/leads/${lead.id}/consents`, { purpose: 'tracking', status: 'withdrawn' });
    const vid = 'vid_untracked_00000001';
    expect((await collect(view(vid, '/anon'))).statusCode).toBe(204);
    await identify(vid, 'untracked@example.com');
    const { rows } = await t.database.tenant(admin.workspaceId, (tx) =>
      sql<{ record_id: string | null }>`select record_id from web_visitors where id = ${vid}`.execute(tx),
    );
    expect(rows[0]?.record_id).toBeNull();
    expect((await as.get(`/api/v1/leads/${lead.id}/visits`)).json().data).toEqual([]);
  });

  it('scoring: a person who withdrew profiling loses their score and is not scored again until they grant it', async () => {
    await as.create('/api/v1/scoring/rules', {
      name: 'Directors',
      kind: 'fit',
      condition: { field: 'title', op: 'contains', value: 'Director' },
      points: 40,
    });
    const objecting = await buildLead(as, { lastName: 'Objecting', title: 'Director' });
    const other = await buildLead(as, { lastName: 'Fine', title: 'Director' });
    await t.events.drain(60_000);
    expect((await record('leads', objecting.id)).score).toBe(40);

    await as.create(`/api/v1/leads/${objecting.id}/consents`, { purpose: 'profiling', status: 'withdrawn' });
    await t.events.drain(60_000);
    expect(await record('leads', objecting.id)).toMatchObject({ score: null, fitScore: null, grade: null });
    // Engagement earns them nothing while they object: no contribution is kept.
    await as.create('/api/v1/scoring/rules', { name: 'Visits', kind: 'engagement', event: 'page.viewed', points: 5 });
    await t.database.tenant(admin.workspaceId, (tx) =>
      emitEvent(
        tx,
        { workspaceId: admin.workspaceId, userId: null },
        {
          type: 'page.viewed',
          object: 'leads',
          recordId: objecting.id,
          data: { url: 'https://x.example/', path: '/' },
        },
      ),
    );
    await t.events.drain(60_000);
    const { rows: kept } = await t.database.tenant(admin.workspaceId, (tx) =>
      sql`select 1 from score_contributions where record_id = ${objecting.id}::uuid`.execute(tx),
    );
    expect(kept).toHaveLength(0);
    expect((await record('leads', objecting.id)).score).toBeNull();
    // A later change that would rescore leaves them unscored; others are scored as before.
    await as.patch(`/api/v1/leads/${objecting.id}`, { title: 'Managing Director' });
    await t.events.drain(60_000);
    expect((await record('leads', objecting.id)).score).toBeNull();
    expect((await record('leads', other.id)).score).toBe(40);

    await as.create(`/api/v1/leads/${objecting.id}/consents`, { purpose: 'profiling', status: 'granted' });
    await t.events.drain(60_000);
    expect((await record('leads', objecting.id)).score).toBe(40);
  });

  it('webhooks marked sharing get no events about people who opted out; other webhooks still do', async () => {
    const subscribe = async (path: string, sharing?: boolean) => {
      const res = await as.post('/api/v1/webhooks', {
        url: `${receiver.url}${path}`,
        eventTypes: ['contact.*'],
        ...(sharing === undefined ? {} : { sharing }),
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().data as { id: string; sharing: boolean };
    };
    await t.events.drain(60_000);
    const broker = await subscribe('/broker', true);
    const internal = await subscribe('/internal');
    expect(broker.sharing).toBe(true);
    expect(internal.sharing).toBe(false);
    expect((await as.get(`/api/v1/webhooks/${broker.id}`)).json().data.sharing).toBe(true);

    const optedOut = await buildContact(as, { lastName: 'Opted', email: 'opted@example.com' });
    await t.events.drain(60_000);
    await t.jobs.runDue({ queues: ['webhooks.deliver'] });
    await as.create(`/api/v1/contacts/${optedOut.id}/consents`, { purpose: 'sale_sharing', status: 'withdrawn' });
    await as.patch(`/api/v1/contacts/${optedOut.id}`, { title: 'CFO' });
    const fine = await buildContact(as, { lastName: 'Sharable', email: 'sharable@example.com' });
    await t.events.drain(60_000);
    await t.jobs.runDue({ queues: ['webhooks.deliver'] });

    const about = (path: string, id: string) =>
      receiver.received.filter(
        (r) => r.path === path && (r.json as { data: { record?: { id: string } } }).data.record?.id === id,
      );
    // The contact's creation came before the opt-out: the broker got that one, nothing after.
    expect(about('/broker', optedOut.id).map((r) => (r.json as { type: string }).type)).toEqual(['contact.created']);
    expect(about('/internal', optedOut.id).map((r) => (r.json as { type: string }).type)).toEqual([
      'contact.created',
      'contact.updated',
      'contact.updated',
    ]);
    expect(about('/broker', fine.id)).toHaveLength(1);

    // Turning the flag off on the subscription lets the events through again.
    const off = await as.patch(`/api/v1/webhooks/${broker.id}`, { sharing: false });
    expect(off.json().data.sharing).toBe(false);
    receiver.received.length = 0;
    await as.patch(`/api/v1/contacts/${optedOut.id}`, { title: 'CEO' });
    await t.events.drain(60_000);
    await t.jobs.runDue({ queues: ['webhooks.deliver'] });
    expect(about('/broker', optedOut.id)).toHaveLength(1);
  });

  it('converting a lead carries its consents to the contact: a GPC opt-out stays doNotSell: true', async () => {
    await anon.post(
      `/f/${formId}`,
      { last: 'Converting', mail: 'converting@example.com' },
      {
        ...JSON_POST,
        'sec-gpc': '1',
      },
    );
    const filter = encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'converting@example.com' }));
    const lead = (await as.get(`/api/v1/leads?filter=${filter}`)).json().data[0];
    const res = await as.post(`/api/v1/leads/${lead.id}/convert`, { createOpportunity: false });
    expect(res.statusCode, res.body).toBe(200);
    const contactId = res.json().data.contact.id as string;
    await t.events.drain(60_000);
    expect((await record('contacts', contactId)).doNotSell).toBe(true);
    const carried = (await ledger('contacts', contactId)).data;
    expect(
      carried.map((c: { purpose: string; status: string; source: string }) => [c.purpose, c.status, c.source]).sort(),
    ).toEqual([
      ['sale_sharing', 'withdrawn', 'gpc'],
      ['tracking', 'withdrawn', 'gpc'],
    ]);
    expect(carried[0].sourceRef).toBe(`lead:${lead.id}`);
    expect(carried[0].proof.convertedFromLead).toBe(lead.id);
    // A redelivered conversion event adds nothing (statuses are equal).
    await t.database.tenant(admin.workspaceId, (tx) =>
      emitEvent(
        tx,
        { workspaceId: admin.workspaceId, userId: null },
        { type: 'lead.converted', object: 'leads', recordId: lead.id, data: { leadId: lead.id, contactId } },
      ),
    );
    await t.events.drain(60_000);
    expect((await ledger('contacts', contactId)).data).toHaveLength(2);
  });

  it('bad input: an unknown consent source is a 422 naming source', async () => {
    const lead = await buildLead(as, { lastName: 'Bad source' });
    const res = await as.post(`/api/v1/leads/${lead.id}/consents`, {
      purpose: 'sale_sharing',
      status: 'withdrawn',
      source: 'carrier_pigeon',
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].path).toBe('source');
    expect((await record('leads', lead.id)).doNotSell).toBe(false);
  });
});
