import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildOpportunity } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';

describe('deals: the won/lost view, win rate and sales cycle', () => {
  let t: TestApp;
  let admin: SignedUp;
  let stage: Record<string, string>;
  const stats = async (query = '', cookie = admin.cookie) => {
    const res = await client(t, cookie).get(`/api/v1/deals/stats${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json().data;
  };
  /** An opportunity created `ageDays` before it closed at `closedAt` with `status`. */
  const deal = async (
    name: string,
    status: 'won' | 'lost',
    closedAt: string,
    ageDays: number,
    amount?: string,
    body: Record<string, unknown> = {},
  ) => {
    const o = await buildOpportunity(client(t, admin), {
      name,
      ...(amount ? { amount: { amount, currency: 'EUR' } } : {}),
      ...body,
    });
    const res = await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, {
      stageId: stage[status === 'won' ? 'Closed Won' : 'Closed Lost'],
      ...(status === 'lost' ? { lostReason: 'price' } : {}),
    });
    expect(res.statusCode, res.body).toBe(200);
    await t.database.tenant(admin.workspaceId, (tx) =>
      sql`update opportunities set closed_at = ${closedAt}::timestamptz,
            created_at = ${closedAt}::timestamptz - make_interval(days => ${ageDays})
          where id = ${o.id}::uuid`.execute(tx),
    );
    return o;
  };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signUp(t.app, { workspaceName: 'Deal Co' });
    const [p] = (await client(t, admin).get('/api/v1/pipelines')).json().data;
    stage = Object.fromEntries(p.stages.map((s: { name: string; id: string }) => [s.name, s.id]));
  });
  afterAll(() => t.stop());

  it('no deals: zero counts, null rate and cycle (not 0)', async () => {
    await client(t, admin).post('/api/v1/opportunities', { name: 'Still open' });
    expect(await stats()).toEqual({
      won: 0,
      lost: 0,
      winRate: null,
      averageCycleDays: null,
      medianCycleDays: null,
      wonAmounts: [],
      lostAmounts: [],
    });
    expect((await client(t, admin).get('/api/v1/deals')).json().data).toEqual([]);
  });

  it('only lost deals: win rate 0, no cycle (the cycle is measured on won deals)', async () => {
    await deal('Lost A', 'lost', '2026-03-10T12:00:00Z', 10, '500');
    await deal('Lost B', 'lost', '2026-03-20T12:00:00Z', 30);
    const s = await stats('?from=2026-03-01T00:00:00Z&to=2026-04-01T00:00:00Z');
    expect(s).toMatchObject({ won: 0, lost: 2, winRate: 0, averageCycleDays: null, medianCycleDays: null });
    expect(s.lostAmounts).toEqual([{ currency: 'EUR', amount: '500', count: 1 }]);
  });

  it('win rate = won / (won + lost) and the mean and median cycle over won deals, per period', async () => {
    await deal('Won A', 'won', '2026-04-05T00:00:00Z', 10, '1000.10');
    await deal('Won B', 'won', '2026-04-15T00:00:00Z', 20, '2000.20');
    await deal('Won C', 'won', '2026-04-25T00:00:00Z', 60);
    await deal('Lost C', 'lost', '2026-04-28T00:00:00Z', 5);
    const april = await stats('?from=2026-04-01T00:00:00Z&to=2026-05-01T00:00:00Z');
    expect(april).toEqual({
      won: 3,
      lost: 1,
      winRate: 0.75,
      averageCycleDays: 30,
      medianCycleDays: 20,
      wonAmounts: [{ currency: 'EUR', amount: '3000.3', count: 2 }],
      lostAmounts: [],
    });
    // [from, to): a deal closed exactly at `to` belongs to the next period.
    const edge = await stats('?from=2026-04-01T00:00:00Z&to=2026-04-25T00:00:00Z');
    expect(edge).toMatchObject({ won: 2, lost: 0, winRate: 1, averageCycleDays: 15 });
    const list = (await client(t, admin).get('/api/v1/deals?from=2026-04-01T00:00:00Z&to=2026-05-01T00:00:00Z')).json();
    expect(list.data.map((d: { name: string }) => d.name)).toEqual(['Lost C', 'Won C', 'Won B', 'Won A']);
    expect(list.data[3]).toMatchObject({
      status: 'won',
      cycleDays: 10,
      amount: { amount: '1000.1', currency: 'EUR' },
      lostReason: null,
    });
    expect(list.data[0]).toMatchObject({ status: 'lost', lostReason: 'price' });
  });

  it('a reopened deal is not a deal; closed again, it counts once with its latest close', async () => {
    const o = await deal('Flip-flop', 'won', '2026-05-10T00:00:00Z', 4);
    expect((await stats('?from=2026-05-01T00:00:00Z&to=2026-06-01T00:00:00Z')).won).toBe(1);
    await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, { stageId: stage.Negotiation });
    expect(await stats('?from=2026-05-01T00:00:00Z&to=2026-06-01T00:00:00Z')).toMatchObject({
      won: 0,
      lost: 0,
      winRate: null,
    });
    const res = await client(t, admin).patch(`/api/v1/opportunities/${o.id}`, {
      stageId: stage['Closed Lost'],
      lostReason: 'timing',
    });
    const closedAt = res.json().data.closedAt as string;
    expect(Date.parse(closedAt)).toBeGreaterThan(Date.parse('2026-05-10T00:00:00Z'));
    const all = (await client(t, admin).get('/api/v1/deals?status=lost')).json().data;
    expect(all.filter((d: { id: string }) => d.id === o.id)).toHaveLength(1);
  });

  it('filters by owner and pipeline; a sales rep sees only their deals; a service rep sees no amounts', async () => {
    const rep = await memberWithRole(t, admin.workspaceId, 'sales_rep');
    await deal('Rep won', 'won', '2026-07-01T00:00:00Z', 2, '10', { ownerId: rep.userId });
    await deal('Admin won', 'won', '2026-07-02T00:00:00Z', 2, '20');
    const july = '?from=2026-07-01T00:00:00Z&to=2026-08-01T00:00:00Z';
    expect((await stats(july)).won).toBe(2);
    expect((await stats(`${july}&ownerId=${rep.userId}`)).won).toBe(1);
    expect((await stats(july, rep.cookie)).won).toBe(1);
    const [p] = (await client(t, admin).get('/api/v1/pipelines')).json().data;
    expect((await stats(`${july}&pipelineId=${p.id}`)).won).toBe(2);
    expect((await stats(`${july}&pipelineId=other`)).won).toBe(0);
    const service = await memberWithRole(t, admin.workspaceId, 'service_rep');
    const s = await stats(july, service.cookie);
    expect(s.won).toBe(2);
    expect(s).not.toHaveProperty('wonAmounts');
    const list = (await client(t, service).get(`/api/v1/deals${july}`)).json().data;
    expect(list).toHaveLength(2);
    for (const d of list) expect(d).not.toHaveProperty('amount');
    const bad = await client(t, admin).get('/api/v1/deals/stats?from=yesterday');
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors[0].path).toBe('from');
  });
});
