import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, sessionCookie, type TestApp } from '../../../test/helpers/app';
import type { DemoLogin } from '../../platform/modules';
import { DEMO_PEOPLE } from './demo-team';

describe('the demo workspace shows the product working', () => {
  let t: TestApp;
  let demo: DemoLogin;
  let seedMs: number;
  const cookies = new Map<string, string>();
  const get = async (url: string, email = demo.email) => {
    const res = await t.app.inject({ method: 'GET', url, headers: { cookie: cookies.get(email) as string } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const email = (key: (typeof DEMO_PEOPLE)[number]['key']) => DEMO_PEOPLE.find((p) => p.key === key)?.email as string;

  beforeAll(async () => {
    t = await createTestApp();
    const started = Date.now();
    demo = (await t.seedDemo()) as DemoLogin;
    seedMs = Date.now() - started;
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
  }, 300_000);
  afterAll(() => t.stop());

  it('is seeded in a few seconds', () => {
    console.info(`demo seeded in ${seedMs} ms`);
    expect(seedMs).toBeLessThan(60_000); // under load; about 5–10 s on a quiet 2-core machine
  });

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

  it('an active welcome workflow for new leads, with mail templates', async () => {
    const workflows = (await get('/api/v1/workflows')).data as { name: string; active: boolean }[];
    expect(workflows).toEqual([expect.objectContaining({ name: 'Welcome new website leads', active: true })]);
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
});
