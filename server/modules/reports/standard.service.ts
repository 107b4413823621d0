import Decimal from 'decimal.js';
import { sql } from 'kysely';
import type {
  TForecast,
  TReportCell,
  TReportColumn,
  TReportDefinition,
  TReportResult,
  TStandardDashboard,
  TStandardDashboardQuery,
  TStandardKind,
  TStandardNumber,
  TStandardPanel,
} from '../../../common/contracts/reports';
import type { FilterNode } from '../../../common/filter';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { invalidField } from '../../platform/http/errors';
import type { ObjectSchema } from '../../platform/records/object-schema';
import type { RecordService } from '../../platform/records/records.service';
import { runReport } from '../../platform/records/report';
import { endedChats } from '../chat';
import { stageReport } from '../opportunities';
import { defaultPipelineId } from '../pipelines';
import { listQueueDays, readsEveryCall } from '../telephony';
import { surveyedTickets } from '../tickets';
import { acquisitionFigures, costsIn, entryTotals, firstWins } from './cac.service';
import { amountIn, listAll as listRecords, mainCurrency, periodsOf, type Rec } from './figures';
import { forecast } from './forecast.service';

/**
 * The standard dashboards (issue 22 point 3): sales, forecast, marketing and service.
 * Every figure is read through the report engine (`runReport`) or the record engine's
 * list, with the caller's permissions, so a sales rep's dashboard counts only what the
 * rep may read. Counts and sums are the engine's; durations (sales cycle, funnel steps,
 * response times) are computed here from the records the caller may read.
 */

type Row = Record<string, TReportCell>;

interface Ctx {
  records: RecordService;
  tx: Tx;
  actor: Actor;
  from: string;
  to: string;
  /** [start, end) as instants: the first day's midnight UTC to the day after the last. */
  start: string;
  end: string;
  period: 'month' | 'quarter';
  currency?: string;
  /** Each object's fields as the caller's role sees them (hidden ones absent), read once. */
  seen: Map<string, ObjectSchema>;
}

type Body = Omit<TStandardDashboard, 'kind' | 'from' | 'to' | 'title'>;

const DAY = 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);
const nextDay = (date: string) => day(new Date(Date.parse(`${date}T00:00:00Z`) + DAY));

/** The period asked for; the default is the last twelve months (the forecast: the current quarter). */
export function standardRange(kind: TStandardKind, q: TStandardDashboardQuery, now: Date): [string, string] {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  if (kind === 'forecast') {
    const qs = Math.floor(m / 3) * 3;
    return [q.from ?? day(new Date(Date.UTC(y, qs, 1))), q.to ?? day(new Date(Date.UTC(y, qs + 3, 0)))];
  }
  return [q.from ?? day(new Date(Date.UTC(y - 1, m + 1, 1))), q.to ?? day(now)];
}

const column = (
  name: string,
  label: string,
  role: 'group' | 'measure',
  type: string,
  labels: Record<string, string> | null = null,
): TReportColumn => ({ name, label, role, type, field: null, op: null, bucket: null, labels });

const panel = (
  key: string,
  title: string,
  chart: TStandardPanel['chart'],
  result: TReportResult,
  measure?: string,
): TStandardPanel => ({ key, title, chart, ...(measure ? { measure } : {}), result });

const num = (key: string, label: string, value: TReportCell, unit: TStandardNumber['unit']): TStandardNumber => ({
  key,
  label,
  value,
  unit,
});

const inRange = (field: string, c: Ctx): FilterNode[] => [
  { field, op: 'gte', value: c.start },
  { field, op: 'lt', value: c.end },
];

const report = (c: Ctx, def: TReportDefinition) =>
  runReport(c.records, c.tx, c.actor, { limit: 10_000, timeZone: 'UTC', ...def });

/**
 * Whether the caller's role may read every one of `fields` of `object` (a hidden field is
 * unknown to it). A figure that needs a hidden field is left out of the dashboard and
 * named in its `hidden` list; the other figures are still returned.
 */
async function sees(c: Ctx, object: string, fields: string[]): Promise<boolean> {
  let schema = c.seen.get(object);
  if (!schema) {
    // An object the role may not read at all: every one of its fields is hidden.
    if (!(await c.records.access.policy(c.tx, c.actor)).can(object, 'read')) return false;
    schema = (await c.records.context(c.tx, c.actor, object, 'read')).schema;
    c.seen.set(object, schema);
  }
  return fields.every((f) => schema.field(f) != null);
}

/** A dashboard's figures as they are gathered: a figure is added, or its key noted as hidden. */
class Figures {
  readonly numbers: TStandardNumber[] = [];
  readonly panels: TStandardPanel[] = [];
  readonly hidden: string[] = [];
  number(visible: boolean, key: string, label: string, unit: TStandardNumber['unit'], value: () => TReportCell) {
    if (visible) this.numbers.push(num(key, label, value(), unit));
    else this.hidden.push(key);
  }
  panel(
    visible: boolean,
    key: string,
    title: string,
    chart: TStandardPanel['chart'],
    result: () => TReportResult,
    measure?: string,
  ) {
    if (visible) this.panels.push(panel(key, title, chart, result(), measure));
    else this.hidden.push(key);
  }
  body(): Body {
    return { numbers: this.numbers, panels: this.panels, hidden: this.hidden };
  }
}

