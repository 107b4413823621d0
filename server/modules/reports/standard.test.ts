import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildInteraction, buildTicket } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { type Member, memberWithRole } from '../../../test/helpers/members';

type Row = Record<string, unknown>;
interface Dashboard {
  numbers: { key: string; value: unknown }[];
  panels: { key: string; result: { columns: { name: string }[]; rows: Row[] } }[];
  hidden: string[];
}

/**
 * The standard dashboards against small fixtures whose figures are worked out by hand
 * below (Q1 2026, by month). Read-only fields (close and creation times, MQL and
 * conversion times, response times, CSAT) are set in the database as their own
 * processes would have set them.
 */
describe('standard dashboards: sales, forecast, marketing and service figures by hand', () => {
  let t: TestApp;
  const eur = (amount: string) => ({ amount, currency: 'EUR' });
  const Q1 = 'from=2026-01-01&to=2026-03-31&period=month';

  const dashboard = async (who: { cookie: string }, kind: string, query = Q1): Promise<Dashboard> => {
    const res = await client(t, who).get(`/api/v1/dashboards/standard/${kind}?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data;
  };
  const numbers = (d: Dashboard) => Object.fromEntries(d.numbers.map((n) => [n.key, n.value]));
  const rows = (d: Dashboard, key: string) => d.panels.find((p) => p.key === key)?.result.rows ?? [];
  const byKey = (list: Row[], key: string) => Object.fromEntries(list.map((r) => [String(r[key]), r]));
  const exec = (ws: string, q: ReturnType<typeof sql>) => t.database.tenant(ws, (tx) => q.execute(tx));
  const create = async (who: SignedUp, object: string, records: Row[]) => {
    const res = await client(t, who).post(`/api/v1/${object}/batch`, { mode: 'create', atomic: true, records });
    expect(res.statusCode, res.body).toBe(200);
    return (res.json().data as { id: string }[]).map((r) => r.id);
  };
  const stagesOf = async (who: SignedUp) =>
    Object.fromEntries(
      (await client(t, who).get('/api/v1/pipelines'))
        .json()
        .data[0].stages.map((s: { name: string; id: string }) => [s.name, s.id]),
    ) as Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.stop());

  describe('sales', () => {
    let admin: SignedUp;
    let rep: Member;
    beforeAll(async () => {
      admin = await signUp(t.app, { workspaceName: 'Sales Dash Co' });
      rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Rita Rep');
      const s = await stagesOf(admin);
      const won = s['Closed Won'];
      const ids = await create(admin, 'opportunities', [
        { name: 'W1', stageId: won, amount: eur('1000') },
        { name: 'W2', stageId: won, amount: eur('3000') },
        { name: 'W3', stageId: won, amount: eur('2000'), ownerId: rep.userId },
        { name: 'L1', stageId: s['Closed Lost'], amount: eur('500'), lostReason: 'price' },
        { name: 'W0 last year', stageId: won, amount: eur('9999') },
        { name: 'O1', stageId: s.Qualified, amount: eur('4000') },
        { name: 'O2', stageId: s.Qualified, amount: eur('1000'), ownerId: rep.userId },
      ]);
      const [w1, w2, w3, l1, w0, , o2] = ids as string[];
      const times: [string, string, string][] = [
        [w1 as string, '2026-01-01T00:00:00Z', '2026-01-11T00:00:00Z'], // 10 days
        [w2 as string, '2026-01-15T00:00:00Z', '2026-02-04T00:00:00Z'], // 20 days
        [w3 as string, '2026-02-01T00:00:00Z', '2026-03-03T00:00:00Z'], // 30 days
        [l1 as string, '2026-01-20T00:00:00Z', '2026-02-10T00:00:00Z'],
        [w0 as string, '2025-12-01T00:00:00Z', '2025-12-20T00:00:00Z'],
      ];
      for (const [id, created, closed] of times)
        await exec(
          admin.workspaceId,
          sql`update opportunities set created_at = ${created}::timestamptz, closed_at = ${closed}::timestamptz where id = ${id}::uuid`,
        );
      // O2 moves on to Proposal after 4 days in Qualified (a stay begun in March).
      expect((await client(t, admin).patch(`/api/v1/opportunities/${o2}`, { stageId: s.Proposal })).statusCode).toBe(
        200,
      );
      await exec(
        admin.workspaceId,
        sql`update opportunity_stage_history set entered_at = '2026-03-01T00:00:00Z', left_at = '2026-03-05T00:00:00Z'
          where opportunity_id = ${o2}::uuid and to_stage_id = ${s.Qualified}`,
      );
      // Activities: the admin 2 calls and an email in the period, the rep a meeting; one call outside.
      const api = client(t, admin);
      const [accountId] = await create(admin, 'accounts', [{ name: 'Activity Co' }]);
      for (const [channel, at, ownerId] of [
        ['call', '2026-01-05T10:00:00Z', admin.userId],
        ['call', '2026-02-05T10:00:00Z', admin.userId],
        ['email', '2026-03-05T10:00:00Z', admin.userId],
        ['meeting', '2026-03-06T10:00:00Z', rep.userId],
        ['call', '2025-11-05T10:00:00Z', admin.userId],
      ] as const)
        await buildInteraction(api, { topic: `${channel} ${at}`, channel, occurredAt: at, ownerId, accountId });
    });

    it('revenue by period and rep, win rate, average deal, cycle, pipeline, time in stage, activities', async () => {
      const d = await dashboard(admin, 'sales');
      expect(numbers(d)).toEqual({
        revenue: eur('6000'), // 1000 + 3000 + 2000 (W0 closed before the period)
        dealsWon: 3,
        winRate: '75.0', // 3 won of 4 closed
        averageDealSize: eur('2000'),
        salesCycleDays: '20.0', // (10 + 20 + 30) / 3
      });
      expect(rows(d, 'revenueByPeriod')).toEqual([
        { closedAt: '2026-01-01', revenue: eur('1000'), deals: 1 },
        { closedAt: '2026-02-01', revenue: eur('3000'), deals: 1 },
        { closedAt: '2026-03-01', revenue: eur('2000'), deals: 1 },
      ]);
      const reps = byKey(rows(d, 'revenueByRep'), 'ownerId');
      expect(reps[admin.userId]).toMatchObject({ revenue: eur('4000'), deals: 2 });
      expect(reps[rep.userId]).toMatchObject({ revenue: eur('2000'), deals: 1 });
      const s = await stagesOf(admin);
      const pipeline = byKey(rows(d, 'pipelineByStage'), 'stageId');
      expect(pipeline[s.Qualified as string]).toMatchObject({ deals: 1, amount: eur('4000') });
      expect(pipeline[s.Proposal as string]).toMatchObject({ deals: 1, amount: eur('1000') });
      expect(byKey(rows(d, 'winLoss'), 'status')).toMatchObject({ won: { deals: 3 }, lost: { deals: 1 } });
      const stages = byKey(rows(d, 'timeInStage'), 'stage');
      expect(stages.Qualified).toEqual({ stage: 'Qualified', entered: 1, averageDays: '4.0', current: 1 });
      expect(stages.Proposal).toMatchObject({ entered: 0, averageDays: null, current: 1 });
      const acts = rows(d, 'activitiesByRep').map((r) => [r.ownerId, r.channel, r.activities]);
      expect(acts).toEqual(
        expect.arrayContaining([
          [admin.userId, 'call', 2],
          [admin.userId, 'email', 1],
          [rep.userId, 'meeting', 1],
        ]),
      );
      expect(acts).toHaveLength(3);
    });

    it('a sales rep’s dashboard counts only the rep’s deals', async () => {
      const d = await dashboard(rep, 'sales');
      expect(numbers(d)).toEqual({
        revenue: eur('2000'),
        dealsWon: 1,
        winRate: '100.0',
        averageDealSize: eur('2000'),
        salesCycleDays: '30.0',
      });
      expect(rows(d, 'revenueByRep').map((r) => r.ownerId)).toEqual([rep.userId]);
      expect(rows(d, 'pipelineByStage').map((r) => r.deals)).toEqual([1]);
    });

    it('a role that may not read the amount gets the dashboard without the amount figures, the counts still there', async () => {
      const role = await client(t, admin).post('/api/v1/roles', {
        key: 'amount_blind',
        name: 'Amount blind',
        permissions: {
          objects: { '*': { read: true, scope: 'all' }, opportunities: { fields: { amount: 'hidden' } } },
        },
      });
      expect(role.statusCode, role.body).toBe(201);
      const blind = await memberWithRole(t, admin.workspaceId, 'amount_blind');
      const d = await dashboard(blind, 'sales');
      // Same deals as the admin's dashboard above: every count and duration, no amount.
      expect(numbers(d)).toEqual({ dealsWon: 3, winRate: '75.0', salesCycleDays: '20.0' });
      expect(d.hidden).toEqual([
        'revenue',
        'averageDealSize',
        'revenueByPeriod.revenue',
        'revenueByRep.revenue',
        'pipelineByStage.amount',
      ]);
      const panelOf = (key: string) => d.panels.find((p) => p.key === key);
      expect(rows(d, 'revenueByPeriod')).toEqual([
        { closedAt: '2026-01-01', deals: 1 },
        { closedAt: '2026-02-01', deals: 1 },
        { closedAt: '2026-03-01', deals: 1 },
      ]);
      expect(panelOf('revenueByPeriod')?.result.columns.map((c) => c.name)).toEqual(['closedAt', 'deals']);
      expect(panelOf('revenueByPeriod')).toMatchObject({ measure: 'deals' });
      const reps = byKey(rows(d, 'revenueByRep'), 'ownerId');
      expect(reps[admin.userId]).toEqual({ ownerId: admin.userId, deals: 2 });
      const s = await stagesOf(admin);
      expect(byKey(rows(d, 'pipelineByStage'), 'stageId')[s.Qualified as string]).toEqual({
        stageId: s.Qualified,
        deals: 1,
      });
      expect(byKey(rows(d, 'winLoss'), 'status')).toMatchObject({ won: { deals: 3 }, lost: { deals: 1 } });
      expect(d.panels.map((p) => p.key)).toEqual([
        'revenueByPeriod',
        'revenueByRep',
        'pipelineByStage',
        'winLoss',
        'timeInStage',
        'activitiesByRep',
      ]);
      // Every forecast figure is an amount: the forecast dashboard answers, each figure hidden.
      const f = await dashboard(blind, 'forecast', 'from=2026-01-01&to=2026-03-31');
      expect(f.numbers).toEqual([]);
      expect(f.panels).toEqual([]);
      expect(f.hidden).toEqual(expect.arrayContaining(['closed', 'weighted', 'forecastByRep']));
      // The report builder still refuses the hidden field by name.
      const res = await client(t, blind).post('/api/v1/reports/run', {
        object: 'opportunities',
        measures: [{ op: 'sum', field: 'amount', as: 's' }],
      });
      expect(res.statusCode).toBe(422);
      // Who reads everything has nothing hidden.
      expect((await dashboard(admin, 'sales')).hidden).toEqual([]);
    });

    it('bad input gets a 4xx naming the field', async () => {
      const api = client(t, admin);
      let res = await api.get('/api/v1/dashboards/standard/sales?from=2026-03-01&to=2026-01-01');
      expect(res.statusCode).toBe(422);
      expect(res.json().errors[0].path).toBe('to');
      res = await api.get('/api/v1/dashboards/standard/sales?from=yesterday');
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.body).toContain('from');
      res = await api.get('/api/v1/dashboards/standard/finance');
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
    });
  });

  describe('forecast', () => {
    let admin: SignedUp;
    let rep: Member;
    let f3: string;
    beforeAll(async () => {
      admin = await signUp(t.app, { workspaceName: 'Forecast Dash Co' });
      rep = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Fiona Forecast');
      const s = await stagesOf(admin);
      // Probabilities: Qualified 20, Proposal 50, Negotiation 75, Closed Won 100.
      const ids = await create(admin, 'opportunities', [
        { name: 'F1', stageId: s.Qualified, amount: eur('1000'), expectedCloseDate: '2026-01-10' },
        {
          name: 'F2',
          stageId: s.Negotiation,
          amount: eur('4000'),
          expectedCloseDate: '2026-02-05',
          forecastCategory: 'commit',
        },
        {
          name: 'F3',
          stageId: s.Proposal,
          amount: eur('2000'),
          expectedCloseDate: '2026-01-20',
          forecastCategory: 'best_case',
          ownerId: rep.userId,
        },
        {
          name: 'F4',
          stageId: s['Closed Won'],
          amount: eur('3000'),
          expectedCloseDate: '2026-03-15',
          ownerId: rep.userId,
        },
        { name: 'F5 next quarter', stageId: s.Qualified, amount: eur('7777'), expectedCloseDate: '2026-04-02' },
      ]);
      f3 = ids[2] as string;
      const api = client(t, admin);
      const quota = await api.put('/api/v1/quotas', {
        userId: rep.userId,
        from: '2026-01-01',
        to: '2026-03-31',
        amount: eur('6000'),
      });
      expect(quota.statusCode, quota.body).toBe(200);
      const team = await api.create('/api/v1/teams', { name: 'North' });
      for (const id of [admin.userId, rep.userId])
        expect((await api.put(`/api/v1/teams/${team.id}/members/${id}`)).statusCode).toBe(204);
    });

    it('per month, per rep and per team: closed, commit, best case, pipeline, weighted, quota and attainment', async () => {
      const d = await dashboard(admin, 'forecast');
      expect(numbers(d)).toEqual({
        closed: eur('3000'),
        commit: eur('7000'), // closed 3000 + commit 4000
        bestCase: eur('9000'), // + best case 2000
        pipeline: eur('7000'), // open: 1000 + 4000 + 2000
        weighted: eur('7200'), // 1000×0.2 + 4000×0.75 + 2000×0.5 + 3000×1
        quota: eur('6000'),
        attainment: '50.0',
      });
      const months = rows(d, 'forecastByPeriod');
      expect(months.map((r) => r.period)).toEqual(['2026-01-01', '2026-02-01', '2026-03-01']);
      expect(months[0]).toMatchObject({
        closed: eur('0'),
        commit: eur('0'),
        bestCase: eur('2000'),
        pipeline: eur('3000'),
        weighted: eur('1200'),
        quota: null, // the quota is the quarter's
      });
      expect(months[1]).toMatchObject({ commit: eur('4000'), pipeline: eur('4000'), weighted: eur('3000') });
      expect(months[2]).toMatchObject({ closed: eur('3000'), pipeline: eur('0'), weighted: eur('3000') });
      const reps = byKey(rows(d, 'forecastByRep'), 'ownerId');
      expect(reps[admin.userId]).toMatchObject({
        closed: eur('0'),
        commit: eur('4000'),
        pipeline: eur('5000'),
        weighted: eur('3200'),
        quota: null,
      });
      expect(reps[rep.userId]).toMatchObject({
        closed: eur('3000'),
        bestCase: eur('5000'),
        pipeline: eur('2000'),
        weighted: eur('4000'),
        quota: eur('6000'),
        attainment: '50.0',
      });
      expect(rows(d, 'forecastByTeam')).toEqual([
        expect.objectContaining({
          closed: eur('3000'),
          commit: eur('7000'),
          bestCase: eur('9000'),
          weighted: eur('7200'),
          quota: eur('6000'),
          attainment: '50.0',
        }),
      ]);
    });

    it('a rep sees their own forecast and moves a deal to commit', async () => {
      const repApi = client(t, rep);
      expect((await repApi.patch(`/api/v1/opportunities/${f3}`, { forecastCategory: 'commit' })).statusCode).toBe(200);
      const d = await dashboard(rep, 'forecast');
      expect(numbers(d)).toMatchObject({
        closed: eur('3000'),
        commit: eur('5000'), // 3000 closed + 2000 now committed
        bestCase: eur('5000'),
        weighted: eur('4000'),
        attainment: '50.0',
      });
      expect(rows(d, 'forecastByRep').map((r) => r.ownerId)).toEqual([rep.userId]);
    });
  });

  describe('marketing', () => {
    let admin: SignedUp;
    beforeAll(async () => {
      admin = await signUp(t.app, { workspaceName: 'Marketing Dash Co' });
      const s = await stagesOf(admin);
      const ws = admin.workspaceId;
      const [acc1, acc2, acc3] = await create(admin, 'accounts', [{ name: 'A1' }, { name: 'A2' }, { name: 'A3' }]);
      const [c1, c2, c3] = await create(admin, 'campaigns', [
        { name: 'Spring', type: 'email', startDate: '2026-01-05', actualCost: eur('1000') },
        { name: 'Fair', type: 'event', startDate: '2026-02-01', actualCost: eur('500') },
        { name: 'Old', type: 'email', startDate: '2025-06-01', actualCost: eur('999') },
      ]);
      const won = s['Closed Won'];
      const [oa, ob, od, oe, of] = (await create(admin, 'opportunities', [
        { name: 'OA', stageId: won, amount: eur('3000'), accountId: acc1 },
        { name: 'OB', stageId: s.Qualified, amount: eur('100') },
        { name: 'OD', stageId: won, amount: eur('250'), accountId: acc2 },
        { name: 'OE', stageId: won, amount: eur('10'), accountId: acc2 },
        { name: 'OF', stageId: won, amount: eur('100'), accountId: acc3 },
      ])) as [string, string, string, string, string];
      for (const [id, closed, campaign] of [
        [oa, '2026-01-18T00:00:00Z', c1],
        [od, '2026-03-01T00:00:00Z', c2],
        [oe, '2025-11-01T00:00:00Z', c3],
        [of, '2026-02-15T00:00:00Z', null],
      ] as const)
        await exec(
          ws,
          sql`update opportunities set closed_at = ${closed}::timestamptz, source_campaign_id = ${campaign} where id = ${id}::uuid`,
        );
      const [l1, l2, l3, l4, l5] = (await create(admin, 'leads', [
        { lastName: 'L1', source: 'website' },
        { lastName: 'L2', source: 'website' },
        { lastName: 'L3', source: 'event' },
        { lastName: 'L4', source: 'website' },
        { lastName: 'L5 old', source: 'event' },
      ])) as [string, string, string, string, string];
      const leads: [string, string, string | null, string, string | null, string | null][] = [
        [l1, '2026-01-01', '2026-01-03', 'converted', '2026-01-08', oa],
        [l2, '2026-01-10', '2026-01-14', 'converted', '2026-01-20', ob],
        [l3, '2026-02-01', '2026-02-07', 'mql', null, null],
        [l4, '2026-02-01', null, 'new', null, null],
        [l5, '2025-12-01', '2025-12-02', 'mql', null, null],
      ];
      for (const [id, created, mql, status, converted, opp] of leads)
        await exec(
          ws,
          sql`update leads set created_at = ${created}::timestamptz, mql_at = ${mql}::timestamptz, status = ${status},
            converted_at = ${converted}::timestamptz, converted_opportunity_id = ${opp}::uuid where id = ${id}::uuid`,
        );
    });

    it('funnel with conversion and median days, leads by source, campaign ROI and CAC', async () => {
      const d = await dashboard(admin, 'marketing');
      expect(rows(d, 'funnel')).toEqual([
        { step: 'lead', count: 4, conversion: null, medianDays: null },
        { step: 'mql', count: 3, conversion: '75.0', medianDays: '4.0' }, // 2, 4, 6 days
        { step: 'sql', count: 2, conversion: '66.7', medianDays: null }, // no time of its own
        { step: 'opportunity', count: 2, conversion: '100.0', medianDays: '5.5' }, // 5 and 6 days after MQL
        { step: 'won', count: 1, conversion: '50.0', medianDays: '10.0' }, // converted 8th, won 18th
      ]);
      expect(rows(d, 'leadsBySource').map((r) => [r.source, r.leads])).toEqual([
        ['website', 3],
        ['event', 1],
      ]);
      const roi = rows(d, 'campaignRoi');
      expect(roi.map((r) => [r.cost, r.revenue, r.deals, r.roi])).toEqual(
        expect.arrayContaining([
          [eur('1000'), eur('3000'), 1, '200.0'], // (3000 − 1000) / 1000
          [eur('500'), eur('250'), 1, '-50.0'], // (250 − 500) / 500
        ]),
      );
      expect(roi).toHaveLength(2); // "Old" started before the period
      expect(numbers(d)).toEqual({
        leads: 4,
        mqls: 3,
        leadToWon: '25.0',
        marketingCost: eur('1500'), // no cost entries: the campaigns' actual cost on their start dates
        salesCost: eur('0'),
        newCustomers: 2, // A1 and A3; A2 had won a deal before
        cac: eur('750'), // 1500 / 2
        campaignRoi: '116.7', // (3250 − 1500) / 1500
      });
    });
  });

  describe('marketing funnel: median time between steps', () => {
    let admin: SignedUp;
    beforeAll(async () => {
      admin = await signUp(t.app, { workspaceName: 'Funnel Times Co' });
      const s = await stagesOf(admin);
      const ws = admin.workspaceId;
      const won = s['Closed Won'];
      const [oa, ob, og] = (await create(admin, 'opportunities', [
        { name: 'OA', stageId: won, amount: eur('100') },
        { name: 'OB', stageId: s.Qualified, amount: eur('100') },
        { name: 'OG', stageId: won, amount: eur('100') },
      ])) as [string, string, string];
      for (const [id, closed] of [
        [oa, '2026-01-20'],
        [og, '2026-03-30'],
      ] as const)
        await exec(ws, sql`update opportunities set closed_at = ${closed}::timestamptz where id = ${id}::uuid`);
      const names = ['A', 'B', 'C', 'D', 'E', 'F', 'G'];
      const ids = await create(
        admin,
        'leads',
        names.map((lastName) => ({ lastName })),
      );
      // [created, MQL, SQL, converted, opportunity, status]
      const fixture: [string, string | null, string | null, string | null, string | null, string][] = [
        ['2026-01-01', '2026-01-03', '2026-01-06', '2026-01-16', oa, 'converted'], // 2, 3, 10, won 4 days later
        ['2026-01-10', '2026-01-14', '2026-01-15', '2026-01-17', ob, 'converted'], // 4, 1, 2 (still open)
        ['2026-02-01', '2026-02-07', '2026-02-15', null, null, 'sql'], // 6, 8
        ['2026-02-02', null, '2026-02-05', null, null, 'sql'], // no MQL time: SQL 3 days after creation
        ['2026-02-03', '2026-02-04', null, null, null, 'mql'], // 1
        ['2026-02-05', null, null, null, null, 'new'],
        ['2026-03-01', '2026-03-02', '2026-03-04', '2026-03-10', og, 'converted'], // 1, 2, 6, won 20 days later
      ];
      for (const [i, [created, mql, sqlAt, converted, opp, status]] of fixture.entries())
        await exec(
          ws,
          sql`update leads set created_at = ${created}::timestamptz, mql_at = ${mql}::timestamptz, sql_at = ${sqlAt}::timestamptz,
            converted_at = ${converted}::timestamptz, converted_opportunity_id = ${opp}::uuid, status = ${status}
            where id = ${ids[i]}::uuid`,
        );
    });

    it('lead → MQL → SQL → opportunity → won: counts, conversions and median days worked out by hand', async () => {
      const d = await dashboard(admin, 'marketing');
      expect(rows(d, 'funnel')).toEqual([
        { step: 'lead', count: 7, conversion: null, medianDays: null },
        // MQL: A–E and G (D is SQL, so MQL too); days from creation: 2, 4, 6, 1, 1 → 1 1 [2] 4 6
        { step: 'mql', count: 6, conversion: '85.7', medianDays: '2.0' },
        // SQL: A B C D G; days from MQL (D: from creation): 3, 1, 8, 3, 2 → 1 2 [3] 3 8
        { step: 'sql', count: 5, conversion: '83.3', medianDays: '3.0' },
        // Opportunity: A B G; days from SQL: 10, 2, 6 → 2 [6] 10
        { step: 'opportunity', count: 3, conversion: '60.0', medianDays: '6.0' },
        // Won: A G; days from conversion: 4 and 20 → (4 + 20) / 2
        { step: 'won', count: 2, conversion: '66.7', medianDays: '12.0' },
      ]);
      expect(numbers(d)).toMatchObject({ leads: 7, mqls: 6, leadToWon: '28.6' });
    });

    it('a lead becoming sales-qualified records when (status or the MQL hand-off), once', async () => {
      const api = client(t, admin);
      const lead = await api.create('/api/v1/leads', { lastName: 'Quinn' });
      const sqlAt = async (id: string) => (await api.get(`/api/v1/leads/${id}?fields=sqlAt`)).json().data.sqlAt;
      expect(await sqlAt(lead.id)).toBeNull();
      const before = Date.now();
      expect((await api.patch(`/api/v1/leads/${lead.id}`, { status: 'sql' })).statusCode).toBe(200);
      const first = await sqlAt(lead.id);
      expect(Date.parse(first)).toBeGreaterThanOrEqual(before - 1000);
      expect((await api.patch(`/api/v1/leads/${lead.id}`, { status: 'working' })).statusCode).toBe(200);
      expect((await api.patch(`/api/v1/leads/${lead.id}`, { status: 'sql' })).statusCode).toBe(200);
      expect(await sqlAt(lead.id)).toBe(first); // the first time stays
      // An MQL accepted by sales becomes SQL through the hand-off.
      const mql = await api.create('/api/v1/leads', { lastName: 'Morgan' });
      await exec(
        admin.workspaceId,
        sql`update leads set qualification = 'mql', status = 'mql', mql_at = now() where id = ${mql.id}::uuid`,
      );
      const accepted = await api.post(`/api/v1/leads/${mql.id}/accept-mql`);
      expect(accepted.statusCode, accepted.body).toBeLessThan(300);
      expect(await sqlAt(mql.id)).not.toBeNull();
      // Clients cannot set it.
      expect((await api.patch(`/api/v1/leads/${mql.id}`, { sqlAt: '2020-01-01T00:00:00Z' })).statusCode).toBe(422);
    });
  });

  describe('service', () => {
    let admin: SignedUp;
    let agent: Member;
    beforeAll(async () => {
      admin = await signUp(t.app, { workspaceName: 'Service Dash Co' });
      agent = await memberWithRole(t, admin.workspaceId, 'service_rep', 'Agent B');
      const ws = admin.workspaceId;
      const api = client(t, admin);
      const team = await api.create('/api/v1/teams', { name: 'Support' });
      expect((await api.put(`/api/v1/teams/${team.id}/members/${agent.userId}`)).statusCode).toBe(204);
      const a = admin.userId;
      const b = agent.userId;
      // [assignee, channel, created, first response (h), solved (h), SLA, breached, CSAT, status, surveyed]
      const fixture: [
        string,
        string,
        string,
        number | null,
        number | null,
        boolean,
        boolean,
        number | null,
        string,
        boolean,
      ][] = [
        [a, 'email', '2026-01-01T00:00:00Z', 2, 10, true, false, 5, 'solved', true],
        [a, 'email', '2026-01-02T00:00:00Z', 4, 20, true, true, 3, 'solved', true],
        [b, 'chat', '2026-02-01T00:00:00Z', 1, null, true, false, null, 'open', false],
        [b, 'phone', '2026-02-03T00:00:00Z', null, null, false, false, null, 'new', false],
        [b, 'email', '2025-12-01T00:00:00Z', 1, null, false, false, null, 'open', false],
        [a, 'email', '2026-03-01T00:00:00Z', 3, 6, false, false, null, 'solved', true],
      ];
      for (const [assignee, channel, created, fr, solved, sla, breached, csat, status, surveyed] of fixture) {
        const ticket = await buildTicket(api, { subject: `${channel} ${created}`, channel, assigneeId: assignee });
        const at = Date.parse(created);
        const plus = (h: number | null) => (h == null ? null : new Date(at + h * 3_600_000).toISOString());
        await exec(
          ws,
          sql`update tickets set created_at = ${created}::timestamptz, first_responded_at = ${plus(fr)}::timestamptz,
            solved_at = ${plus(solved)}::timestamptz, sla_policy_id = ${sla ? 'policy' : null}, sla_breached = ${breached},
            csat_rating = ${csat}, status = ${status} where id = ${ticket.id}::uuid`,
        );
        if (surveyed)
          await exec(
            ws,
            sql`insert into csat_surveys (workspace_id, id, ticket_id, token_hash)
              values (${ws}::uuid, gen_random_uuid(), ${ticket.id}::uuid, ${`hash-${ticket.id}`})`,
          );
      }
      // Live chats: [agent, created, status, rating]. Every ended chat asked for a rating.
      const chats: [string | null, string, string, number | null][] = [
        [b, '2026-02-10T00:00:00Z', 'ended', 4],
        [a, '2026-03-02T00:00:00Z', 'ended', 1],
        [b, '2026-03-05T00:00:00Z', 'ended', null],
        [b, '2025-12-15T00:00:00Z', 'ended', 5], // before the period
        [b, '2026-03-06T00:00:00Z', 'active', null], // not ended: not asked yet
      ];
      for (const [agentId, created, status, rating] of chats)
        await exec(
          ws,
          sql`insert into chat_conversations (workspace_id, id, visitor_token_hash, status, agent_user_id, csat_rating,
              created_at, ended_at)
            values (${ws}::uuid, gen_random_uuid(), ${`v-${created}`}, ${status}, ${agentId}::uuid, ${rating},
              ${created}::timestamptz, ${status === 'ended' ? created : null}::timestamptz)`,
        );
    });

    it('volume by channel, response and resolution times, SLA, backlog and CSAT, per agent and team', async () => {
      const d = await dashboard(admin, 'service');
      expect(numbers(d)).toEqual({
        tickets: 5,
        firstResponseHours: '2.5', // (2 + 4 + 1 + 3) / 4
        resolutionHours: '12.0', // (10 + 20 + 6) / 3
        slaAttainment: '66.7', // 2 of 3 with an SLA
        backlog: 3, // open now, whenever created
        csatAverage: '3.25', // (5 + 3) / 2 from ticket surveys, with the chats' 4 and 1: 13 / 4
        csatResponseRate: '66.7', // 2 ratings of 3 surveys + 2 of 3 ended chats = 4 of 6
      });
      // Per channel: the tickets' surveys by the ticket's channel, live chats on their own.
      expect(rows(d, 'csatByChannel')).toEqual([
        { channel: 'email', ratings: 2, csatAverage: '4.00', csatResponseRate: '66.7' },
        { channel: 'live_chat', ratings: 2, csatAverage: '2.50', csatResponseRate: '66.7' },
      ]);
      expect(rows(d, 'ticketsByChannel').map((r) => [r.channel, r.tickets])).toEqual([
        ['email', 3],
        ['chat', 1],
        ['phone', 1],
      ]);
      const agents = byKey(rows(d, 'byAgent'), 'assigneeId');
      expect(agents[admin.userId]).toEqual({
        assigneeId: admin.userId,
        tickets: 3,
        firstResponseHours: '3.0',
        resolutionHours: '12.0',
        slaAttainment: '50.0',
        csatAverage: '3.00', // 5, 3 and the chat's 1
        csatResponseRate: '75.0', // 3 answers of 3 surveys + 1 chat
        backlog: 0,
      });
      const b = {
        tickets: 2,
        firstResponseHours: '1.0',
        resolutionHours: null,
        slaAttainment: '100.0',
        csatAverage: '4.00', // the one rated chat of two ended in the period
        csatResponseRate: '50.0',
        backlog: 3,
      };
      expect(agents[agent.userId]).toEqual({ assigneeId: agent.userId, ...b });
      expect(rows(d, 'byTeam')).toEqual([{ teamId: expect.any(String), ...b }]);
    });

    it('a role whose tickets scope is its own counts only the chats it answered', async () => {
      const api = client(t, admin);
      const role = await api.post('/api/v1/roles', {
        key: 'own_service',
        name: 'Own service',
        permissions: { objects: { '*': { read: true, create: true, update: true, scope: 'own' } } },
      });
      expect(role.statusCode, role.body).toBe(201);
      const olive = await memberWithRole(t, admin.workspaceId, 'own_service', 'Olive Own');
      // In April, outside the quarter the other test reads: Olive's chat rated 5, Agent B's rated 1.
      for (const [who, rating] of [
        [olive.userId, 5],
        [agent.userId, 1],
      ] as const)
        await exec(
          admin.workspaceId,
          sql`insert into chat_conversations (workspace_id, id, visitor_token_hash, status, agent_user_id, csat_rating,
              created_at, ended_at)
            values (${admin.workspaceId}::uuid, gen_random_uuid(), ${`april-${who}`}, 'ended', ${who}::uuid, ${rating},
              '2026-04-10T00:00:00Z', '2026-04-10T00:10:00Z')`,
        );
      const april = 'from=2026-04-01&to=2026-04-30&period=month';
      const mine = await dashboard(olive, 'service', april);
      expect(numbers(mine)).toMatchObject({ tickets: 0, csatAverage: '5.00', csatResponseRate: '100.0' });
      expect(rows(mine, 'csatByChannel')).toEqual([
        { channel: 'live_chat', ratings: 1, csatAverage: '5.00', csatResponseRate: '100.0' },
      ]);
      // The administrator counts both.
      expect(numbers(await dashboard(admin, 'service', april))).toMatchObject({
        csatAverage: '3.00',
        csatResponseRate: '100.0',
      });
    });

    it('a role that may not read CSAT ratings gets the rest, the CSAT columns left out of the tables', async () => {
      const role = await client(t, admin).post('/api/v1/roles', {
        key: 'csat_blind',
        name: 'CSAT blind',
        permissions: { objects: { '*': { read: true, scope: 'all' }, tickets: { fields: { csatRating: 'hidden' } } } },
      });
      expect(role.statusCode, role.body).toBe(201);
      const blind = await memberWithRole(t, admin.workspaceId, 'csat_blind');
      const d = await dashboard(blind, 'service');
      expect(numbers(d)).toEqual({
        tickets: 5,
        firstResponseHours: '2.5',
        resolutionHours: '12.0',
        slaAttainment: '66.7',
        backlog: 3,
      });
      expect(d.hidden).toEqual([
        'csatAverage',
        'csatResponseRate',
        'csatByChannel',
        'byAgent.csatAverage',
        'byAgent.csatResponseRate',
        'byTeam.csatAverage',
        'byTeam.csatResponseRate',
      ]);
      expect(byKey(rows(d, 'byAgent'), 'assigneeId')[admin.userId]).toEqual({
        assigneeId: admin.userId,
        tickets: 3,
        firstResponseHours: '3.0',
        resolutionHours: '12.0',
        slaAttainment: '50.0',
        backlog: 0,
      });
      const columns = d.panels.find((p) => p.key === 'byTeam')?.result.columns.map((c) => c.name);
      expect(columns).toEqual([
        'teamId',
        'tickets',
        'firstResponseHours',
        'resolutionHours',
        'slaAttainment',
        'backlog',
      ]);
    });
  });
});
