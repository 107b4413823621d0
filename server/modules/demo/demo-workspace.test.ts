import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TFeedEntry } from '../../../common/contracts/feed';
import type { TVisitsResponse } from '../../../common/contracts/tracking';
import { createTestApp, sessionCookie, type TestApp } from '../../../test/helpers/app';
import { client } from '../../../test/helpers/http';
import { FakeTwilioCall } from '../../../test/helpers/twilio-fake';
import type { DemoLogin } from '../../platform/modules';
import { DEMO_PEOPLE } from './demo-team';

// The whole demo workspace, seeded once for the file (seeding is the slow part: each
// module's demo used to seed its own copy). Each module that adds demo data adds its
// checks here, as a describe block below the sales sample.

describe('the demo workspace shows the product working', () => {
  let t: TestApp;
  let demo: DemoLogin;
  const cookies = new Map<string, string>();
  const get = async (url: string, email = demo.email) => {
    const res = await t.app.inject({ method: 'GET', url, headers: { cookie: cookies.get(email) as string } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const email = (key: (typeof DEMO_PEOPLE)[number]['key']) => DEMO_PEOPLE.find((p) => p.key === key)?.email as string;

  beforeAll(async () => {
    t = await createTestApp();
    // No demo, no demo chat page.
    expect((await t.app.inject({ method: 'GET', url: '/chat/demo' })).statusCode).toBe(404);
    // How long it takes is the machine's business, not a test's (speed lives in bench/).
    demo = (await t.seedDemo()) as DemoLogin;
    // No password given: one was generated, and this is the only time it is known.
    const password = demo.generatedPassword as string;
    expect(password).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
    for (const user of demo.users) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/sign-in',
        payload: { email: user.email, password },
      });
      expect(res.statusCode, `${user.email}: ${res.body}`).toBe(200);
      cookies.set(user.email, sessionCookie(res));
    }
    // A later start adds nothing: every count checked below would show a second copy.
    expect((await t.seedDemo())?.created).toBe(false);
  }, 300_000);
  afterAll(() => t.stop());

  it('has people in different roles and teams, each of whom can sign in; the administrator lists them', async () => {
    expect(demo.users[0]).toMatchObject({ email: demo.email, role: 'Administrator' });
    expect(new Set(demo.users.map((u) => u.role)).size).toBeGreaterThanOrEqual(4);
    expect(cookies.size).toBe(demo.users.length);
    const members = (await get('/api/v1/members')).data;
    expect(members.map((m: { email: string }) => m.email).sort()).toEqual(demo.users.map((u) => u.email).sort());
    const teams = (await get('/api/v1/teams')).data;
    expect(teams.map((team: { name: string }) => team.name)).toEqual([
      'Customer Care',
      'Marketing',
      'Sales Americas',
      'Sales EMEA',
    ]);
    const emea = teams.find((team: { name: string }) => team.name === 'Sales EMEA');
    expect(emea.memberIds).toHaveLength(2);
  });

  it('leads in every status, unevenly; opportunities in every stage; a year of won and lost deals; quotes', async () => {
    const leads = (await get('/api/v1/leads?limit=100')).data as { status: string }[];
    const byStatus = new Map<string, number>();
    for (const l of leads) byStatus.set(l.status, (byStatus.get(l.status) ?? 0) + 1);
    expect(new Set(byStatus.keys())).toEqual(
      new Set(['new', 'working', 'mql', 'sql', 'nurturing', 'disqualified', 'converted']),
    );
    expect(byStatus.get('new')).toBeGreaterThan(3 * (byStatus.get('sql') ?? 0) - 1); // a funnel, not one of each
    expect(Math.max(...byStatus.values())).toBeGreaterThanOrEqual(5);

    const [pipeline] = (await get('/api/v1/pipelines')).data;
    const opportunities = (await get('/api/v1/opportunities?limit=200')).data as {
      stageId: string;
      closedAt: string | null;
      ownerId: string;
    }[];
    const stages = new Set(opportunities.map((o) => o.stageId));
    for (const s of pipeline.stages) expect(stages.has(s.id), s.name).toBe(true);
    const closed = opportunities.filter((o) => o.closedAt).map((o) => Date.parse(o.closedAt as string));
    const spanDays = (Math.max(...closed) - Math.min(...closed)) / 86_400_000;
    expect(spanDays).toBeGreaterThan(300); // a year of history
    expect(new Set(opportunities.map((o) => o.ownerId)).size).toBeGreaterThanOrEqual(4);

    expect((await get('/api/v1/products?count=true')).total).toBe(5);
    const quotes = (await get('/api/v1/quotes?sort=number')).data;
    expect(quotes.map((q: { number: number }) => q.number)).toEqual([1, 2]);
    expect(quotes[0].total.amount).not.toBe('0');
    expect(quotes[1].status).toBe('accepted');
    const stats = (await get('/api/v1/deals/stats')).data;
    expect(stats.won).toBeGreaterThanOrEqual(10);
    expect(stats.lost).toBeGreaterThanOrEqual(5);
    expect(stats.won).toBeGreaterThan(stats.lost);
  });

  it('a sales representative has tasks and meetings today, their own accounts, interactions and notes', async () => {
    const sam = email('sam');
    const day = (await get('/api/v1/me/day?tz=UTC', sam)).data;
    expect(day.tasks.length).toBeGreaterThanOrEqual(3);
    expect(day.meetings.length).toBeGreaterThanOrEqual(2);
    expect(day.overdue).toBeGreaterThanOrEqual(1);
    const accounts = (await get('/api/v1/accounts?count=true&limit=1', sam)).total;
    const all = (await get('/api/v1/accounts?count=true&limit=1')).total;
    expect(accounts).toBeGreaterThan(5);
    expect(accounts).toBeLessThan(all); // their own book, not everyone's
    expect((await get('/api/v1/interactions?count=true&limit=1', sam)).total).toBeGreaterThan(10);
    expect((await get('/api/v1/notes?count=true&limit=1', sam)).total).toBeGreaterThanOrEqual(1);
    const interactions = (await get('/api/v1/interactions?limit=200')).data as { channel: string }[];
    expect(new Set(interactions.map((i) => i.channel)).size).toBeGreaterThanOrEqual(4);
  });

  it('comments with mentions on a deal timeline, each a notification for the person named', async () => {
    const filter = { field: 'name', op: 'eq', value: 'EMEA expansion' };
    const [deal] = (await get(`/api/v1/opportunities?filter=${encodeURIComponent(JSON.stringify(filter))}`)).data;
    const timeline = (await get(`/api/v1/opportunities/${deal?.id}/timeline`)).data as {
      kind: string;
      body?: string;
    }[];
    const comments = timeline.filter((e) => e.kind === 'comment');
    expect(comments.length).toBeGreaterThanOrEqual(3);
    const notifications = (await get('/api/v1/notifications', email('sam'))).data as { kind: string }[];
    expect(notifications.filter((n) => n.kind === 'mention').length).toBeGreaterThanOrEqual(2);
  });

  it('an active workflow for new website leads, with mail templates', async () => {
    const workflows = (await get('/api/v1/workflows')).data as { name: string; active: boolean }[];
    expect(workflows).toEqual([expect.objectContaining({ name: 'Call new website leads', active: true })]);
    const templates = (await get('/api/v1/mail/templates')).data as { name: string }[];
    expect(templates.map((x) => x.name)).toContain('Welcome — new lead');
    expect(templates.length).toBeGreaterThanOrEqual(3);
  });

  it('shows the matching at work: the Nordlicht lead finds its account; a switchboard is no duplicate; an account entered twice is', async () => {
    const byName = async (object: string, field: string, value: string) =>
      (await get(`/api/v1/${object}?filter=${encodeURIComponent(JSON.stringify({ field, op: 'eq', value }))}`)).data;
    const [mia] = await byName('leads', 'email', 'mia.kowalski@nordlicht.example');
    const [nordlicht] = await byName('accounts', 'name', 'Nordlicht');
    const matches = (await get(`/api/v1/leads/${mia.id}/conversion-matches`)).data;
    expect(matches.accounts[0]).toMatchObject({ id: nordlicht.id });
    expect(matches.accounts[0].reasons).toEqual(expect.arrayContaining(['domain', 'name']));

    const [oliver] = await byName('contacts', 'email', 'oliver.grant@harbour-quay.example');
    const forOliver = (await get(`/api/v1/contacts/${oliver.id}/duplicates`)).data as { strong: boolean }[];
    expect(forOliver.filter((d) => d.strong)).toEqual([]);

    const [harbour] = await byName('accounts', 'domain', 'harbour-quay.example');
    const [again] = await byName('accounts', 'name', 'Harbour & Quay');
    const forHarbour = (await get(`/api/v1/accounts/${harbour.id}/duplicates`)).data as {
      id: string;
      strong: boolean;
      reasons: string[];
    }[];
    expect(forHarbour[0]).toMatchObject({ id: again.id, strong: true });
    expect(forHarbour[0]?.reasons).toEqual(expect.arrayContaining(['phone', 'name']));
  });

  // The modules' own demo data, as the administrator sees it.
  const admin = () => client(t, cookies.get(demo.email) as string);

  it('segments: a dynamic "Contacts in Germany", behaviour segments with members and a static "VIP list"', async () => {
    const api = admin();
    const list = (await api.get('/api/v1/segments?sort=name&fields=name,type')).json().data as {
      id: string;
      name: string;
      type: string;
    }[];
    expect(list.filter((s) => s.name === 'VIP list')).toHaveLength(1);
    const germany = list.find((s) => s.name === 'Contacts in Germany');
    expect(germany?.type).toBe('dynamic');
    const members = (await api.get(`/api/v1/segments/${germany?.id}/members?count=true&include=account`)).json();
    expect(members.total).toBeGreaterThan(0);
    expect(
      members.data.every(
        (c: { address?: { country?: string }; account?: { address?: { country?: string } } }) =>
          c.address?.country === 'DE' || c.account?.address?.country === 'DE',
      ),
    ).toBe(true);
    // Behaviour segments: the scoring demo's visits (delivered through the outbox) make their members.
    await t.events.drain();
    const pricing = list.find((s) => s.name === 'Pricing page visitors (30 days)');
    const visitors = (await api.get(`/api/v1/segments/${pricing?.id}/members?count=true&fields=id`)).json();
    expect(visitors.total).toBeGreaterThan(0);
    // Exactly the leads the outbox says viewed /pricing… in the last 30 days.
    const { rows } = await sql<{ id: string }>`
      select distinct coalesce(record_id::text, data ->> 'leadId') as id from events
      where type = 'page.viewed' and data ->> 'path' like '/pricing%'
        and (data ->> 'occurredAt')::timestamptz > now() - interval '30 days'`.execute(t.database.db);
    expect((visitors.data as { id: string }[]).map((l) => l.id).sort()).toEqual(rows.map((r) => r.id).sort());
    const engaged = list.find((s) => s.name === 'Engaged on the website or by email');
    expect((await api.get(`/api/v1/segments/${engaged?.id}/members?count=true`)).json().total).toBeGreaterThan(0);
    const vip = list.find((s) => s.name === 'VIP list');
    expect((await api.get(`/api/v1/segments/${vip?.id}/members?count=true`)).json().total).toBe(5);
  });

  it('forms: a published "Contact us" form, with submissions that made leads with consents', async () => {
    const as = admin();
    const forms = (await as.get('/api/v1/forms')).json().data;
    expect(forms.map((f: { name: string }) => f.name)).toEqual(['Contact us']);
    expect(forms[0].submissions).toBe(3);
    const page = await client(t, null).get(`/f/${forms[0].id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="email"');
    const subs = (await as.get(`/api/v1/forms/${forms[0].id}/submissions`)).json().data;
    const nora = subs.find((s: { data: { email: string } }) => s.data.email === 'nora.lindqvist@example.org');
    const ledger = (await as.get(`/api/v1/leads/${nora.recordId}/consents`)).json();
    expect(ledger.data[0]).toMatchObject({ purpose: 'marketing_email', status: 'granted', source: 'form' });
    // A customer's browser sent Global Privacy Control: "do not sell or share", from the gpc source.
    const filter = encodeURIComponent(JSON.stringify({ field: 'doNotSell', op: 'eq', value: true }));
    const guarded = (await as.get(`/api/v1/contacts?filter=${filter}&fields=id`)).json().data;
    expect(guarded).toHaveLength(1);
    const gpc = (await as.get(`/api/v1/contacts/${guarded[0].id}/consents`)).json();
    expect(gpc.data.find((c: { purpose: string }) => c.purpose === 'sale_sharing')).toMatchObject({
      status: 'withdrawn',
      source: 'gpc',
    });
  });

  it('tracking: a site key and a few leads with visits, a download among them', async () => {
    const as = admin();
    const settings = await as.get('/api/v1/tracking/settings');
    expect(settings.json().data.siteKey).toMatch(/^rk_/);
    const recent = await as.get('/api/v1/tracking/views?limit=200');
    const views = recent.json().data as { path: string; kind: string; identified: boolean }[];
    expect(views).toHaveLength(10);
    expect(views.every((v) => v.identified)).toBe(true);
    const leads = (await as.get('/api/v1/leads?limit=3&sort=-createdAt&fields=id')).json().data as { id: string }[];
    const visits = await Promise.all(
      leads.map(async (l) => (await as.get(`/api/v1/leads/${l.id}/visits`)).json() as TVisitsResponse),
    );
    expect(visits.map((v) => v.total)).toEqual([4, 2, 4]);
    expect(visits[0]?.data.some((v) => v.kind === 'download')).toBe(true);
  });

  it('feed: colleague messages, one of them about a demo opportunity', async () => {
    const feed = await admin().get('/api/v1/feed?type=message.posted&limit=100');
    expect(feed.statusCode, feed.body).toBe(200);
    const messages = feed.json().data as TFeedEntry[];
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages.filter((m) => m.body?.startsWith('Welcome to the team feed'))).toHaveLength(1);
    const about = messages.find((m) => m.recordMentions?.length);
    expect(about?.recordMentions?.[0]).toMatchObject({ object: 'opportunities', title: expect.any(String) });
  });

  it('tickets: an SLA policy, tickets with conversations and a rated solved ticket', async () => {
    const api = admin();
    expect((await api.get('/api/v1/sla-policies')).json().data).toHaveLength(1);
    const tickets = (await api.get('/api/v1/tickets?limit=50')).json().data as Record<string, any>[];
    expect(tickets).toHaveLength(27); // 3 worked examples and half a year of history for the service dashboard (reports)
    const mailed = tickets.find((x) => x.subject === 'Cannot export invoices to CSV');
    expect(mailed?.firstResponseDueAt).toBeTruthy();
    const convo = (await api.get(`/api/v1/tickets/${mailed?.id}/messages`)).json().data as { kind: string }[];
    expect(convo.map((m) => m.kind)).toEqual(expect.arrayContaining(['inbound', 'reply']));
    const rated = tickets.find((x) => x.status === 'solved');
    const full = (await api.get(`/api/v1/tickets/${rated?.id}?fields=csatRating`)).json().data;
    expect(full.csatRating).toBe(5);
    // Macros, the inbound mail's attachment, the rating on the contact's timeline.
    const macros = (await api.get('/api/v1/ticket-macros')).json().data as { name: string }[];
    expect(macros.map((m) => m.name)).toEqual(['Escalated to engineering', 'Need more details', 'Thanks, solved']);
    const inbound = convo.find((m) => m.kind === 'inbound') as unknown as { attachments: { url: string }[] };
    const file = await api.get(inbound.attachments[0]?.url as string);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    const applied = await api.post(`/api/v1/tickets/${mailed?.id}/macros/${(macros[2] as any).id}/apply`);
    expect(applied.json().data.body).toContain(`ticket #${mailed?.number} is fixed`);
    const timeline = (await api.get(`/api/v1/contacts/${rated?.contactId}/timeline`)).json().data as { type: string }[];
    expect(timeline.map((i) => i.type)).toContain('contact.csat_received');
    // A support address routed to Customer Care (round robin within it).
    const mailboxes = (await api.get('/api/v1/service/mailboxes')).json().data as { address: string; teamId: string }[];
    const care = (await api.get('/api/v1/teams')).json().data.find((x: { name: string }) => x.name === 'Customer Care');
    expect(mailboxes.find((m) => m.address === 'help@northwind-outfitters.example')?.teamId).toBe(care.id);
  });

  it('knowledge: categories and public articles in a working help centre', async () => {
    const as = admin();
    const articles = (await as.get('/api/v1/articles?limit=100&fields=title,visibility,status')).json().data;
    expect(articles).toHaveLength(8);
    expect(articles.filter((a: { visibility: string }) => a.visibility === 'internal')).toHaveLength(1);
    expect(articles.filter((a: { status: string }) => a.status === 'draft')).toHaveLength(1);
    const settings = (await as.get('/api/v1/service/settings')).json().data;
    expect(settings.helpCentreEnabled).toBe(true);
    const home = await t.app.inject({ method: 'GET', url: new URL(settings.helpCentreUrl).pathname });
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Getting started');
    expect(home.body).toContain('Café opening hours for pick-up');
    expect(home.body).not.toContain('Escalating a damaged delivery');
    expect(home.body).not.toContain('Loyalty programme');
  });

  it('bounces: a hard bounce (on the contact’s timeline) and a manual suppression', async () => {
    const as = admin();
    const list = (await as.get('/api/v1/mail/suppressions')).json().data;
    expect(list.map((s: { reason: string }) => s.reason).sort()).toEqual(['hard_bounce', 'manual']);
    const bounced = list.find((s: { reason: string }) => s.reason === 'hard_bounce');
    expect(bounced.source).toContain('5.1.1');
    const mail = (await as.get(`/api/v1/mail/outbox/${bounced.outboxId}`)).json().data;
    expect(mail).toMatchObject({ status: 'sent', subject: 'Our spring newsletter' });
    const contact = (
      await as.get(
        `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: mail.to }))}&fields=id`,
      )
    ).json().data[0];
    const timeline = (await as.get(`/api/v1/contacts/${contact.id}/timeline?kinds=event`)).json().data;
    expect(timeline.find((i: { type?: string }) => i.type === 'mail.bounced')).toMatchObject({
      data: { kind: 'hard', status: '5.1.1', email: mail.to.toLowerCase() },
    });
  });

  it('meeting invitations: the negotiation follow-up’s contacts answered its iTIP invitation (on its timeline)', async () => {
    const as = admin();
    const q = encodeURIComponent(JSON.stringify({ field: 'title', op: 'eq', value: 'Negotiation follow-up' }));
    const meeting = (await as.get(`/api/v1/meetings?filter=${q}&fields=id,attendeeContactIds`)).json().data[0];
    const invitations = (await as.get(`/api/v1/meetings/${meeting.id}/invitations`)).json().data;
    expect(invitations.map((i: { partstat: string }) => i.partstat).sort()).toEqual(['ACCEPTED', 'TENTATIVE']);
    expect(invitations.map((i: { contactId: string }) => i.contactId).sort()).toEqual(
      [...meeting.attendeeContactIds].sort(),
    );
    // Already answered: once the events are delivered, nobody is invited to it again.
    await t.events.drain();
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from mail_outbox
      where calendar->>'content' like ${`%UID:meetings-${meeting.id}@rapport%`}`.execute(t.database.db);
    expect(rows[0]?.n).toBe(0);
    // The other upcoming meetings with contacts did invite them (Priya's sponsor lunch in five days).
    const { rows: sent } = await sql<{ n: number }>`
      select count(*)::int as n from mail_outbox where calendar->>'method' = 'REQUEST'`.execute(t.database.db);
    expect(sent[0]?.n).toBeGreaterThan(0);
    const timeline = (await as.get(`/api/v1/meetings/${meeting.id}/timeline?kinds=event`)).json().data;
    expect(timeline.filter((i: { type?: string }) => i.type === 'meeting.replied')).toHaveLength(2);
  });

  it('phone sync: an app password for a tablet, and a contact added from it that kept its own properties', async () => {
    const as = admin();
    const list = (await as.get('/api/v1/me/app-passwords')).json().data;
    expect(list).toEqual([
      expect.objectContaining({ name: 'Demo tablet', revokedAt: null, lastUsedAt: expect.any(String) }),
    ]);
    const noor = (
      await as.get(
        `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'email', op: 'eq', value: 'noor.haddad@example.com' }))}`,
      )
    ).json().data;
    expect(noor).toEqual([
      expect.objectContaining({ firstName: 'Noor', lastName: 'Haddad', title: 'Procurement lead' }),
    ]);
    // Through CardDAV with a new app password: the card keeps what Rapport has no field for.
    const creds = (await as.post('/api/v1/me/app-passwords', { name: 'Test phone' })).json().data;
    const me = (await as.get('/api/v1/me')).json().data;
    const card = await t.app.inject({
      method: 'GET',
      url: `/dav/addressbooks/${me.user.id}/contacts/demo-from-phone.vcf`,
      headers: { authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` },
    });
    expect(card.statusCode, card.body).toBe(200);
    expect(card.body).toContain('NICKNAME:Noor from the trade fair');
    expect(card.body).toContain('X-PHONETIC-LAST-NAME:Had-dad');
    expect(card.body).toContain('UID:demo-tablet-noor-haddad');
  });

  it('campaigns: an email campaign with members, an MJML template, a sender and attributed leads', async () => {
    const api = admin();
    // The reports demo adds past campaigns with their cost (for ROI and CAC), checked with the standard dashboards.
    const history = ['Autumn LinkedIn ads', 'Customer day', 'Partner newsletter', 'Search ads'];
    const list = (
      (await api.get('/api/v1/campaigns?sort=name&fields=name,type,status,parentId')).json().data as {
        id: string;
        name: string;
        type: string;
        parentId: string | null;
      }[]
    ).filter((c) => !history.includes(c.name));
    // The welcome sequence's campaign holds its emails (the sequences check below).
    // The geo-targeted invitation under the trade fair: the geo check below.
    expect(list.map((c) => c.name)).toEqual([
      'Spring webinar',
      'Trade fair Berlin',
      'Trade fair Berlin: customer evening invitations',
      'Welcome new leads (nurture)',
    ]);
    const spring = list[0] as { id: string };
    expect(list[1]?.parentId).toBe(spring.id);
    const members = (await api.get(`/api/v1/campaigns/${spring.id}/members`)).json();
    expect(members.data.length).toBeGreaterThan(0);
    const results = (await api.get(`/api/v1/campaigns/${spring.id}/results`)).json().data;
    expect(results).toMatchObject({ leads: 2, cost: '1800', currency: 'EUR' });
    const templates = (await api.get('/api/v1/mail/templates')).json().data as { name: string; format: string }[];
    expect(templates.find((x) => x.name === 'Spring webinar invitation')?.format).toBe('mjml');
    expect((await api.get('/api/v1/mail/senders')).json().data).toHaveLength(1);
    const preview = (await api.get(`/api/v1/campaigns/${spring.id}/send/preview`)).json().data;
    expect(preview.members).toBe(members.data.length);
    // The trade fair keeps its members in sync with "Contacts in Germany".
    const fair = list[1] as { id: string };
    expect((await api.get(`/api/v1/campaigns/${fair.id}/segments`)).json().data).toEqual([
      expect.objectContaining({ segmentName: 'Contacts in Germany', object: 'contacts' }),
    ]);
    const germans = (await api.get(`/api/v1/campaigns/${fair.id}/members`)).json().data;
    expect(germans.length).toBeGreaterThan(0);
  });

  it('chat: on, answered by Customer Care, and the demo page embeds its widget', async () => {
    const as = admin();
    const settings = (await as.get('/api/v1/chat/settings')).json().data;
    expect(settings.enabled).toBe(true);
    const teams = (await as.get('/api/v1/teams')).json().data as { id: string; name: string }[];
    expect(teams.find((x) => x.id === settings.teamId)?.name).toBe('Customer Care');
    const page = await t.app.inject({ method: 'GET', url: '/chat/demo' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain(`<script src="/chat/widget.js" data-key="${settings.widgetKey}" async></script>`);
    const config = await t.app.inject({ method: 'GET', url: `/chat/config?key=${settings.widgetKey}` });
    expect(config.json().data).toMatchObject({ enabled: true, online: false });
    // A past chat: rated, with the visitor's photo downloadable.
    const ended = (await as.get('/api/v1/chats?status=ended')).json().data as { id: string; csatRating: number }[];
    expect(ended[0]?.csatRating).toBe(5);
    const chat = (await as.get(`/api/v1/chats/${ended[0]?.id}`)).json().data;
    const photo = chat.messages.flatMap((m: { attachments: { id: string }[] }) => m.attachments)[0];
    const file = await as.get(`/api/v1/chats/${chat.id}/attachments/${photo.id}`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
  });

  it('reports: a shared "Sales overview" dashboard whose charts show a year of won revenue and the pipeline', async () => {
    const as = admin();
    const dashboards = (await as.get('/api/v1/dashboards')).json().data as {
      name: string;
      widgets: { reportId: string }[];
    }[];
    expect(dashboards.map((d) => d.name)).toEqual(['Sales overview']);
    const widgets = dashboards[0]?.widgets ?? [];
    expect(widgets).toHaveLength(5);
    const results = await Promise.all(
      widgets.map(async (w) => {
        const res = await as.post(`/api/v1/reports/${w.reportId}/run`);
        expect(res.statusCode, res.body).toBe(200);
        return res.json().data as { rows: Record<string, unknown>[] };
      }),
    );
    // Every chart has something to show; revenue won spans several months.
    for (const r of results) expect(r.rows.length).toBeGreaterThan(0);
    expect(results[2]?.rows.length).toBeGreaterThan(3);
    // Each sales representative has this quarter's quota: the forecast shows attainment.
    const forecast = (await as.get('/api/v1/forecast')).json().data;
    expect(forecast.quota).not.toBeNull();
    expect(forecast.attainment).toMatch(/^\d+\.\d$/);
  });

  it('reports: every standard dashboard shows something; the forecast has a snapshot; the sales dashboard is mailed weekly', async () => {
    const as = admin();
    const board = async (kind: string) => {
      const res = await as.get(`/api/v1/dashboards/standard/${kind}`);
      expect(res.statusCode, res.body).toBe(200);
      const d = res.json().data as {
        numbers: { key: string; value: unknown }[];
        panels: { key: string; result: { rows: unknown[] } }[];
      };
      return {
        n: Object.fromEntries(d.numbers.map((x) => [x.key, x.value])),
        rows: (key: string) => d.panels.find((p) => p.key === key)?.result.rows ?? [],
      };
    };
    const sales = await board('sales');
    expect(sales.n.dealsWon).toBeGreaterThanOrEqual(10);
    expect(sales.n.winRate).not.toBeNull();
    expect(sales.n.salesCycleDays).not.toBeNull();
    expect(sales.rows('revenueByPeriod').length).toBeGreaterThan(3);
    expect(sales.rows('activitiesByRep').length).toBeGreaterThan(0);
    const forecast = await board('forecast');
    expect(forecast.rows('forecastByRep').length).toBeGreaterThanOrEqual(3);
    const marketing = await board('marketing');
    expect(marketing.n.leads).toBeGreaterThan(0);
    expect(marketing.n.marketingCost).not.toEqual({ amount: '0', currency: 'EUR' });
    expect(marketing.n.newCustomers).toBeGreaterThan(0);
    expect(marketing.n.cac).not.toBeNull();
    expect(marketing.rows('campaignRoi').some((r) => (r as { deals: number }).deals > 0)).toBe(true);
    const service = await board('service');
    expect(service.n.tickets).toBeGreaterThanOrEqual(20);
    expect(service.n.firstResponseHours).not.toBeNull();
    expect(service.n.csatAverage).not.toBeNull();
    expect(service.rows('ticketsByChannel').length).toBeGreaterThanOrEqual(4);
    const history = (await as.get('/api/v1/forecast/history')).json().data;
    expect(history.points.length).toBeGreaterThan(0);
    const schedules = (await as.get('/api/v1/report-schedules')).json().data;
    expect(schedules.map((s: { target: { id: string } }) => s.target.id)).toEqual(['sales']);
  });
  it('sequences: the welcome sequence is on, and a new lead goes into it and gets the welcome email', async () => {
    const sequences = (await get('/api/v1/sequences')).data as {
      id: string;
      name: string;
      active: boolean;
      enrolment: { newRecords: boolean };
      steps: { type: string }[];
    }[];
    const welcome = sequences.find((s) => s.name === 'Welcome new leads');
    expect(welcome).toMatchObject({ active: true, enrolment: { newRecords: true } });
    expect(welcome?.steps.map((s) => s.type)).toEqual(['campaign_email', 'wait', 'branch']);
    const cookie = cookies.get(demo.email) as string;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: { cookie },
      payload: { firstName: 'Wendy', lastName: 'Welcome', email: 'wendy.welcome@example.org' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const leadId = created.json().data.id;
    const consent = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${leadId}/consents`,
      headers: { cookie },
      payload: { purpose: 'marketing_email', status: 'granted' },
    });
    expect(consent.statusCode, consent.body).toBe(201);
    for (let i = 0; i < 3; i++) {
      await t.events.drain();
      await t.modules.workflows.runner.drain();
    }
    const enrolments = (await get(`/api/v1/sequences/${welcome?.id}/enrolments`)).data as {
      recordId: string;
      currentStep: { stepId: string } | null;
    }[];
    expect(enrolments.find((e) => e.recordId === leadId)?.currentStep).toMatchObject({ stepId: 'pause' });
    const { rows } = await t.database.system((tx) =>
      sql<{ subject: string }>`select subject from mail_outbox where to_address = 'wendy.welcome@example.org'`.execute(
        tx,
      ),
    );
    expect(rows.map((r) => r.subject)).toEqual([expect.stringMatching(/^Welcome to /)]);
  });

  it('privacy: a completed access request (its export downloads) and a pending erasure, assigned', async () => {
    const as = admin();
    const queue = (await as.get('/api/v1/privacy/requests')).json().data as {
      id: string;
      type: string;
      status: string;
      assigneeId: string | null;
      dueAt: string;
    }[];
    expect(queue.map((r) => `${r.type}:${r.status}`).sort()).toEqual(['access:completed', 'erasure:pending']);
    const erasure = queue.find((r) => r.type === 'erasure');
    expect(erasure?.assigneeId).toBeTruthy();
    expect(Date.parse(erasure?.dueAt ?? '')).toBeGreaterThan(Date.now());
    const access = queue.find((r) => r.type === 'access');
    const zip = await as.get(`/api/v1/privacy/requests/${access?.id}/export`);
    expect(zip.statusCode, zip.body).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
  });

  it('privacy: contacts have a sensitive "National ID", stored encrypted and found by the exact number', async () => {
    const as = admin();
    const meta = (await as.get('/api/v1/objects/contacts'))
      .json()
      .data.fields.find((f: { name: string }) => f.name === 'nationalId');
    expect(meta).toMatchObject({ label: 'National ID', sensitive: true, encrypted: true, sortable: false });
    const id = 'QQ123456C'; // privacy.demo.ts DEMO_NATIONAL_IDS
    const found = await as.get(
      `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'nationalId', op: 'eq', value: id }))}`,
    );
    expect(found.json().data.map((c: { nationalId: string }) => c.nationalId)).toEqual([id]);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from contacts
      where custom::text like ${`%${id}%`} or custom -> 'nationalId' ->> 'sealed' like 'v1:%'`.execute(t.database.db);
    const { rows: plain } = await sql<{ n: number }>`select count(*)::int as n from contacts
      where custom::text like ${`%${id}%`}`.execute(t.database.db);
    expect(rows[0]?.n).toBe(2);
    expect(plain[0]?.n).toBe(0);
  });

  it('social: a connected Facebook Page and conversations of mixed sentiment, one matched to a contact', async () => {
    const as = admin();
    const connections = (await as.get('/api/v1/social/connections')).json().data as { network: string; name: string }[];
    expect(connections).toEqual([
      expect.objectContaining({ network: 'facebook', name: 'Northwind on Facebook', tokenStatus: 'ok' }),
    ]);
    const messages = (await as.get('/api/v1/social/messages?limit=50')).json().data as {
      sentiment: number;
      priority: string;
      contactId: string | null;
      flaggedKeywords: string[] | null;
      assigneeId: string | null;
    }[];
    expect(messages.length).toBeGreaterThanOrEqual(5);
    expect(messages.some((m) => m.sentiment < 0 && m.priority === 'high')).toBe(true);
    expect(messages.some((m) => m.sentiment > 0)).toBe(true);
    const matched = messages.find((m) => m.contactId);
    expect(matched).toBeDefined();
    expect(matched?.flaggedKeywords).toContain('refund');
    // The angry customer's conversation is the demo user's ("Mine"); the others wait unassigned.
    const me = (await as.get('/api/v1/me')).json().data.user.id;
    expect(matched?.assigneeId).toBe(me);
    expect(messages.some((m) => !m.assigneeId)).toBe(true);
    const timeline = (await as.get(`/api/v1/contacts/${matched?.contactId}/timeline`)).body;
    expect(timeline).toContain('My order is late again');
  });

  it('telephony: a Twilio number answering with the default IVR flow, and calls that took it, on their callers’ timelines', async () => {
    const as = admin();
    const numbers = (await as.get('/api/v1/telephony/numbers')).json().data;
    expect(numbers).toHaveLength(1);
    const flows = (await as.get('/api/v1/telephony/flows')).json().data;
    expect(flows.find((f: { isDefault: boolean }) => f.isDefault)?.id).toBe(numbers[0].flowId);
    // Its queues carry call scripts for the agents' screen-pop.
    const support = flows
      .find((f: { isDefault: boolean }) => f.isDefault)
      ?.definition.nodes.find((n: { id: string }) => n.id === 'support');
    expect(support?.script).toContain('open tickets');
    const calls = (await as.get('/api/v1/calls?sort=startedAt&limit=100')).json().data as Record<string, any>[];
    expect(calls.length).toBeGreaterThanOrEqual(3);
    const kinds = (c: Record<string, any>) => c.ivrPath.map((s: { kind: string }) => s.kind);
    for (const c of calls) {
      expect(c).toMatchObject({ status: 'completed', direction: 'inbound', to: numbers[0].phoneNumber });
      expect(c.durationSeconds).toBeGreaterThan(0);
      // Through the menu, or (a VIP) straight from the lookup to their account owner.
      expect(c.ivrPath[0].node).toBe('welcome');
      expect(kinds(c).some((k: string) => k === 'menu' || k === 'vip-owner')).toBe(true);
    }
    expect(calls.map((c) => c.queue)).toEqual(expect.arrayContaining(['sales', 'support']));
    // A VIP caller reached their account owner; a caller heard their order's status (the flow's key 4).
    const me = (await as.get('/api/v1/me')).json().data.user.id;
    const vip = calls.find((c) => kinds(c).includes('vip-owner'));
    expect(vip?.agentId).toBe(me);
    const vipAccount = (await as.get(`/api/v1/accounts/${vip?.accountId}`)).json().data;
    expect(vipAccount).toMatchObject({ ownerId: me, tags: expect.arrayContaining(['vip']) });
    expect(calls.some((c) => c.ivrPath.some((s: { node: string }) => s.node === 'order-status'))).toBe(true);
    // A week of daily queue figures, sales answered and support abandoned.
    const days = (await as.get('/api/v1/telephony/queues/daily')).json().data as Record<string, any>[];
    expect(new Set(days.map((d) => d.day)).size).toBe(7);
    expect(days.filter((d) => d.queue === 'sales').every((d) => d.answered === 1 && d.averageHandleSeconds > 0)).toBe(
      true,
    );
    expect(
      days.filter((d) => d.queue === 'support').every((d) => d.abandoned === 1 && d.averageWaitSeconds >= 20),
    ).toBe(true);
    expect(calls.every((c) => c.recordingUrl?.startsWith('https://api.twilio.com/'))).toBe(true);
    const timeline = (await as.get(`/api/v1/contacts/${calls[0]?.contactId}/timeline`)).json().data;
    expect(timeline.some((i: { kind: string; record?: { channel: string } }) => i.record?.channel === 'call')).toBe(
      true,
    );
    // With its auth token set to one we know, the demo number answers a signed call with the menu.
    const authToken = 'demo-check-token-0123456789abcdef';
    expect((await as.patch(`/api/v1/telephony/numbers/${numbers[0].id}`, { authToken })).statusCode).toBe(200);
    const call = new FakeTwilioCall(t, numbers[0], { sid: numbers[0].accountSid, authToken }, '+12025550100');
    const answer = await call.ring();
    expect(answer.res.statusCode).toBe(200);
    expect(answer.response.Gather).toBeDefined();
    // An uploaded prompt, served to the provider at its signed URL.
    const audio = (await as.get('/api/v1/telephony/audio')).json().data as Record<string, any>[];
    expect(audio).toEqual([expect.objectContaining({ name: 'Hold message', contentType: 'audio/mpeg' })]);
    expect(audio[0]?.durationSeconds).toBeCloseTo(3, 0);
    const file = await t.app.inject({
      method: 'GET',
      url: new URL(audio[0]?.url).pathname + new URL(audio[0]?.url).search,
    });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('audio/mpeg');
  });

  it('geo: the demo customers are geocoded at seed time, so a radius search and the map show them at once', async () => {
    const as = admin();
    const run = (await as.get('/api/v1/geo/runs/latest')).json().data;
    // A run placed whatever the seed left without coordinates (matching examples' addresses).
    expect(run).toMatchObject({ state: 'completed' });
    expect(run.done).toBe(run.total);
    // Contacts carry their account's city, placed by the gazetteer.
    const placed = (
      await as.get(
        `/api/v1/contacts?limit=500&fields=address&filter=${encodeURIComponent(JSON.stringify({ field: 'address.city', op: 'isNotEmpty' }))}`,
      )
    ).json().data as { address: { latitude: number | null; geoSource: string | null } }[];
    expect(placed.length).toBeGreaterThan(10);
    const gazetteer = placed.filter((c) => c.address.geoSource === 'gazetteer');
    expect(gazetteer.length).toBeGreaterThan(10);
    expect(gazetteer.every((c) => typeof c.address.latitude === 'number')).toBe(true);
    const city = (await as.get('/api/v1/accounts?limit=1&fields=address')).json().data[0].address;
    const near = { field: 'address', op: 'near', value: { place: `${city.city}, ${city.country}`, radiusKm: 50 } };
    const accounts = (
      await as.get(`/api/v1/accounts?sort=distance&filter=${encodeURIComponent(JSON.stringify(near))}`)
    ).json().data as { distanceKm: number }[];
    expect(accounts.length).toBeGreaterThan(0);
    expect(accounts.every((a) => a.distanceKm <= 50)).toBe(true);
  });

  it('geo: territories (one drawn, two by country) with their teams, and the demo accounts placed in them', async () => {
    const as = admin();
    const territories = (await as.get('/api/v1/territories?limit=10&sort=name&fields=name,area,teamId')).json()
      .data as { id: string; name: string; area: { polygon?: unknown }; teamId: string | null }[];
    expect(territories.map((x) => x.name)).toEqual(['Americas', 'DACH', 'Greater Paris']);
    expect(territories.every((x) => x.teamId)).toBe(true);
    const dach = territories.find((x) => x.name === 'DACH') as { id: string };
    const inDach = (
      await as.get(
        `/api/v1/accounts?limit=200&fields=address&filter=${encodeURIComponent(JSON.stringify({ field: 'territoryId', op: 'eq', value: dach.id }))}`,
      )
    ).json().data as { address: { country: string } }[];
    expect(inDach.length).toBeGreaterThan(0);
    expect(inDach.every((a) => ['DE', 'AT', 'CH'].includes(a.address.country))).toBe(true);
  });

  it('geo: a geo-targeted campaign invites everyone within 30 km of the Berlin venue (a near segment)', async () => {
    const as = admin();
    const q = (v: unknown) => encodeURIComponent(JSON.stringify(v));
    const [campaign] = (
      await as.get(`/api/v1/campaigns?filter=${q({ field: 'type', op: 'eq', value: 'geo_targeted' })}`)
    ).json().data as { id: string; name: string }[];
    expect(campaign?.name).toBe('Trade fair Berlin: customer evening invitations');
    const members = (await as.get(`/api/v1/campaigns/${campaign?.id}/members?limit=200`)).json().data as {
      recordId: string;
    }[];
    expect(members.length).toBeGreaterThan(0);
    const near = { field: 'address', op: 'near', value: { lat: 52.5065, lng: 13.2846, radiusKm: 30 } };
    const within = (await as.get(`/api/v1/contacts?limit=200&fields=id&filter=${q(near)}`)).json().data as {
      id: string;
    }[];
    expect(members.map((m) => m.recordId).sort()).toEqual(within.map((c) => c.id).sort());
  });
});
