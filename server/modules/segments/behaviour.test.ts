import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp } from '../../../test/helpers/app';
import { buildContact, buildLead } from '../../../test/helpers/factories';
import { workflowTestbed } from '../../../test/helpers/workflow-testbed';
import { emitEvent } from '../../platform/events/events';

type Bed = Awaited<ReturnType<typeof workflowTestbed>>;

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const VISITOR = `behaviour-visitor-${'b'.repeat(20)}`;
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

describe('behaviour conditions in segments and filters (visited, submitted a form, opened or clicked an email)', () => {
  let b: Bed;
  let api: Bed['adminApi'];
  let formId: string;
  let otherFormId: string;
  let visitorLead: string;

  const ids = (rows: { id: string }[]) => rows.map((r) => r.id).sort();
  const members = async (object: string, filter: unknown) => {
    const res = await api.post('/api/v1/segments/preview', { object, filter });
    expect(res.statusCode, res.body).toBe(200);
    return ids(res.json().data.sample);
  };
  const listed = async (object: string, filter: unknown) => {
    const res = await api.get(`/api/v1/${object}?filter=${encodeURIComponent(JSON.stringify(filter))}&fields=id`);
    expect(res.statusCode, res.body).toBe(200);
    return ids(res.json().data);
  };
  /** What campaigns emit when a person opens or clicks (the outbox event; engagement.ts reads it). */
  const email = async (type: 'email.opened' | 'email.clicked', data: Record<string, unknown>, about?: string) =>
    b.t.database.tenant(b.admin.workspaceId, (tx) =>
      emitEvent(
        tx,
        { workspaceId: b.admin.workspaceId, userId: null },
        { type, object: about ? 'contacts' : undefined, recordId: about, data },
      ),
    );
  const segmentEvents = async (recordId: string) =>
    (
      await sql<{ type: string; data: { segmentId: string } }>`
        select type, data from events where record_id = ${recordId}::uuid and type in ('segment.entered', 'segment.left')
        order by tx, seq`.execute(b.t.database.db)
    ).rows;

  beforeAll(async () => {
    b = await workflowTestbed('Behaviour Co');
    api = b.adminApi;
    const site = (await api.get('/api/v1/tracking/settings')).json().data;
    const collect = (path: string) =>
      b.t.app.inject({
        method: 'POST',
        url: '/t/collect',
        headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME },
        payload: JSON.stringify({
          key: site.siteKey,
          visitorId: VISITOR,
          url: `https://www.example.com${path}`,
          title: path,
          referrer: '',
          kind: path.endsWith('.pdf') ? 'download' : 'page',
        }),
        remoteAddress: '198.51.100.9',
      });
    // An anonymous visitor reads the pricing page and downloads a paper…
    expect((await collect('/pricing/enterprise')).statusCode).toBe(204);
    expect((await collect('/papers/crm.pdf')).statusCode).toBe(204);
    const form = await api.post('/api/v1/forms', {
      name: 'Demo request',
      object: 'leads',
      fields: [
        { name: 'last', field: 'lastName', required: true },
        { name: 'mail', field: 'email', required: true },
      ],
    });
    expect(form.statusCode, form.body).toBe(201);
    formId = form.json().data.id;
    otherFormId = (
      await api.post('/api/v1/forms', {
        name: 'Newsletter',
        object: 'leads',
        fields: [{ name: 'mail', field: 'email', required: true }],
      })
    ).json().data.id;
    // …then fills in the demo form from the same browser: they become a lead, their visits theirs.
    const sent = await b.t.app.inject({
      method: 'POST',
      url: `/f/${formId}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'user-agent': CHROME },
      payload: new URLSearchParams({
        last: 'Visitor',
        mail: 'visitor@behaviour.test',
        rapport_vid: VISITOR,
      }).toString(),
      remoteAddress: '198.51.100.9',
    });
    expect(sent.statusCode, sent.body).toBeLessThan(400);
    await b.settle();
    const filter = encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'visitor@behaviour.test' }));
    visitorLead = (await api.get(`/api/v1/leads?filter=${filter}&fields=id`)).json().data[0].id;
  });
  afterAll(async () => {
    await b.t.stop();
  });

  it('"visited a page matching X in the last N days": pages (path or URL) and downloads, as list filters and segments', async () => {
    const quiet = await buildLead(api, { lastName: 'Quiet', email: 'quiet@behaviour.test' });
    expect(await listed('leads', { field: '@visited', op: 'contains', value: { page: '/pricing', days: 30 } })).toEqual(
      [visitorLead],
    );
    expect(await listed('leads', { field: '@visited', op: 'startsWith', value: { page: '/pricing' } })).toEqual([
      visitorLead,
    ]);
    expect(await listed('leads', { field: '@visited', op: 'eq', value: { page: '/PRICING/enterprise' } })).toEqual([
      visitorLead,
    ]);
    expect(
      await listed('leads', { field: '@visited', op: 'startsWith', value: { page: 'https://www.example.com/pap' } }),
    ).toEqual([visitorLead]);
    expect(await listed('leads', { field: '@visited', op: 'contains', value: { page: '/careers' } })).toEqual([]);
    // Wildcards are text, not patterns.
    expect(await listed('leads', { field: '@visited', op: 'contains', value: { page: '/pric%' } })).toEqual([]);
    expect(await listed('leads', { field: '@visited', op: 'isNotEmpty', value: { kind: 'download' } })).toEqual([
      visitorLead,
    ]);
    expect(
      await listed('leads', { field: '@visited', op: 'contains', value: { page: '/pricing', kind: 'download' } }),
    ).toEqual([]);
    // not: everyone who has not visited (the quiet lead).
    expect(await listed('leads', { not: { field: '@visited', op: 'isNotEmpty' } })).toEqual([quiet.id]);
  });

  it('"submitted form F (in the last N days)", combined with and / or / not and fields, in a dynamic segment', async () => {
    const other = await buildLead(api, { lastName: 'Other form', email: 'other@behaviour.test' });
    expect(
      (
        await b.t.app.inject({
          method: 'POST',
          url: `/f/${otherFormId}`,
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', 'user-agent': CHROME },
          payload: new URLSearchParams({ mail: 'other@behaviour.test' }).toString(),
          remoteAddress: '198.51.100.10',
        })
      ).statusCode,
    ).toBeLessThan(400);
    await b.settle();
    expect(await members('leads', { field: '@submittedForm', op: 'eq', value: { form: formId, days: 7 } })).toEqual([
      visitorLead,
    ]);
    expect(await members('leads', { field: '@submittedForm', op: 'isNotEmpty' })).toEqual(
      [visitorLead, other.id].sort(),
    );
    expect(
      await members('leads', { field: '@submittedForm', op: 'in', value: { forms: [formId, otherFormId] } }),
    ).toEqual([visitorLead, other.id].sort());

    const seg = await api.post('/api/v1/segments', {
      name: 'Hot website leads',
      object: 'leads',
      filter: {
        and: [
          {
            or: [
              { field: '@submittedForm', op: 'eq', value: { form: formId } },
              { field: 'lastName', op: 'eq', value: 'Other form' },
            ],
          },
          { field: '@visited', op: 'contains', value: { page: '/pricing', days: 30 } },
          { not: { field: 'email', op: 'endsWith', value: '@competitor.test' } },
        ],
      },
    });
    expect(seg.statusCode, seg.body).toBe(201);
    const page = await api.get(`/api/v1/segments/${seg.json().data.id}/members?count=true&fields=lastName`);
    expect(page.statusCode, page.body).toBe(200);
    expect(page.json()).toMatchObject({ total: 1, data: [{ id: visitorLead, lastName: 'Visitor' }] });
  });

  it('"opened or clicked any email in the last N days": campaign events count once, only inside the window; entering fires segment.entered', async () => {
    const recent = await buildContact(api, { lastName: 'Recent opener' });
    const old = await buildContact(api, { lastName: 'Old clicker' });
    const never = await buildContact(api, { lastName: 'Never' });
    const seg = await api.create('/api/v1/segments', {
      name: 'Engaged by email',
      object: 'contacts',
      filter: { field: '@emailEngaged', op: 'isNotEmpty', value: { days: 30 } },
    });
    await b.settle();

    await email('email.opened', { campaignId: 'cmp-1', occurredAt: daysAgo(2) }, recent.id);
    await email('email.clicked', {
      contactId: old.id,
      campaignId: 'cmp-0',
      url: 'https://x.test',
      occurredAt: daysAgo(45),
    });
    await b.settle();
    const page = await api.get(`/api/v1/segments/${seg.id}/members?count=true`);
    expect(page.json().total).toBe(1);
    expect(page.json().data[0].id).toBe(recent.id);
    expect(await members('contacts', { field: '@emailEngaged', op: 'isNotEmpty', value: { days: 60 } })).toEqual(
      [recent.id, old.id].sort(),
    );
    expect(
      await members('contacts', { field: '@emailEngaged', op: 'isNotEmpty', value: { action: 'clicked' } }),
    ).toEqual([old.id]);
    expect(
      await members('contacts', { field: '@emailEngaged', op: 'isNotEmpty', value: { campaign: 'cmp-1', days: 30 } }),
    ).toEqual([recent.id]);
    expect(
      await members('contacts', {
        and: [{ not: { field: '@emailEngaged', op: 'isNotEmpty' } }, { field: 'lastName', op: 'eq', value: 'Never' }],
      }),
    ).toEqual([never.id]);

    // The dynamic segment noticed: segment.entered for the recent opener only.
    expect((await segmentEvents(recent.id)).map((e) => [e.type, e.data.segmentId])).toEqual([
      ['segment.entered', seg.id],
    ]);
    expect(await segmentEvents(old.id)).toEqual([]);
    // A redelivered or repeated event writes nothing new and fires nothing new.
    await email('email.clicked', { campaignId: 'cmp-1', occurredAt: daysAgo(1) }, recent.id);
    await b.settle();
    expect((await segmentEvents(recent.id)).length).toBe(1);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from engagement_events
      where record_id = ${recent.id}::uuid`.execute(b.t.database.db);
    expect(rows[0]?.n).toBe(2);
  });

  it('as "the last N days" move on, the hourly pass fires segment.left (and segment.entered under not), once', async () => {
    const fading = await buildContact(api, { lastName: 'Fading' });
    const recentSeg = await api.create('/api/v1/segments', {
      name: 'Opened this month',
      object: 'contacts',
      filter: { field: '@emailEngaged', op: 'isNotEmpty', value: { days: 30 } },
    });
    const lapsedSeg = await api.create('/api/v1/segments', {
      name: 'Lapsed',
      object: 'contacts',
      filter: {
        and: [
          { field: 'lastName', op: 'eq', value: 'Fading' },
          { not: { field: '@emailEngaged', op: 'isNotEmpty', value: { days: 30 } } },
        ],
      },
    });
    await b.settle();
    await email('email.opened', { occurredAt: daysAgo(3) }, fading.id);
    await b.settle();
    expect(await b.t.modules.segments.windows()).toMatchObject({ entered: 0, left: 0 });
    // Four weeks pass: the open is now 33 days old.
    await sql`update engagement_events set occurred_at = occurred_at - interval '30 days'
      where record_id = ${fading.id}::uuid`.execute(b.t.database.db);
    // Reads see it at once; the events wait for the pass.
    const members = await api.get(`/api/v1/segments/${recentSeg.id}/members?count=true&fields=id`);
    expect(members.json().data.map((r: { id: string }) => r.id)).not.toContain(fading.id);
    const pass = await b.t.modules.segments.windows();
    // Also "Engaged by email" (30 days) of the test before: left by this contact too.
    expect(pass).toMatchObject({ entered: 1, left: 2 });
    const ours = [recentSeg.id, lapsedSeg.id];
    const mine = (await segmentEvents(fading.id))
      .filter((e) => ours.includes(e.data.segmentId))
      .map((e) => [e.type, e.data.segmentId]);
    expect(mine).toEqual([
      // The open: in "this month", out of "lapsed" (the outbox, at once)…
      ['segment.entered', recentSeg.id],
      ['segment.left', lapsedSeg.id],
      // …33 days later: the other way round (the hourly pass).
      ['segment.left', recentSeg.id],
      ['segment.entered', lapsedSeg.id],
    ]);
    // Nothing changed since: the next pass fires nothing.
    expect(await b.t.modules.segments.windows()).toMatchObject({ entered: 0, left: 0 });
  });

  it('a purged person takes their engagement with them', async () => {
    const gone = await buildContact(api, { lastName: 'Gone' });
    await email('email.opened', { occurredAt: daysAgo(1) }, gone.id);
    await b.settle();
    const count = async () =>
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from engagement_events where record_id = ${gone.id}::uuid`.execute(b.t.database.db)
      ).rows[0]?.n;
    expect(await count()).toBe(1);
    expect((await api.del(`/api/v1/contacts/${gone.id}`)).statusCode).toBe(204);
    expect((await api.del(`/api/v1/contacts/${gone.id}?permanent=true`)).statusCode).toBe(204);
    await b.settle();
    expect(await count()).toBe(0);
  });

  it('another workspace’s events never count here, even naming this workspace’s people', async () => {
    const mine = await buildContact(api, { lastName: 'Mine only' });
    const other = await signUp(b.t.app, { workspaceName: 'Elsewhere', name: 'Otto Other' });
    await b.t.database.tenant(other.workspaceId, (tx) =>
      emitEvent(
        tx,
        { workspaceId: other.workspaceId, userId: null },
        {
          type: 'email.clicked',
          data: { contactId: mine.id, campaignId: 'cmp-x', occurredAt: daysAgo(1) },
        },
      ),
    );
    await b.settle();
    expect(
      await listed('contacts', {
        and: [
          { field: '@emailEngaged', op: 'isNotEmpty' },
          { field: 'lastName', op: 'eq', value: 'Mine only' },
        ],
      }),
    ).toEqual([]);
    expect(await segmentEvents(mine.id)).toEqual([]);
  });

  it('bad behaviour conditions get a 422 naming the place, and nothing is saved', async () => {
    const before = (await api.get('/api/v1/segments?count=true')).json().total;
    const cases: [string, unknown, string][] = [
      ['contacts', { field: '@sneezed', op: 'isNotEmpty' }, 'filter.field'],
      ['accounts', { field: '@visited', op: 'isNotEmpty' }, 'filter.field'],
      ['leads', { field: '@visited', op: 'gt', value: { page: '/x' } }, 'filter.op'],
      [
        'leads',
        { and: [{ field: '@visited', op: 'contains', value: { page: '/x', days: 0 } }] },
        'filter.and.0.value.days',
      ],
      ['leads', { field: '@visited', op: 'contains', value: { days: 3 } }, 'filter.value.page'],
      ['leads', { field: '@visited', op: 'contains', value: '/pricing' }, 'filter.value'],
      ['leads', { field: '@submittedForm', op: 'eq', value: { form: 'not-an-id' } }, 'filter.value.form'],
      ['leads', { field: '@submittedForm', op: 'eq', value: { form: formId, colour: 'red' } }, 'filter.value.colour'],
      [
        'contacts',
        { not: { field: '@emailEngaged', op: 'isNotEmpty', value: { action: 'bounced' } } },
        'filter.not.value.action',
      ],
    ];
    for (const [object, filter, path] of cases) {
      const res = await api.post('/api/v1/segments', { name: 'Bad', object, filter });
      expect(res.statusCode, JSON.stringify(filter)).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors[0].path, JSON.stringify(filter)).toBe(path);
      const list = await api.get(`/api/v1/${object}?filter=${encodeURIComponent(JSON.stringify(filter))}`);
      expect(list.statusCode).toBe(422);
    }
    expect((await api.get('/api/v1/segments?count=true')).json().total).toBe(before);
  });
});