/**
 * A panel's result without the columns whose fields the caller may not read: they leave
 * the columns and every row, and are named `panelKey.column` in the hidden list.
 */
function withoutColumns(f: Figures, key: string, result: TReportResult, drop: string[]): TReportResult {
  if (drop.length === 0) return result;
  for (const name of drop) f.hidden.push(`${key}.${name}`);
  const gone = new Set(drop);
  return {
    ...result,
    columns: result.columns.filter((col) => !gone.has(col.name)),
    rows: result.rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !gone.has(k)))),
  };
}

const listAll = (c: Ctx, object: string, filter: FilterNode, fields: string[]) =>
  listRecords(c.records, c.tx, c.actor, object, filter, fields);

/** A decimal string with one decimal (null for nothing). */
const fixed1 = (n: number | Decimal | null) => (n == null ? null : new Decimal(n).toDecimalPlaces(1).toFixed(1));
const percent = (part: number, whole: number) => (whole > 0 ? fixed1(new Decimal(part).times(100).div(whole)) : null);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
const between = (a: unknown, b: unknown, unit: number) =>
  typeof a === 'string' && typeof b === 'string' ? (Date.parse(b) - Date.parse(a)) / unit : null;

/** Names of workspace members (for people the engine did not label). */
async function userNames(c: Ctx, ids: string[]): Promise<Record<string, string>> {
  if (ids.length === 0) return {};
  const { rows } = await sql<{ id: string; name: string }>`
    select u.id, u.name from users u join workspace_members m on m.user_id = u.id
    where m.workspace_id = ${c.actor.workspaceId} and u.id = any(${ids}::uuid[])`.execute(c.tx);
  return Object.fromEntries(rows.map((r) => [r.id, r.name]));
}

/** The workspace's teams with their members. */
async function teams(c: Ctx): Promise<{ id: string; name: string; members: Set<string> }[]> {
  const { rows } = await sql<{ id: string; name: string; user_id: string | null }>`
    select t.id, t.name, tm.user_id from teams t left join team_members tm on tm.team_id = t.id and tm.workspace_id = t.workspace_id
    where t.workspace_id = ${c.actor.workspaceId} order by t.name, t.id`.execute(c.tx);
  const byId = new Map<string, { id: string; name: string; members: Set<string> }>();
  for (const r of rows) {
    const team = byId.get(r.id) ?? { id: r.id, name: r.name, members: new Set<string>() };
    byId.set(r.id, team);
    if (r.user_id) team.members.add(r.user_id);
  }
  return [...byId.values()];
}

// ---------------------------------------------------------------------------------- sales

