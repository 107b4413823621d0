import { sql } from 'kysely';
import type { TReportDefinition } from '../../../common/contracts/reports';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import type { DemoDeps, DemoLogin } from '../../platform/modules';
import type { RecordService } from '../../platform/records/records.service';
import { backdate, DEMO_EMAIL, daysAgo } from '../demo';
import { createSchedule } from './delivery.service';
import { setQuota } from './quotas.service';
import { createDashboard, createReport } from './saved.service';
import { snapshotWorkspace } from './snapshots.service';

const REPORTS: {
  key: string;
  name: string;
  chart: { type: 'bar' | 'line' | 'pie' | 'number' | 'table'; measure?: string };
  definition: TReportDefinition;
}[] = [
  {
    key: 'won',
    name: 'Revenue won by month',
    chart: { type: 'line', measure: 'revenue' },
    definition: {
      object: 'opportunities',
      filter: { field: 'status', op: 'eq', value: 'won' },
      groupBy: [{ field: 'closedAt', bucket: 'month' }],
      measures: [
        { op: 'sum', field: 'amount', as: 'revenue' },
        { op: 'count', as: 'deals' },
      ],
    },
  },
  {
    key: 'pipeline',
    name: 'Open pipeline by stage',
    chart: { type: 'bar', measure: 'amount' },
    definition: {
      object: 'opportunities',
      filter: { field: 'status', op: 'eq', value: 'open' },
      groupBy: [{ field: 'stageId' }],
      measures: [
        { op: 'count', as: 'deals' },
        { op: 'sum', field: 'amount', as: 'amount' },
      ],
    },
  },
  {
    key: 'reps',
    name: 'Revenue won by rep',
    chart: { type: 'pie', measure: 'revenue' },
    definition: {
      object: 'opportunities',
      filter: { field: 'status', op: 'eq', value: 'won' },
      groupBy: [{ field: 'ownerId' }],
      measures: [{ op: 'sum', field: 'amount', as: 'revenue' }],
    },
  },
  {
    key: 'size',
    name: 'Average won deal size',
    chart: { type: 'number', measure: 'average' },
    definition: {
      object: 'opportunities',
      filter: { field: 'status', op: 'eq', value: 'won' },
      measures: [{ op: 'avg', field: 'amount', as: 'average' }],
    },
  },
  {
    key: 'leads',
    name: 'Leads by status',
    chart: { type: 'bar', measure: 'leads' },
    definition: { object: 'leads', groupBy: [{ field: 'status' }], measures: [{ op: 'count', as: 'leads' }] },
  },
];

/**
 * The demo workspace's reports and a shared "Sales overview" dashboard, once (when it has
 * no dashboard): revenue won by month, open pipeline by stage, revenue by rep, average
 * deal size and leads by status; and this quarter's quota for each sales representative.
 * Runs after the demo module.
 */
export async function seedReportsDemo(deps: DemoDeps): Promise<DemoLogin | null> {
  const { database, records, log } = deps;
  const { rows } = await sql<{ workspace_id: string; user_id: string; role: string }>`
    select m.workspace_id, m.user_id, m.role from workspace_members m join users u on u.id = m.user_id
    where u.email = ${DEMO_EMAIL} limit 1`.execute(database.db);
  const demo = rows[0];
  if (!demo) return null;
  const ws = demo.workspace_id;
  const actor: Actor = { kind: 'user', userId: demo.user_id, workspaceId: ws, role: demo.role, scopes: [] };
  await database.tenant(ws, async (tx) => {
    const { rows: existing } = await sql<{ n: number }>`select count(*)::int as n from dashboards`.execute(tx);
    if ((existing[0]?.n ?? 0) > 0) return;
    const ids: Record<string, string> = {};
    for (const r of REPORTS) {
      const saved = await createReport(records, tx, actor, {
        name: r.name,
        visibility: 'workspace',
        definition: r.definition as never,
        chart: r.chart,
      });
      ids[r.key] = saved.id;
    }
    // This quarter's quota for every sales representative, so the forecast shows attainment.
    const now = new Date();
    const q = Math.floor(now.getUTCMonth() / 3) * 3;
    const day = (d: Date) => d.toISOString().slice(0, 10);
    const { rows: reps } = await sql<{ user_id: string }>`
      select user_id from workspace_members where workspace_id = ${ws} and role = 'sales_rep' order by user_id`.execute(
      tx,
    );
    for (const r of reps) {
      await setQuota(records, tx, actor, {
        userId: r.user_id,
        from: day(new Date(Date.UTC(now.getUTCFullYear(), q, 1))),
        to: day(new Date(Date.UTC(now.getUTCFullYear(), q + 3, 0))),
        amount: { amount: '150000', currency: 'EUR' },
      });
    }
    await createSchedule(
      tx,
      actor,
      {
        name: 'Sales dashboard',
        target: { kind: 'standard', id: 'sales' },
        frequency: 'weekly',
        recipients: [actor.userId as string],
      },
      new Date(),
    );
    await createDashboard(tx, actor, {
      name: 'Sales overview',
      visibility: 'workspace',
      widgets: [
        { reportId: ids.size as string, width: 4 },
        { reportId: ids.reps as string, width: 8 },
        { reportId: ids.won as string, width: 12 },
        { reportId: ids.pipeline as string, width: 6 },
        { reportId: ids.leads as string, width: 6 },
      ],
    });
  });
  await database.tenant(ws, (tx) => seedAnalyticsDemo(records, tx, actor));
  log.info({ workspaceId: ws }, 'seeded the demo reports, the Sales overview dashboard and the analytics history');
  return null;
}

