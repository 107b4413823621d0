import { gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TTrackingSettings, TVisitsResponse } from '../../../common/contracts/tracking';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact, buildLead } from '../../../test/helpers/factories';
import { client, type HttpClient } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';
import { emitEvent } from '../../platform/events/events';
import { TRACKING_SCRIPT } from './tracking-script';

const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
const visitor = (n: number) => `v${String(n).padStart(3, '0')}${'a'.repeat(28)}`;

describe('website tracking, through HTTP', () => {
  let t: TestApp;
  let admin: SignedUp;
  let as: HttpClient;
  let settings: TTrackingSettings;

  /** Posts a view as t.js does (text/plain JSON); `headers` add to and override a desktop Chrome's. */
  const collect = (
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
    remoteAddress = '198.51.100.7',
  ) =>
    t.app.inject({
      method: 'POST',
      url: '/t/collect',
      headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME, ...headers },
      payload: JSON.stringify(body),
      remoteAddress,
    });
  const view = (visitorId: string, path: string, extra: Record<string, unknown> = {}) => ({
    key: settings.siteKey,
    visitorId,
    url: `https://www.example.com${path}`,
    title: `Page ${path}`,
    referrer: 'https://search.example/',
    kind: 'page',
    ...extra,
  });
  const viewsOf = async (visitorId: string) =>
    (
      await t.database.tenant(admin.workspaceId, (tx) =>
        sql<{ path: string; kind: string; ip_hash: string; browser: string; title: string }>`
          select path, kind, ip_hash, browser, title from page_views where visitor_id = ${visitorId}
          order by occurred_at, id`.execute(tx),
      )
    ).rows;
  const eventsAbout = async (recordId: string) =>
    (
      await t.database.tenant(admin.workspaceId, (tx) =>
        sql<{ type: string; data: Record<string, unknown> }>`
          select type, data from events where record_id = ${recordId}::uuid
            and type in ('page.viewed', 'visitor.identified') order by created_at, id`.execute(tx),
      )
    ).rows;
  /** What a forms module emits for a submission that created or updated `recordId`. */
  const submitted = (object: string, recordId: string, visitorId: string | null) =>
    t.database.tenant(admin.workspaceId, (tx) =>
      emitEvent(
        tx,
        { workspaceId: admin.workspaceId, userId: null },
        {
          type: 'form.submitted',
          object,
          recordId,
          data: { formId: '0190a0b0-0000-7000-8000-00000000f001', formVersion: 1, submissionId: 's', visitorId },
        },
      ),
    );

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { name: 'Mia Marketing', workspaceName: 'Tracked Co' });
    as = client(t, admin.cookie);
    const res = await as.get('/api/v1/tracking/settings');
    expect(res.statusCode, res.body).toBe(200);
    settings = res.json().data;
  });
  afterAll(() => t.stop());

  it('serves t.js: JavaScript, cacheable with an ETag, loadable by other sites, under 5 KB gzipped', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/t.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/javascript/);
    expect(res.headers['cache-control']).toMatch(/public, max-age=\d+/);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(res.body).toBe(TRACKING_SCRIPT);
    expect(res.body).toContain('globalPrivacyControl');
    expect(res.body).not.toMatch(/https?:\/\/(?!\/)/); // no third-party address: it reports to where it came from
    expect(gzipSync(res.body).length).toBeLessThan(5 * 1024);
    const again = await t.app.inject({
      method: 'GET',
      url: '/t.js',
      headers: { 'if-none-match': String(res.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
  });

  it('gives administrators a site key and its script tag; sites can be limited and the key rotated', async () => {
    expect(settings).toMatchObject({ enabled: true, allowedOrigins: [] });
    expect(settings.siteKey).toMatch(/^rk_[A-Za-z0-9_-]{20,}$/);
    expect(settings.snippet).toBe(
      `<script src="http://localhost:3000/t.js" data-key="${settings.siteKey}" async></script>`,
    );
    const bad = await as.post('/api/v1/tracking/settings', { allowedOrigins: ['https://example.com/path'] });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('allowedOrigins.0');
    const unknown = await as.post('/api/v1/tracking/settings', { colour: 'red' });
    expect(unknown.statusCode).toBe(422);
    expect((await as.get('/api/v1/tracking/settings')).json().data).toEqual(settings); // nothing changed
  });

  it('stores a view of a real browser, with a hashed address and a browser family only', async () => {
    const res = await collect(view(visitor(1), '/pricing?plan=pro'));
    expect(res.statusCode, res.body).toBe(204);
    const rows = await viewsOf(visitor(1));
    expect(rows).toEqual([
      {
        path: '/pricing',
        kind: 'page',
        ip_hash: expect.stringMatching(/^[0-9a-f]{32}$/),
        browser: 'Chrome',
        title: 'Page /pricing?plan=pro',
      },
    ]);
    expect(rows[0]?.ip_hash).not.toContain('198.51.100.7');
    // JSON works too (a caller that is not t.js), and downloads are views of their own kind.
    const json = await t.app.inject({
      method: 'POST',
      url: '/t/collect',
      headers: { 'user-agent': CHROME, origin: 'https://www.example.com' },
      payload: view(visitor(1), '/files/guide.pdf', { kind: 'download' }),
    });
    expect(json.statusCode, json.body).toBe(204);
    expect(json.headers['access-control-allow-origin']).toBe('https://www.example.com');
    expect((await viewsOf(visitor(1))).map((r) => r.kind)).toEqual(['page', 'download']);
    const recent = await as.get('/api/v1/tracking/views?limit=5');
    expect(recent.statusCode, recent.body).toBe(200);
    expect(recent.json().data.map((v: { path: string; identified: boolean }) => [v.path, v.identified])).toEqual([
      ['/files/guide.pdf', false],
      ['/pricing', false],
    ]);
    // An anonymous visitor's views are rows only: no event.
    const { rows: events } = await t.database.tenant(admin.workspaceId, (tx) =>
      sql`select 1 from events where type = 'page.viewed'`.execute(tx),
    );
    expect(events).toHaveLength(0);
  });

  it('stores nothing for Do-Not-Track, Global Privacy Control, bots, an unknown key or another site', async () => {
    expect((await collect(view(visitor(2), '/a'), { dnt: '1' })).statusCode).toBe(204);
    expect((await collect(view(visitor(2), '/b'), { 'sec-gpc': '1' })).statusCode).toBe(204);
    expect((await collect(view(visitor(2), '/c'), { 'user-agent': GOOGLEBOT })).statusCode).toBe(204);
    expect((await collect(view(visitor(2), '/d'), { 'user-agent': '' })).statusCode).toBe(204);
    expect((await collect(view(visitor(2), '/e', { key: 'rk_not_a_key_of_anyone_here' }))).statusCode).toBe(204);
    await as.post('/api/v1/tracking/settings', { allowedOrigins: ['https://www.example.com'] });
    const other = await collect(view(visitor(2), '/f'), { origin: 'https://evil.example' });
    expect(other.statusCode).toBe(204);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    await as.post('/api/v1/tracking/settings', { enabled: false });
    expect((await collect(view(visitor(2), '/g'))).statusCode).toBe(204);
    expect(await viewsOf(visitor(2))).toEqual([]);
    await as.post('/api/v1/tracking/settings', { enabled: true, allowedOrigins: [] });
    expect((await collect(view(visitor(2), '/h'), { origin: 'https://evil.example' })).statusCode).toBe(204);
    expect((await viewsOf(visitor(2))).map((r) => r.path)).toEqual(['/h']);
  });

  it('answers bad bodies with 4xx naming the field, and stores nothing', async () => {
    const res = await collect(view(visitor(3), '/x', { url: 'javascript:alert(1)', kind: 'click' }));
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(
      res
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['kind', 'url']);
    const hostless = await collect(view(visitor(3), '/x', { url: 'http://' }));
    expect(hostless.statusCode).toBe(422);
    expect(hostless.json().errors[0].path).toBe('url');
    const nul = await collect(view(visitor(3), '/x', { title: 'a\u0000b' }));
    expect(nul.statusCode).toBe(422);
    expect(nul.json().errors[0].path).toBe('title');
    for (const body of ['null', '[]', '{"key":{"a":1}}']) {
      const odd = await t.app.inject({
        method: 'POST',
        url: '/t/collect',
        headers: { 'content-type': 'text/plain', 'user-agent': CHROME },
        payload: body,
      });
      expect(odd.statusCode, body).toBe(422);
    }
    const junk = await t.app.inject({
      method: 'POST',
      url: '/t/collect',
      headers: { 'content-type': 'text/plain', 'user-agent': CHROME },
      payload: 'not json',
    });
    expect(junk.statusCode).toBe(400);
    const huge = await collect(view(visitor(3), '/x', { title: 'x'.repeat(20_000) }));
    expect(huge.statusCode).toBe(413);
    expect(await viewsOf(visitor(3))).toEqual([]);
  });

  it('a rotated key stops working at once', async () => {
    const old = settings.siteKey;
    const res = await as.post('/api/v1/tracking/settings', { rotateKey: true });
    expect(res.statusCode, res.body).toBe(200);
    settings = res.json().data;
    expect(settings.siteKey).not.toBe(old);
    await collect(view(visitor(4), '/old', { key: old }));
    await collect(view(visitor(4), '/new'));
    expect((await viewsOf(visitor(4))).map((r) => r.path)).toEqual(['/new']);
  });

  it('a form submission identifies the visitor: earlier views replay as page.viewed, later ones follow', async () => {
    const lead = await buildLead(as, { lastName: 'Visitor', email: 'visitor@example.com' });
    const v = visitor(5);
    await collect(view(v, '/'));
    await collect(view(v, '/pricing'));
    await submitted('leads', lead.id, v);
    await t.events.drain();
    let events = await eventsAbout(lead.id);
    expect(events.map((e) => e.type)).toEqual(['visitor.identified', 'page.viewed', 'page.viewed']);
    expect(events[1]?.data).toMatchObject({ path: '/', kind: 'page', visitorId: v, backfilled: true });
    expect(Date.parse(String(events[1]?.data.occurredAt))).toBeLessThanOrEqual(
      Date.parse(String(events[2]?.data.occurredAt)),
    );
    // Redelivered (or submitted again): nothing twice.
    await submitted('leads', lead.id, v);
    await t.events.drain();
    expect(await eventsAbout(lead.id)).toHaveLength(3);
    // A later view belongs to the lead at once.
    await collect(view(v, '/files/brochure.pdf', { kind: 'download' }));
    events = await eventsAbout(lead.id);
    expect(events).toHaveLength(4);
    expect(events[3]).toMatchObject({ type: 'page.viewed', data: { path: '/files/brochure.pdf', kind: 'download' } });
    expect(events[3]?.data.backfilled).toBeUndefined();

    const visits = await as.get(`/api/v1/leads/${lead.id}/visits`);
    expect(visits.statusCode, visits.body).toBe(200);
    const body = visits.json() as TVisitsResponse;
    expect(body).toMatchObject({ total: 3, visitors: 1 });
    expect(body.data.map((x) => x.path)).toEqual(['/files/brochure.pdf', '/pricing', '/']);
    // The record's single view includes them as its "visits" section.
    const one = await as.get(`/api/v1/leads/${lead.id}?include=visits`);
    expect(one.statusCode, one.body).toBe(200);
    expect(JSON.stringify(one.json())).toContain('/files/brochure.pdf');
  });

  it('a submission without a visitor id, or about another object, links nothing', async () => {
    const contact = await buildContact(as, { lastName: 'NoCookie' });
    await submitted('contacts', contact.id, null);
    await submitted('accounts', contact.id, visitor(6));
    await t.events.drain();
    expect(await eventsAbout(contact.id)).toEqual([]);
    const visits = await as.get(`/api/v1/contacts/${contact.id}/visits`);
    expect(visits.json()).toEqual({ data: [], total: 0, visitors: 0 });
  });

  describe('who may see and change what', () => {
    let rep: Member;
    let marketing: Member;
    beforeAll(async () => {
      rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Sam Rep');
      marketing = await memberWithRole(t, admin.workspaceId, 'marketing_manager', 'Max Marketing');
    });

    it('visits follow the record: a sales rep with their own scope gets 404 for another’s lead', async () => {
      const others = await buildLead(as, { lastName: 'NotYours' });
      await collect(view(visitor(7), '/secret-plans'));
      await submitted('leads', others.id, visitor(7));
      await t.events.drain();
      const repApi = client(t, rep.cookie);
      const denied = await repApi.get(`/api/v1/leads/${others.id}/visits`);
      expect(denied.statusCode).toBe(404);
      expect(denied.body).not.toContain('secret-plans');
      const own = await buildLead(repApi, { lastName: 'Mine' });
      const mine = await repApi.get(`/api/v1/leads/${own.id}/visits`);
      expect(mine.statusCode, mine.body).toBe(200);
      expect((await repApi.get('/api/v1/leads/not-an-id/visits')).statusCode).toBe(422);
      // Another workspace's lead is not found either.
      const stranger = await signUp(t.app, { workspaceName: 'Elsewhere' });
      expect((await client(t, stranger.cookie).get(`/api/v1/leads/${others.id}/visits`)).statusCode).toBe(404);
    });

    it('settings: marketing managers and administrators only', async () => {
      expect((await client(t, marketing.cookie).get('/api/v1/tracking/settings')).statusCode).toBe(200);
      const repApi = client(t, rep.cookie);
      expect((await repApi.get('/api/v1/tracking/settings')).statusCode).toBe(403);
      expect((await repApi.post('/api/v1/tracking/settings', { rotateKey: true })).statusCode).toBe(403);
      expect((await repApi.get('/api/v1/tracking/views')).statusCode).toBe(403);
      expect((await client(t, marketing.cookie).get('/api/v1/tracking/views')).statusCode).toBe(200);
      expect((await as.get('/api/v1/tracking/settings')).json().data.siteKey).toBe(settings.siteKey);
    });
  });
});

describe('t/collect rate limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ publicRateLimits: true });
  });
  afterAll(() => t.stop());

  it('answers 429 with Retry-After once one address sends too many views', async () => {
    const send = (ip: string) =>
      t.app.inject({
        method: 'POST',
        url: '/t/collect',
        headers: { 'content-type': 'text/plain', 'user-agent': CHROME },
        payload: JSON.stringify({ key: 'rk_unknown_key_00000000', visitorId: visitor(9), url: 'https://a.example/' }),
        remoteAddress: ip,
      });
    let last = await send('203.0.113.5');
    let n = 1;
    while (last.statusCode === 204 && n < 400) {
      last = await send('203.0.113.5');
      n++;
    }
    expect(last.statusCode).toBe(429);
    expect(n).toBe(241);
    expect(Number(last.headers['retry-after'])).toBeGreaterThan(0);
    expect(last.headers['content-type']).toMatch(/problem\+json/);
    // Another address is not held back.
    expect((await send('203.0.113.6')).statusCode).toBe(204);
  }, 60_000);
});