async function salesDashboard(c: Ctx): Promise<Body> {
  const f = new Figures();
  const O = 'opportunities';
  // What the caller's role reads decides which figures can be worked out.
  const W = await sees(c, O, ['status', 'closedAt']); // won (and lost) in the period
  const A = await sees(c, O, ['amount']);
  const won: FilterNode = { and: [{ field: 'status', op: 'eq', value: 'won' }, ...inRange('closedAt', c)] };
  const revenue = (extra: TReportDefinition['measures']): TReportDefinition['measures'] => [
    ...(A ? [{ op: 'sum' as const, field: 'amount', as: 'revenue' }] : []),
    ...extra,
  ];
  const noAmount = (key: string, column: string) => {
    if (!A) f.hidden.push(`${key}.${column}`);
  };
  const byPeriod = W
    ? await report(c, {
        object: O,
        filter: won,
        groupBy: [{ field: 'closedAt', bucket: c.period }],
        measures: revenue([{ op: 'count', as: 'deals' }]),
        sort: [{ by: 'closedAt', dir: 'asc' }],
      })
    : null;
  const byRep =
    W && (await sees(c, O, ['ownerId']))
      ? await report(c, {
          object: O,
          filter: won,
          groupBy: [{ field: 'ownerId' }],
          measures: revenue([{ op: 'count', as: 'deals' }]),
          sort: [{ by: 'deals', dir: 'desc' }],
        })
      : null;
  const totals = W
    ? await report(c, {
        object: O,
        filter: won,
        measures: [
          ...revenue([{ op: 'count', as: 'deals' }]),
          ...(A ? [{ op: 'avg' as const, field: 'amount', as: 'average' }] : []),
        ],
      })
    : null;
  const pipeline = (await sees(c, O, ['status', 'stageId']))
    ? await report(c, {
        object: O,
        filter: { field: 'status', op: 'eq', value: 'open' },
        groupBy: [{ field: 'stageId' }],
        measures: [{ op: 'count', as: 'deals' }, ...(A ? [{ op: 'sum' as const, field: 'amount', as: 'amount' }] : [])],
      })
    : null;
  const closed = W
    ? await report(c, {
        object: O,
        filter: { and: [{ field: 'status', op: 'in', value: ['won', 'lost'] }, ...inRange('closedAt', c)] },
        groupBy: [{ field: 'status' }],
        measures: [{ op: 'count', as: 'deals' }],
      })
    : null;
  const count = (status: string) => Number(closed?.rows.find((r) => r.status === status)?.deals ?? 0);
  const wonCount = count('won');
  const lostCount = count('lost');

  // Sales cycle: days from creation to close of the deals won in the period.
  const C = W && (await sees(c, O, ['createdAt']));
  const cycles = C
    ? (await listAll(c, O, won, ['id', 'createdAt', 'closedAt']))
        .map((o) => between(o.createdAt, o.closedAt, DAY))
        .filter((d): d is number => d != null)
    : [];

  // Time in stage (the default pipeline): stays begun in the period.
  const S = await sees(c, O, ['stageId']);
  const pipelineId = S ? await defaultPipelineId(c.tx) : null;
  const stages = pipelineId
    ? await stageReport(c.tx, c.records, c.actor, pipelineId, { from: c.start, to: c.end })
    : [];
  const timeInStage = (): TReportResult => ({
    columns: [
      column('stage', 'Stage', 'group', 'text'),
      column('entered', 'Stays begun', 'measure', 'number'),
      column('averageDays', 'Average days in stage', 'measure', 'decimal'),
      column('current', 'In the stage now', 'measure', 'number'),
    ],
    rows: stages.map((s) => ({
      stage: s.name,
      entered: s.entered,
      averageDays: s.averageDaysInStage == null ? null : fixed1(s.averageDaysInStage),
      current: s.current,
    })),
    truncated: false,
  });

  const I = await sees(c, 'interactions', ['channel', 'occurredAt', 'ownerId']);
  const activities = I
    ? await report(c, {
        object: 'interactions',
        filter: {
          and: [{ field: 'channel', op: 'in', value: ['call', 'email', 'meeting'] }, ...inRange('occurredAt', c)],
        },
        groupBy: [{ field: 'ownerId' }, { field: 'channel' }],
        measures: [{ op: 'count', as: 'activities' }],
      })
    : null;

  const t = totals?.rows[0] ?? {};
  f.number(W && A, 'revenue', 'Revenue won', 'money', () => t.revenue ?? null);
  f.number(W, 'dealsWon', 'Deals won', 'count', () => Number(t.deals ?? 0));
  f.number(W, 'winRate', 'Win rate', 'percent', () => percent(wonCount, wonCount + lostCount));
  f.number(W && A, 'averageDealSize', 'Average deal size', 'money', () => t.average ?? null);
  f.number(C, 'salesCycleDays', 'Sales cycle (average days)', 'days', () => fixed1(mean(cycles)));
  const measure = A ? 'revenue' : 'deals';
  f.panel(!!byPeriod, 'revenueByPeriod', 'Revenue won by period', 'line', () => byPeriod as TReportResult, measure);
  if (byPeriod) noAmount('revenueByPeriod', 'revenue');
  f.panel(!!byRep, 'revenueByRep', 'Revenue won by rep', 'bar', () => byRep as TReportResult, measure);
  if (byRep) noAmount('revenueByRep', 'revenue');
  f.panel(
    !!pipeline,
    'pipelineByStage',
    'Open pipeline by stage',
    'bar',
    () => pipeline as TReportResult,
    A ? 'amount' : 'deals',
  );
  if (pipeline) noAmount('pipelineByStage', 'amount');
  f.panel(W, 'winLoss', 'Deals closed: won and lost', 'pie', () => closed as TReportResult, 'deals');
  f.panel(S, 'timeInStage', 'Time in stage', 'bar', timeInStage, 'averageDays');
  f.panel(
    I,
    'activitiesByRep',
    'Calls, emails and meetings per rep',
    'table',
    () => activities as TReportResult,
    'activities',
  );
  return f.body();
}

// ------------------------------------------------------------------------------- forecast

const FORECAST_COLUMNS = (currencyLabel: string): TReportColumn[] => [
  column('closed', `Closed (${currencyLabel})`, 'measure', 'money'),
  column('commit', 'Commit', 'measure', 'money'),
  column('bestCase', 'Best case', 'measure', 'money'),
  column('pipeline', 'Pipeline', 'measure', 'money'),
  column('weighted', 'Weighted pipeline', 'measure', 'money'),
  column('quota', 'Quota', 'measure', 'money'),
  column('attainment', 'Attainment (%)', 'measure', 'decimal'),
];
type Figs = Pick<TForecast, 'closed' | 'commit' | 'bestCase' | 'pipeline' | 'weighted' | 'quota' | 'attainment'>;
const forecastRow = (f: Figs): Row => ({
  closed: f.closed,
  commit: f.commit,
  bestCase: f.bestCase,
  pipeline: f.pipeline,
  weighted: f.weighted,
  quota: f.quota,
  attainment: f.attainment,
});

const FORECAST_FIGURES = [
  'closed',
  'commit',
  'bestCase',
  'pipeline',
  'weighted',
  'quota',
  'attainment',
  'forecastByPeriod',
  'forecastByRep',
  'forecastByTeam',
];

