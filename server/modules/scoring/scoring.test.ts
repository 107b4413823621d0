import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildLead } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { emitEvent } from '../../platform/events/events';

const DAY = 86_400_000;

describe('lead scoring: rules, decay, exactly once, MQL and the hand-off', () => {
  let t: TestApp;
  // The runtime's clock (job queue, consumer, live scores): tests move it forward.
  let clock = new Date('2031-03-01T12:00:00Z');

  beforeAll(async () => {
    t = await createTestApp({}, { clock: () => clock });
  });
  afterAll(() => t.stop());

  /** A new workspace with its administrator's client. */
  const workspace = async (name: string) => {
    const admin: SignedUp = await signUp(t.app, { workspaceName: name });
    return { admin, as: client(t, admin.cookie) };
  };

  // Generous on a busy machine: every consumer of every workspace drains.
  const drain = () => t.events.drain(60_000);

  const emit = (ws: string, type: string, data: Record<string, unknown>) =>
    t.database.tenant(ws, (tx) => emitEvent(tx, { workspaceId: ws, userId: null }, { type, data }));

  const lead = async (as: ReturnType<typeof client>, id: string) => (await as.get(`/api/v1/leads/${id}`)).json().data;

  const events = async (ws: string, type: string, recordId: string) =>
    (
      await sql<{ data: Record<string, unknown> }>`select data from events
        where workspace_id = ${ws} and type = ${type} and record_id = ${recordId} order by seq`.execute(t.database.db)
    ).rows;

  it('takes the exact contract lines, and names the field of bad input', async () => {
    const { as } = await workspace('Contract Co');
    const fit = await as.post('/api/v1/scoring/rules', {
      name: 'VPs',
      kind: 'fit',
      condition: { field: 'title', op: 'contains', value: 'VP' },
      points: 30,
    });
    expect(fit.statusCode).toBe(201);
    expect(fit.json().data).toMatchObject({ name: 'VPs', kind: 'fit', object: 'leads', points: 30, active: true });
    const engagement = await as.post('/api/v1/scoring/rules', {
      name: 'Forms',
      kind: 'engagement',
      event: 'form.submitted',
      points: 25,
      halfLifeDays: 30,
    });
    expect(engagement.statusCode).toBe(201);
    expect(engagement.json().data).toMatchObject({ event: 'form.submitted', halfLifeDays: 30, condition: null });

    const noPoints = await as.post('/api/v1/scoring/rules', {
      name: 'x',
      kind: 'fit',
      condition: { field: 'title', op: 'eq', value: 'a' },
    });
    expect(noPoints.statusCode).toBe(422);
    expect(noPoints.headers['content-type']).toContain('application/problem+json');
    expect(noPoints.json().errors.map((e: { path: string }) => e.path)).toContain('points');
    const unknownField = await as.post('/api/v1/scoring/rules', {
      name: 'x',
      kind: 'fit',
      condition: { field: 'shoeSize', op: 'eq', value: 42 },
      points: 5,
    });
    expect(unknownField.statusCode).toBe(422);
    expect(unknownField.json().errors[0].path).toMatch(/^condition/);
    const badEvent = await as.post('/api/v1/scoring/rules', {
      name: 'x',
      kind: 'engagement',
      event: 'nope',
      points: 5,
    });
    expect(badEvent.statusCode).toBe(422);
    expect(badEvent.json().errors[0].path).toBe('event');
    expect((await as.get('/api/v1/scoring/rules')).json().data).toHaveLength(2);
  });

  it('a fit rule scores the leads that match it, and the score explains itself', async () => {
    const { as } = await workspace('Fit Co');
    await as.create('/api/v1/scoring/rules', {
      name: 'VPs',
      kind: 'fit',
      condition: { field: 'title', op: 'contains', value: 'VP' },
      points: 30,
    });
    const vp = await buildLead(as, { lastName: 'Vee', title: 'VP Sales' });
    const intern = await buildLead(as, { lastName: 'Eye', title: 'Intern' });
    await drain();
    expect(await lead(as, vp.id)).toMatchObject({ score: 30, fitScore: 30, engagementScore: 0, grade: 'D' });
    expect(await lead(as, intern.id)).toMatchObject({ score: 0, grade: 'D' });
    const score = (await as.get(`/api/v1/leads/${vp.id}/score`)).json().data;
    expect(score).toMatchObject({ total: 30, fit: 30, engagement: 0 });
    expect(score.factors).toEqual([
      expect.objectContaining({ rule: 'VPs', kind: 'fit', points: 30, originalPoints: 30 }),
    ]);
    // Changing the lead so it no longer matches takes the points away.
    await as.patch(`/api/v1/leads/${vp.id}`, { title: 'Engineer' });
    await drain();
    expect((await lead(as, vp.id)).score).toBe(0);
    // Sorting and filtering by score work like any field.
    await as.patch(`/api/v1/leads/${intern.id}`, { title: 'VP Ops' });
    await drain();
    const list = (
      await as.get(
        `/api/v1/leads?filter=${encodeURIComponent(JSON.stringify({ field: 'score', op: 'gte', value: 10 }))}&sort=-score`,
      )
    ).json();
    expect(list.data.map((l: { id: string }) => l.id)).toEqual([intern.id]);
  });

  it('engagement decays continuously, counts each event once (also when redelivered), within its cap', async () => {
    const { admin, as } = await workspace('Engage Co');
    const ws = admin.workspaceId;
    const pricing = await as.create('/api/v1/scoring/rules', {
      name: 'Pricing page',
      kind: 'engagement',
      event: 'page.viewed',
      match: { path: '/pricing*' },
      points: 20,
      halfLifeDays: 10,
    });
    await as.create('/api/v1/scoring/rules', {
      name: 'Blog (capped)',
      kind: 'engagement',
      event: 'page.viewed',
      match: { path: '/blog/*' },
      points: 10,
      cap: 25,
    });
    const l = await buildLead(as, { lastName: 'Reader' });
    const tenDaysAgo = new Date(clock.getTime() - 10 * DAY).toISOString();
    await emit(ws, 'page.viewed', { leadId: l.id, url: 'https://acme.test/pricing/pro', occurredAt: tenDaysAgo });
    await emit(ws, 'page.viewed', { leadId: l.id, path: '/about' }); // matches no rule
    await drain();
    let score = (await as.get(`/api/v1/leads/${l.id}/score`)).json().data;
    expect(score.engagement).toBeCloseTo(10, 5); // one half-life old: half the points
    expect(score.factors).toEqual([
      expect.objectContaining({ ruleId: pricing.id, originalPoints: 20, points: 10, halfLifeDays: 10, at: tenDaysAgo }),
    ]);
    expect((await lead(as, l.id)).engagementScore).toBe(10);

    // Five days later: 20 × 0.5^1.5 live; the stored score follows with the decay pass.
    clock = new Date(clock.getTime() + 5 * DAY);
    score = (await as.get(`/api/v1/leads/${l.id}/score`)).json().data;
    expect(score.engagement).toBeCloseTo(20 * 0.5 ** 1.5, 2);
    await t.modules.scoring.decay();
    expect((await lead(as, l.id)).engagementScore).toBe(Math.round(20 * 0.5 ** 1.5));

    // Redelivery: the consumer reads every event again; nothing counts twice.
    await sql`update event_consumers set last_tx = '0', last_seq = 0 where name = 'scoring'`.execute(t.database.db);
    await drain();
    const { rows } = await sql<{
      n: string;
    }>`select count(*) as n from score_contributions where record_id = ${l.id}`.execute(t.database.db);
    expect(Number(rows[0]?.n)).toBe(1);
    expect((await as.get(`/api/v1/leads/${l.id}/score`)).json().data.engagement).toBeCloseTo(20 * 0.5 ** 1.5, 2);

    // Cap: four blog visits of 10 points give at most 25.
    for (let i = 0; i < 4; i++) await emit(ws, 'page.viewed', { leadId: l.id, path: `/blog/post-${i}` });
    await drain();
    score = (await as.get(`/api/v1/leads/${l.id}/score`)).json().data;
    const blog = score.factors.filter((f: { rule: string }) => f.rule === 'Blog (capped)');
    expect(blog).toHaveLength(4);
    expect(blog.reduce((s: number, f: { points: number }) => s + f.points, 0)).toBeCloseTo(25, 5);
    expect(score.engagement).toBeCloseTo(25 + 20 * 0.5 ** 1.5, 2);
  });

  it('crossing the threshold makes an MQL (status, event, owner); dropping below is logged, not undone; rules changes rescore in the background', async () => {
    const { admin, as } = await workspace('MQL Co');
    const ws = admin.workspaceId;
    const owner = await memberWithRole(t, ws, 'sales_rep', 'Sam Sales');
    expect(
      (await as.patch('/api/v1/scoring/settings', { mqlThreshold: 50, mqlOwnerId: owner.userId })).json().data,
    ).toMatchObject({ mqlThreshold: 50, mqlOwnerId: owner.userId, grades: { A: 50, B: 33, C: 17 } });
    await as.create('/api/v1/scoring/rules', {
      name: 'Directors',
      kind: 'fit',
      condition: { field: 'title', op: 'contains', value: 'Director' },
      points: 30,
    });
    const forms = await as.create('/api/v1/scoring/rules', {
      name: 'Forms',
      kind: 'engagement',
      event: 'form.submitted',
      match: { formId: 'f-1' },
      points: 25,
    });
    const l = await buildLead(as, { lastName: 'Hot', title: 'Director of IT' });
    await drain();
    expect(await lead(as, l.id)).toMatchObject({ score: 30, status: 'new', qualification: null });
    await emit(ws, 'form.submitted', { leadId: l.id, formId: 'other' }); // another form: no points
    await emit(ws, 'form.submitted', { leadId: l.id, formId: 'f-1', submissionId: 's1', visitorId: 'v1' });
    await drain();
    const mql = await lead(as, l.id);
    expect(mql).toMatchObject({ score: 55, grade: 'A', status: 'mql', qualification: 'mql', ownerId: owner.userId });
    expect(mql.mqlAt).toBe(clock.toISOString());
    expect(await events(ws, 'lead.mql', l.id)).toEqual([
      { data: expect.objectContaining({ score: 55, threshold: 50, previousStatus: 'new' }) },
    ]);
    const timeline = (await as.get(`/api/v1/leads/${l.id}/timeline`)).json().data;
    expect(JSON.stringify(timeline)).toContain('lead.mql');

    // The forms rule goes: a background rescore takes its points off; the lead stays an MQL.
    expect((await as.del(`/api/v1/scoring/rules/${forms.id}`)).statusCode).toBe(204);
    expect((await as.get('/api/v1/scoring/rescore')).json().data).toMatchObject({ state: 'queued' });
    await t.jobs.runDue({ queues: ['scoring.rescore'] });
    expect((await as.get('/api/v1/scoring/rescore')).json().data).toMatchObject({
      state: 'completed',
      total: 1,
      done: 1,
      changed: 1,
    });
    const after = await lead(as, l.id);
    expect(after).toMatchObject({ score: 30, status: 'mql', qualification: 'mql' });
    expect(await events(ws, 'lead.score_dropped', l.id)).toEqual([{ data: { from: 55, to: 30, threshold: 50 } }]);
    // The bulk path bumped the version and summarised the run in one event.
    expect(after.version).toBeGreaterThan(mql.version);
    const { rows } = await sql<{ data: { count: number } }>`select data from events
      where workspace_id = ${ws} and type = 'lead.bulk_updated'`.execute(t.database.db);
    expect(rows.map((r) => r.data.count)).toEqual([1]);

    // A lower threshold qualifies leads that reach it, through the same rescore.
    const second = await buildLead(as, { lastName: 'Warm', title: 'Director of Sales' });
    await drain();
    expect((await lead(as, second.id)).status).toBe('new');
    await as.patch('/api/v1/scoring/settings', { mqlThreshold: 30 });
    await t.jobs.runDue({ queues: ['scoring.rescore'] });
    expect(await lead(as, second.id)).toMatchObject({ status: 'mql', qualification: 'mql' });
  });

  it('sales accepts or rejects an MQL (with a reason); both are recorded', async () => {
    const { admin, as } = await workspace('Handoff Co');
    const ws = admin.workspaceId;
    await as.patch('/api/v1/scoring/settings', { mqlThreshold: 10 });
    await as.create('/api/v1/scoring/rules', {
      name: 'Everyone with an email',
      kind: 'fit',
      condition: { field: 'email', op: 'isNotEmpty' },
      points: 10,
    });
    const a = await buildLead(as, { lastName: 'Accept', email: 'a@acme.test' });
    const r = await buildLead(as, { lastName: 'Reject', email: 'r@acme.test' });
    const cold = await buildLead(as, { lastName: 'Cold' });
    await drain();
    const queue = (
      await as.get(
        `/api/v1/leads?filter=${encodeURIComponent(JSON.stringify({ field: 'qualification', op: 'eq', value: 'mql' }))}&sort=-mqlAt`,
      )
    ).json().data;
    expect(queue.map((l: { id: string }) => l.id).sort()).toEqual([a.id, r.id].sort());

    const accepted = await as.post(`/api/v1/leads/${a.id}/accept-mql`);
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().data).toMatchObject({ status: 'sql', qualification: 'sql' });
    expect(await events(ws, 'lead.sql_accepted', a.id)).toHaveLength(1);
    expect((await as.post(`/api/v1/leads/${a.id}/accept-mql`)).statusCode).toBe(409);
    expect((await as.post(`/api/v1/leads/${cold.id}/accept-mql`)).statusCode).toBe(409);

    const noReason = await as.post(`/api/v1/leads/${r.id}/reject-mql`, {});
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json().errors[0].path).toBe('reason');
    expect((await lead(as, r.id)).qualification).toBe('mql'); // nothing changed
    const rejected = await as.post(`/api/v1/leads/${r.id}/reject-mql`, { reason: 'Student, no budget' });
    expect(rejected.json().data).toMatchObject({ status: 'nurturing', qualification: 'rejected' });
    expect(await events(ws, 'lead.mql_rejected', r.id)).toEqual([
      { data: expect.objectContaining({ reason: 'Student, no budget' }) },
    ]);
    // A rejected lead is not made an MQL again by its score.
    await as.patch(`/api/v1/leads/${r.id}`, { title: 'Student' });
    await drain();
    expect((await lead(as, r.id)).qualification).toBe('rejected');
  });

  it('permissions: only admins and marketing managers write rules; a lead you cannot see is 404', async () => {
    const { admin, as } = await workspace('Perm Co');
    const ws = admin.workspaceId;
    const analyst = client(t, (await memberWithRole(t, ws, 'data_analyst')).cookie);
    const marketer = client(t, (await memberWithRole(t, ws, 'marketing_manager')).cookie);
    const rep = client(t, (await memberWithRole(t, ws, 'sales_rep')).cookie);
    const rule = { name: 'All', kind: 'fit', condition: { field: 'lastName', op: 'isNotEmpty' }, points: 5 };
    expect((await analyst.post('/api/v1/scoring/rules', rule)).statusCode).toBe(403);
    expect((await analyst.patch('/api/v1/scoring/settings', { mqlThreshold: 5 })).statusCode).toBe(403);
    expect((await analyst.get('/api/v1/scoring/rules')).statusCode).toBe(200);
    const created = await marketer.post('/api/v1/scoring/rules', rule);
    expect(created.statusCode).toBe(201);
    expect((await rep.del(`/api/v1/scoring/rules/${created.json().data.id}`)).statusCode).toBe(403);
    expect((await analyst.get('/api/v1/scoring/rules')).json().data).toHaveLength(1);

    const adminsLead = await buildLead(as, { lastName: 'Private' });
    await drain();
    expect((await as.get(`/api/v1/leads/${adminsLead.id}/score`)).statusCode).toBe(200);
    // A sales rep sees their own leads only.
    expect((await rep.get(`/api/v1/leads/${adminsLead.id}/score`)).statusCode).toBe(404);
    expect((await rep.post(`/api/v1/leads/${adminsLead.id}/accept-mql`)).statusCode).toBe(404);
    // Another workspace's lead does not exist here.
    const other = await workspace('Other Co');
    expect((await other.as.get(`/api/v1/leads/${adminsLead.id}/score`)).statusCode).toBe(404);
    expect((await as.get(`/api/v1/leads/${adminsLead.id}/score`)).json().data.total).toBe(5);
  });
});