const DAY_H = 3_600_000;

/**
 * What the standard dashboards need beyond the sales sample's year of deals: campaigns over
 * the year with their cost (and cost entries per month), some won deals sourced by them (ROI, CAC), a half-year of
 * tickets across channels answered, solved and rated by the service team (response
 * times, SLA, CSAT), and this week's forecast snapshot. Written through the record engine
 * (read-only times by system write), creation times moved back as the other demo data's.
 */
async function seedAnalyticsDemo(records: RecordService, tx: Tx, actor: Actor): Promise<void> {
  const ws = actor.workspaceId;
  const { rows: existing } = await sql<{ n: number }>`select count(*)::int as n from forecast_snapshots`.execute(tx);
  if ((existing[0]?.n ?? 0) > 0) return;
  const day = (d: Date) => d.toISOString().slice(0, 10);
  const campaigns = [
    { name: 'Autumn LinkedIn ads', type: 'social', startDate: day(daysAgo(300)), cost: '2400' },
    { name: 'Partner newsletter', type: 'email', startDate: day(daysAgo(200)), cost: '600' },
    { name: 'Customer day', type: 'event', startDate: day(daysAgo(110)), cost: '5200' },
    { name: 'Search ads', type: 'web', startDate: day(daysAgo(40)), cost: '1500' },
  ];
  const ids: string[] = [];
  for (const c of campaigns) {
    const created = await records.create(tx, actor, 'campaigns', {
      name: c.name,
      type: c.type,
      status: 'completed',
      startDate: c.startDate,
      actualCost: { amount: c.cost, currency: 'EUR' },
    });
    ids.push(created.id as string);
  }
  // Cost entries, so CAC is known per month: the search ads are invoiced every fortnight
  // (their 1500 in three entries), sales travel and events every month of the year.
  const entries = [
    ...[0, 1, 2].map((n) => ({
      campaignId: ids[3],
      category: 'marketing',
      incurredOn: day(daysAgo(40 - n * 15)),
      amount: { amount: '500', currency: 'EUR' },
      description: `Search ads: invoice ${n + 1}`,
    })),
    ...Array.from({ length: 12 }, (_, n) => ({
      category: 'sales',
      incurredOn: day(daysAgo(15 + n * 30)),
      amount: { amount: '350', currency: 'EUR' },
      description: 'Sales travel and events',
    })),
  ];
  for (const e of entries) await records.create(tx, actor, 'campaign_costs', e);
  // Every third won deal came from a campaign.
  const won = await records.list(tx, actor, 'opportunities', {
    filter: { field: 'status', op: 'eq', value: 'won' },
    fields: 'id',
    sort: 'closedAt',
    limit: 200,
  });
  for (const [i, o] of won.data.entries()) {
    if (i % 3 !== 0) continue;
    await records.update(tx, actor, 'opportunities', o.id as string, {
      sourceCampaignId: ids[(i / 3) % ids.length],
    });
  }
  // Tickets over half a year: answered within hours, most solved, about half rated.
  const { rows: agents } = await sql<{ user_id: string }>`select user_id from workspace_members
    where workspace_id = ${ws} and role in ('service_rep', 'administrator') order by role desc, user_id`.execute(tx);
  const channels = ['email', 'chat', 'web_form', 'phone', 'email', 'social'];
  const subjects = [
    'Cannot reset my password',
    'Invoice shows the wrong VAT number',
    'How do I export my contacts?',
    'The mobile app crashes on start',
    'Please change our billing address',
    'Question about the annual plan',
    'Two-factor codes arrive late',
    'Import stopped at row 500',
  ];
  const backdated: { id: string; createdAt: Date }[] = [];
  for (let i = 0; i < 24; i++) {
    const createdAt = daysAgo(175 - i * 7);
    const solved = i < 20;
    const ticket = await records.create(tx, actor, 'tickets', {
      subject: subjects[i % subjects.length],
      channel: channels[i % channels.length],
      priority: i % 5 === 0 ? 'high' : 'normal',
      type: 'question',
      status: solved ? 'solved' : 'open',
      assigneeId: agents[i % Math.max(1, agents.length)]?.user_id ?? null,
    });
    const firstHours = 1 + ((i * 5) % 9);
    await records.systemWrite(tx, actor, 'tickets', ticket.id as string, {
      firstRespondedAt: new Date(createdAt.getTime() + firstHours * DAY_H).toISOString(),
      ...(solved
        ? {
            solvedAt: new Date(createdAt.getTime() + (firstHours + 4 + ((i * 7) % 40)) * DAY_H).toISOString(),
            ...(i % 2 === 0 ? { csatRating: [5, 4, 5, 3, 5, 4, 2, 5][(i / 2) % 8] } : {}),
          }
        : {}),
    });
    backdated.push({ id: ticket.id as string, createdAt });
  }
  await backdate(tx, 'tickets', backdated);
  // This week's forecast, so its history has a first point (the job takes one every Monday).
  await snapshotWorkspace(records, tx, ws, new Date());
}