async function forecastDashboard(c: Ctx): Promise<Body> {
  // Every forecast figure is an amount by owner, category and stage: all need these fields.
  if (!(await sees(c, 'opportunities', ['amount', 'expectedCloseDate', 'stageId', 'forecastCategory', 'ownerId'])))
    return { numbers: [], panels: [], hidden: FORECAST_FIGURES };
  const whole = await forecast(c.records, c.tx, c.actor, { from: c.from, to: c.to, currency: c.currency });
  const currency = whole.currency;
  const byPeriod: Row[] = [];
  for (const [from, to] of periodsOf(c.from, c.to, c.period)) {
    const f = await forecast(c.records, c.tx, c.actor, { from, to, currency });
    byPeriod.push({ period: from, ...forecastRow(f) });
  }
  const ownerLabels = Object.fromEntries(whole.owners.map((o) => [o.ownerId ?? '', o.name]));
  // Team roll-up: each team's members' figures added up (quota and attainment too).
  const rollUp: Row[] = [];
  const teamLabels: Record<string, string> = {};
  for (const team of await teams(c)) {
    const members = whole.owners.filter((o) => o.ownerId && team.members.has(o.ownerId));
    if (members.length === 0) continue;
    const sum = (k: 'closed' | 'commit' | 'bestCase' | 'pipeline' | 'weighted') =>
      members.reduce((a, o) => a.plus(o[k].amount), new Decimal(0));
    const quotas = members.filter((o) => o.quota);
    const quota = quotas.length ? quotas.reduce((a, o) => a.plus(o.quota?.amount ?? 0), new Decimal(0)) : null;
    const closed = sum('closed');
    teamLabels[team.id] = team.name;
    rollUp.push({
      teamId: team.id,
      ...forecastRow({
        closed: { amount: closed.toFixed(), currency },
        commit: { amount: sum('commit').toFixed(), currency },
        bestCase: { amount: sum('bestCase').toFixed(), currency },
        pipeline: { amount: sum('pipeline').toFixed(), currency },
        weighted: { amount: sum('weighted').toFixed(), currency },
        quota: quota ? { amount: quota.toFixed(), currency } : null,
        attainment: quota && !quota.isZero() ? closed.div(quota).times(100).toFixed(1) : null,
      }),
    });
  }
  const cols = FORECAST_COLUMNS(currency);
  return {
    numbers: [
      num('closed', 'Closed', whole.closed, 'money'),
      num('commit', 'Commit', whole.commit, 'money'),
      num('bestCase', 'Best case', whole.bestCase, 'money'),
      num('pipeline', 'Pipeline', whole.pipeline, 'money'),
      num('weighted', 'Weighted pipeline', whole.weighted, 'money'),
      num('quota', 'Quota', whole.quota, 'money'),
      num('attainment', 'Quota attainment', whole.attainment, 'percent'),
    ],
    panels: [
      panel(
        'forecastByPeriod',
        `Forecast by ${c.period}`,
        'bar',
        { columns: [column('period', 'Period', 'group', 'date'), ...cols], rows: byPeriod, truncated: false },
        'commit',
      ),
      panel(
        'forecastByRep',
        'Forecast by rep',
        'table',
        {
          columns: [column('ownerId', 'Rep', 'group', 'user', ownerLabels), ...cols],
          rows: whole.owners.map((o) => ({ ownerId: o.ownerId, ...forecastRow(o) })),
          truncated: false,
        },
        'closed',
      ),
      panel(
        'forecastByTeam',
        'Forecast by team',
        'table',
        { columns: [column('teamId', 'Team', 'group', 'text', teamLabels), ...cols], rows: rollUp, truncated: false },
        'closed',
      ),
    ],
    hidden: [],
  };
}

// ------------------------------------------------------------------------------ marketing

const FUNNEL_STEPS = ['lead', 'mql', 'sql', 'opportunity', 'won'] as const;
const FUNNEL_LABELS: Record<string, string> = {
  lead: 'Lead',
  mql: 'MQL',
  sql: 'SQL',
  opportunity: 'Opportunity',
  won: 'Won',
};

async function marketingDashboard(c: Ctx): Promise<Body> {
  const f = new Figures();
  // The funnel over the leads created in the period; a later step implies the earlier ones.
  const LEAD_FIELDS = [
    'createdAt',
    'mqlAt',
    'sqlAt',
    'qualification',
    'status',
    'convertedAt',
    'convertedOpportunityId',
  ];
  const F = (await sees(c, 'leads', LEAD_FIELDS)) && (await sees(c, 'opportunities', ['status', 'closedAt']));
  const leads = F ? await listAll(c, 'leads', { and: inRange('createdAt', c) }, ['id', ...LEAD_FIELDS]) : [];
  const oppIds = leads.map((l) => l.convertedOpportunityId).filter((id): id is string => typeof id === 'string');
  const wonOpps = new Map<string, Rec>();
  for (let i = 0; i < oppIds.length; i += 500) {
    const chunk = oppIds.slice(i, i + 500);
    const rows = await listAll(
      c,
      'opportunities',
      {
        and: [
          { field: 'id', op: 'in', value: chunk },
          { field: 'status', op: 'eq', value: 'won' },
        ],
      },
      ['id', 'closedAt'],
    );
    for (const o of rows) wonOpps.set(o.id as string, o);
  }
  const reached = (l: Rec) => {
    const opportunity = typeof l.convertedOpportunityId === 'string';
    const won = opportunity && wonOpps.has(l.convertedOpportunityId as string);
    const sqlStep =
      opportunity || !!l.sqlAt || l.qualification === 'sql' || l.status === 'sql' || l.status === 'converted';
    const mql = sqlStep || !!l.mqlAt || l.qualification === 'mql' || l.status === 'mql';
    return { lead: true, mql, sql: sqlStep, opportunity, won };
  };
  const counts = { lead: 0, mql: 0, sql: 0, opportunity: 0, won: 0 };
  const waits: Record<string, number[]> = { lead: [], mql: [], sql: [], opportunity: [], won: [] };
  for (const l of leads) {
    const r = reached(l);
    for (const s of FUNNEL_STEPS) if (r[s]) counts[s]++;
    // Each step's time is measured from the step before it, or the nearest earlier one with a
    // known time: created → MQL (mqlAt) → SQL (sqlAt) → opportunity (convertedAt) → won
    // (the opportunity's closedAt). A lead without an MQL time counts from its creation.
    const wonAt = r.won ? wonOpps.get(l.convertedOpportunityId as string)?.closedAt : undefined;
    const times: [string, unknown][] = [
      ['lead', l.createdAt],
      ['mql', l.mqlAt],
      ['sql', l.sqlAt],
      ['opportunity', r.opportunity ? l.convertedAt : undefined],
      ['won', wonAt],
    ];
    let last: unknown = l.createdAt;
    for (const [step, at] of times.slice(1)) {
      if (typeof at !== 'string') continue;
      const d = between(last, at, DAY);
      if (d != null && d >= 0) waits[step]?.push(d);
      last = at;
    }
  }
  f.panel(
    F,
    'funnel',
    'Funnel: lead → MQL → SQL → opportunity → won',
    'bar',
    () => ({
      columns: [
        column('step', 'Step', 'group', 'select', FUNNEL_LABELS),
        column('count', 'Leads', 'measure', 'number'),
        column('conversion', 'Conversion from the step before (%)', 'measure', 'decimal'),
        column('medianDays', 'Median days from the step before', 'measure', 'decimal'),
      ],
      rows: FUNNEL_STEPS.map((s, i) => ({
        step: s,
        count: counts[s],
        conversion: i === 0 ? null : percent(counts[s], counts[FUNNEL_STEPS[i - 1] as keyof typeof counts]),
        medianDays: fixed1(median(waits[s] ?? [])),
      })),
      truncated: false,
    }),
    'count',
  );

  const bySource = (await sees(c, 'leads', ['createdAt', 'source']))
    ? await report(c, {
        object: 'leads',
        filter: { and: inRange('createdAt', c) },
        groupBy: [{ field: 'source' }],
        measures: [{ op: 'count', as: 'leads' }],
        sort: [{ by: 'leads', dir: 'desc' }],
      })
    : null;

  // Cost: cost entries dated in the period (a campaign without any: its actual cost on its
  // start date), as the acquisition cost counts it (cac.service.ts).
  const K =
    (await sees(c, 'campaign_costs', ['campaignId', 'category', 'incurredOn', 'amount'])) &&
    (await sees(c, 'campaigns', ['name', 'startDate', 'actualCost']));
  const costs = K ? await costsIn(c.records, c.tx, c.actor, c.from, c.to) : [];
  const currency = mainCurrency(
    costs.map((k) => k.amount),
    c.currency,
  );

  // Campaign ROI: campaigns started in the period, their cost (their cost entries, else
  // their actual cost) against the revenue of the won opportunities they sourced;
  // ROI = (revenue − cost) ÷ cost.
  const R = K && (await sees(c, 'opportunities', ['status', 'sourceCampaignId', 'amount']));
  const campaigns = R
    ? await listAll(
        c,
        'campaigns',
        {
          and: [
            { field: 'startDate', op: 'gte', value: c.from },
            { field: 'startDate', op: 'lte', value: c.to },
          ],
        },
        ['id', 'name', 'actualCost'],
      )
    : [];
  const entries = await entryTotals(
    c.records,
    c.tx,
    c.actor,
    campaigns.map((k) => k.id as string),
  );
  const revenue =
    campaigns.length === 0
      ? { rows: [] as Row[] }
      : await report(c, {
          object: 'opportunities',
          filter: {
            and: [
              { field: 'status', op: 'eq', value: 'won' },
              { field: 'sourceCampaignId', op: 'in', value: campaigns.map((k) => k.id) },
            ],
          },
          groupBy: [{ field: 'sourceCampaignId' }],
          measures: [
            { op: 'sum', field: 'amount', as: 'revenue' },
            { op: 'count', as: 'deals' },
          ],
        });
  let totalCost = new Decimal(0);
  let totalRevenue = new Decimal(0);
  const roiRows: Row[] = campaigns.map((k) => {
    const id = k.id as string;
    const cost = amountIn(entries.has(id) ? entries.get(id) : (k.actualCost as TReportCell), currency);
    const rev = revenue.rows.find((r) => r.sourceCampaignId === id);
    const revenueAmount = amountIn(rev?.revenue, currency);
    totalCost = totalCost.plus(cost);
    totalRevenue = totalRevenue.plus(revenueAmount);
    return {
      campaignId: id,
      cost: { amount: cost.toFixed(), currency },
      revenue: { amount: revenueAmount.toFixed(), currency },
      deals: Number(rev?.deals ?? 0),
      roi: cost.isZero() ? null : revenueAmount.minus(cost).div(cost).times(100).toFixed(1),
    };
  });

  // Customer acquisition cost: the cost in the period ÷ customers (accounts) whose first
  // won deal closed in it; the same per month or quarter.
  const N = await sees(c, 'opportunities', ['status', 'closedAt', 'accountId']);
  const wins = N ? await firstWins(c.records, c.tx, c.actor, c.end) : [];
  const acquisition = acquisitionFigures(costs, wins, c.from, c.to, currency);
  const byPeriod = periodsOf(c.from, c.to, c.period).map(([from, to]) => ({
    period: from,
    ...acquisitionFigures(costs, wins, from, to, currency),
  }));

  f.number(F, 'leads', 'Leads', 'count', () => counts.lead);
  f.number(F, 'mqls', 'MQLs', 'count', () => counts.mql);
  f.number(F, 'leadToWon', 'Lead to won', 'percent', () => percent(counts.won, counts.lead));
  f.number(K, 'marketingCost', 'Marketing cost', 'money', () => acquisition.marketingCost);
  f.number(K, 'salesCost', 'Sales cost', 'money', () => acquisition.salesCost);
  f.number(N, 'newCustomers', 'New customers', 'count', () => acquisition.newCustomers);
  f.number(K && N, 'cac', 'Customer acquisition cost', 'money', () => acquisition.cac);
  f.number(R, 'campaignRoi', 'Campaign ROI', 'percent', () =>
    totalCost.isZero() ? null : totalRevenue.minus(totalCost).div(totalCost).times(100).toFixed(1),
  );
  f.panel(!!bySource, 'leadsBySource', 'Leads by source', 'pie', () => bySource as TReportResult, 'leads');
  f.panel(
    R,
    'campaignRoi',
    'Campaign ROI',
    'table',
    () => ({
      columns: [
        column(
          'campaignId',
          'Campaign',
          'group',
          'relation',
          Object.fromEntries(campaigns.map((k) => [k.id as string, String(k.name)])),
        ),
        column('cost', 'Cost', 'measure', 'money'),
        column('revenue', 'Revenue won', 'measure', 'money'),
        column('deals', 'Deals won', 'measure', 'number'),
        column('roi', 'ROI (%)', 'measure', 'decimal'),
      ],
      rows: roiRows,
      truncated: false,
    }),
    'roi',
  );
  f.panel(
    K && N,
    'acquisitionCost',
    'Customer acquisition cost by period',
    'table',
    () => ({
      columns: [
        column('period', 'Period', 'group', 'date'),
        column('cost', 'Marketing and sales cost', 'measure', 'money'),
        column('newCustomers', 'New customers', 'measure', 'number'),
        column('cac', 'Customer acquisition cost', 'measure', 'money'),
      ],
      rows: byPeriod.map((p) => ({ period: p.period, cost: p.cost, newCustomers: p.newCustomers, cac: p.cac })),
      truncated: false,
    }),
    'cac',
  );
  return f.body();
}

// -------------------------------------------------------------------------------- service

interface AgentFigures {
  tickets: number;
  firstResponse: number[];
  resolution: number[];
  withSla: number;
  metSla: number;
  ratings: number[];
  surveyed: number;
}
const emptyAgent = (): AgentFigures => ({
  tickets: 0,
  firstResponse: [],
  resolution: [],
  withSla: 0,
  metSla: 0,
  ratings: [],
  surveyed: 0,
});
const HOUR = 3_600_000;
/** Labels of the CSAT by channel panel: the tickets' channels, and live chats rated at their end. */
const CSAT_CHANNELS: Record<string, string> = {
  email: 'Email',
  chat: 'Chat (tickets)',
  web_form: 'Web form',
  phone: 'Phone',
  social: 'Social',
  api: 'API',
  other: 'Other',
  live_chat: 'Live chat (rated at the end)',
};

/** The ticket fields each service figure needs (beyond the creation time). */
const SERVICE_NEEDS = {
  firstResponseHours: ['firstRespondedAt'],
  resolutionHours: ['solvedAt'],
  slaAttainment: ['slaPolicyId', 'slaBreached'],
  csatAverage: ['csatRating'],
  csatResponseRate: ['csatRating'],
} as const;
type ServiceFigure = keyof typeof SERVICE_NEEDS;

async function serviceDashboard(c: Ctx): Promise<Body> {
  const f = new Figures();
  const T = 'tickets';
  const created: FilterNode = { and: inRange('createdAt', c) };
  const V = await sees(c, T, ['createdAt']); // tickets created in the period
  const shows = {} as Record<ServiceFigure, boolean>;
  for (const [k, fields] of Object.entries(SERVICE_NEEDS))
    shows[k as ServiceFigure] = V && (await sees(c, T, [...fields]));
  const assignee = await sees(c, T, ['assigneeId']);
  const open = await sees(c, T, ['status']);
  const channel = V && (await sees(c, T, ['channel']));
  const byChannel = channel
    ? await report(c, {
        object: T,
        filter: created,
        groupBy: [{ field: 'channel' }],
        measures: [{ op: 'count', as: 'tickets' }],
        sort: [{ by: 'tickets', dir: 'desc' }],
      })
    : null;
  const backlog = open
    ? await report(c, {
        object: T,
        filter: { field: 'status', op: 'nin', value: ['solved', 'closed'] },
        groupBy: assignee ? [{ field: 'assigneeId' }] : [],
        measures: [{ op: 'count', as: 'open' }],
      })
    : { rows: [] as Row[] };
  const fields = new Set(['id', 'createdAt', ...(assignee ? ['assigneeId'] : []), ...(channel ? ['channel'] : [])]);
  for (const [k, need] of Object.entries(SERVICE_NEEDS))
    if (shows[k as ServiceFigure]) for (const n of need) fields.add(n);
  const tickets = V ? await listAll(c, T, created, [...fields]) : [];
  const surveyed = await surveyedTickets(
    c.tx,
    tickets.map((t) => t.id as string),
  );
  const all = emptyAgent();
  const agents = new Map<string | null, AgentFigures>();
  for (const t of tickets) {
    const key = (t.assigneeId as string | null) ?? null;
    const a = agents.get(key) ?? emptyAgent();
    agents.set(key, a);
    for (const f of [all, a]) {
      f.tickets++;
      const fr = between(t.createdAt, t.firstRespondedAt, HOUR);
      if (fr != null) f.firstResponse.push(fr);
      const rs = between(t.createdAt, t.solvedAt, HOUR);
      if (rs != null) f.resolution.push(rs);
      if (t.slaPolicyId) {
        f.withSla++;
        if (!t.slaBreached) f.metSla++;
      }
      if (typeof t.csatRating === 'number') f.ratings.push(t.csatRating);
      if (surveyed.has(t.id as string)) f.surveyed++;
    }
  }
  // Chats rated at their end count as ticket surveys answered do: every ended chat asked for a rating.
  const chats = await endedChats(c.tx, await c.records.access.policy(c.tx, c.actor), c.start, c.end);
  for (const chat of chats) {
    const a = agents.get(chat.agentUserId) ?? emptyAgent();
    agents.set(chat.agentUserId, a);
    for (const f of [all, a]) {
      f.surveyed++;
      if (chat.rating != null) f.ratings.push(chat.rating);
    }
  }
  const channels = new Map<string, { ratings: number[]; surveyed: number }>();
  const channelOf = (name: string) => {
    const ch = channels.get(name) ?? { ratings: [], surveyed: 0 };
    channels.set(name, ch);
    return ch;
  };
  for (const t of tickets) {
    const rated = typeof t.csatRating === 'number';
    if (!rated && !surveyed.has(t.id as string)) continue;
    const ch = channelOf((t.channel as string | null) ?? 'other');
    if (rated) ch.ratings.push(t.csatRating as number);
    if (surveyed.has(t.id as string)) ch.surveyed++;
  }
  for (const chat of chats) {
    const ch = channelOf('live_chat');
    ch.surveyed++;
    if (chat.rating != null) ch.ratings.push(chat.rating);
  }
  const backlogOf = new Map(backlog.rows.map((r) => [(r.assigneeId as string | null) ?? null, Number(r.open)]));
  const openTotal = [...backlogOf.values()].reduce((a, b) => a + b, 0);
  const average = (ratings: number[]) =>
    ratings.length ? new Decimal(mean(ratings) as number).toDecimalPlaces(2).toFixed(2) : null;
  const present = (f: AgentFigures) => ({
    tickets: f.tickets,
    firstResponseHours: fixed1(mean(f.firstResponse)),
    resolutionHours: fixed1(mean(f.resolution)),
    slaAttainment: percent(f.metSla, f.withSla),
    csatAverage: average(f.ratings),
    csatResponseRate: percent(f.ratings.length, f.surveyed),
  });
  const channelRows: Row[] = [...channels.entries()]
    .sort(([a, x], [b, y]) => y.ratings.length - x.ratings.length || a.localeCompare(b))
    .map(([channel, ch]) => ({
      channel,
      ratings: ch.ratings.length,
      csatAverage: average(ch.ratings),
      csatResponseRate: percent(ch.ratings.length, ch.surveyed),
    }));
  const agentIds = [...new Set([...agents.keys(), ...backlogOf.keys()])];
  const names = await userNames(
    c,
    agentIds.filter((id): id is string => !!id),
  );
  const agentRows: Row[] = agentIds.map((id) => ({
    assigneeId: id,
    ...present(agents.get(id) ?? emptyAgent()),
    backlog: backlogOf.get(id) ?? 0,
  }));
  const teamLabels: Record<string, string> = {};
  const teamRows: Row[] = [];
  for (const team of await teams(c)) {
    const f = emptyAgent();
    let open = 0;
    for (const id of team.members) {
      const a = agents.get(id);
      if (a) {
        f.tickets += a.tickets;
        f.firstResponse.push(...a.firstResponse);
        f.resolution.push(...a.resolution);
        f.withSla += a.withSla;
        f.metSla += a.metSla;
        f.ratings.push(...a.ratings);
        f.surveyed += a.surveyed;
      }
      open += backlogOf.get(id) ?? 0;
    }
    if (f.tickets === 0 && open === 0) continue;
    teamLabels[team.id] = team.name;
    teamRows.push({ teamId: team.id, ...present(f), backlog: open });
  }
  const agentColumns = [
    column('tickets', 'Tickets', 'measure', 'number'),
    column('firstResponseHours', 'First response (average hours)', 'measure', 'decimal'),
    column('resolutionHours', 'Resolution (average hours)', 'measure', 'decimal'),
    column('slaAttainment', 'SLA met (%)', 'measure', 'decimal'),
    column('csatAverage', 'CSAT (average of 5)', 'measure', 'decimal'),
    column('csatResponseRate', 'CSAT response rate (%)', 'measure', 'decimal'),
    column('backlog', 'Open now', 'measure', 'number'),
  ];
  // The per-agent and per-team tables keep the columns whose fields the role reads.
  const dropped = [
    ...(Object.keys(SERVICE_NEEDS) as ServiceFigure[]).filter((k) => !shows[k]),
    ...(open ? [] : ['backlog']),
  ];
  const p = present(all);
  f.number(V, 'tickets', 'Tickets', 'count', () => p.tickets);
  f.number(
    shows.firstResponseHours,
    'firstResponseHours',
    'First response (average)',
    'hours',
    () => p.firstResponseHours,
  );
  f.number(shows.resolutionHours, 'resolutionHours', 'Resolution (average)', 'hours', () => p.resolutionHours);
  f.number(shows.slaAttainment, 'slaAttainment', 'SLA attainment', 'percent', () => p.slaAttainment);
  f.number(open, 'backlog', 'Backlog (open now)', 'count', () => openTotal);
  f.number(shows.csatAverage, 'csatAverage', 'CSAT average', 'rating', () => p.csatAverage);
  f.number(shows.csatResponseRate, 'csatResponseRate', 'CSAT response rate', 'percent', () => p.csatResponseRate);
  f.panel(!!byChannel, 'ticketsByChannel', 'Tickets by channel', 'bar', () => byChannel as TReportResult, 'tickets');
  f.panel(
    shows.csatAverage,
    'csatByChannel',
    'CSAT by channel (ticket surveys and live chat ratings)',
    'table',
    () => ({
      columns: [
        column('channel', 'Channel', 'group', 'text', CSAT_CHANNELS),
        column('ratings', 'Ratings', 'measure', 'number'),
        column('csatAverage', 'CSAT (average of 5)', 'measure', 'decimal'),
        column('csatResponseRate', 'CSAT response rate (%)', 'measure', 'decimal'),
      ],
      rows: channelRows,
      truncated: false,
    }),
    'ratings',
  );
  f.panel(
    V && assignee,
    'byAgent',
    'Per agent',
    'table',
    () =>
      withoutColumns(
        f,
        'byAgent',
        {
          columns: [column('assigneeId', 'Agent', 'group', 'user', names), ...agentColumns],
          rows: agentRows,
          truncated: false,
        },
        dropped,
      ),
    'tickets',
  );
  f.panel(
    V && assignee,
    'byTeam',
    'Per team',
    'table',
    () =>
      withoutColumns(
        f,
        'byTeam',
        {
          columns: [column('teamId', 'Team', 'group', 'text', teamLabels), ...agentColumns],
          rows: teamRows,
          truncated: false,
        },
        dropped,
      ),
    'tickets',
  );
  await callsByQueueDay(c, f);
  return f.body();
}

/** The most rows the calls-by-queue-and-day table holds (the newest days; `truncated` past it). */
const QUEUE_DAY_ROWS = 500;

/**
 * The contact centre's daily queue figures (telephony_queue_days, kept by the telephony module)
 * as a table, newest day first. They count every call of the workspace, so, as for
 * `GET /api/v1/telephony/queues/daily`, only a role that reads every call sees them; for
 * others the panel is hidden.
 */
async function callsByQueueDay(c: Ctx, f: Figures): Promise<void> {
  const allowed = await readsEveryCall(c.tx, c.records, c.actor);
  const days = allowed
    ? await listQueueDays(c.tx, c.records, c.actor, c.from, c.to, { newestFirst: true, limit: QUEUE_DAY_ROWS + 1 })
    : [];
  f.panel(
    allowed,
    'callsByQueueDay',
    'Calls by queue and day',
    'table',
    () => ({
      columns: [
        column('day', 'Day', 'group', 'date'),
        column('queue', 'Queue', 'group', 'text'),
        column('offered', 'Calls', 'measure', 'number'),
        column('answered', 'Answered', 'measure', 'number'),
        column('abandoned', 'Abandoned', 'measure', 'number'),
        column('averageWaitSeconds', 'Average wait (seconds)', 'measure', 'number'),
        column('averageHandleSeconds', 'Average handle time (seconds)', 'measure', 'number'),
      ],
      rows: days.slice(0, QUEUE_DAY_ROWS).map(({ computedAt: _, ...figures }) => figures),
      truncated: days.length > QUEUE_DAY_ROWS,
    }),
    'answered',
  );
}

const TITLES: Record<TStandardKind, string> = {
  sales: 'Sales',
  forecast: 'Forecast',
  marketing: 'Marketing',
  service: 'Service',
};

/** One standard dashboard over [from, to] (dates inclusive, UTC), as the caller may see it. */
export async function standardDashboard(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  kind: TStandardKind,
  query: TStandardDashboardQuery,
  now: Date,
): Promise<TStandardDashboard> {
  const [from, to] = standardRange(kind, query, now);
  if (to < from) throw invalidField('to', 'must not be before from');
  if (Date.parse(to) - Date.parse(from) > 5 * 366 * DAY) throw invalidField('to', 'a period is at most five years');
  const c: Ctx = {
    records,
    tx,
    actor,
    from,
    to,
    start: `${from}T00:00:00.000Z`,
    end: `${nextDay(to)}T00:00:00.000Z`,
    period: query.period ?? 'month',
    currency: query.currency?.toUpperCase(),
    seen: new Map(),
  };
  const body =
    kind === 'sales'
      ? await salesDashboard(c)
      : kind === 'forecast'
        ? await forecastDashboard(c)
        : kind === 'marketing'
          ? await marketingDashboard(c)
          : await serviceDashboard(c);
  return { kind, title: TITLES[kind], from, to, ...body };
}
