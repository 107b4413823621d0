import Decimal from 'decimal.js';
import { sql } from 'kysely';
import type { TForecast, TReportCell } from '../../../common/contracts/reports';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { invalidField } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { runReport } from '../../platform/records/report';
import { listPipelines } from '../pipelines';
import { listQuotas } from './quotas.service';

/** The opportunities' forecast categories (their forecastCategory options), in roll-up order. */
const FORECAST_CATEGORIES = ['pipeline', 'best_case', 'commit', 'closed', 'omitted'] as const;

export interface ForecastOptions {
  from?: string;
  to?: string;
  currency?: string;
  pipelineId?: string;
}

type Figures = {
  count: number;
  quota: Decimal | null;
  closed: Decimal;
  commit: Decimal;
  bestCase: Decimal;
  pipeline: Decimal;
  weighted: Decimal;
};
const zero = (): Figures => ({
  count: 0,
  quota: null,
  closed: new Decimal(0),
  commit: new Decimal(0),
  bestCase: new Decimal(0),
  pipeline: new Decimal(0),
  weighted: new Decimal(0),
});

/** The range asked for; a bound left out is the current calendar quarter's (UTC). */
function range(opts: ForecastOptions, now: Date): [string, string] {
  const q = Math.floor(now.getUTCMonth() / 3) * 3;
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return [
    opts.from ?? day(new Date(Date.UTC(now.getUTCFullYear(), q, 1))),
    opts.to ?? day(new Date(Date.UTC(now.getUTCFullYear(), q + 3, 0))),
  ];
}

const moneyList = (cell: TReportCell | undefined): { amount: string; currency: string }[] =>
  cell == null ? [] : Array.isArray(cell) ? cell : typeof cell === 'object' ? [cell] : [];

/**
 * The sales forecast over opportunities expected to close in [from, to] (dates
 * inclusive), read through the report engine — so exactly the opportunities the caller
 * may read. Figures are Salesforce's cumulative roll-ups of the forecast categories:
 * closed; commit = closed + commit; bestCase = commit + best case; pipeline = every open
 * category (commit + best case + pipeline, not closed nor omitted); weighted = Σ amount ×
 * the probability of the opportunity's stage (won 100 %, lost 0 %), over all of them.
 * Amounts in one currency (asked for, else the one most groups of owner, category and
 * stage use); amounts in others are totalled in otherCurrencies and left out.
 */
export async function forecast(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  opts: ForecastOptions,
  now = new Date(),
): Promise<TForecast> {
  const [from, to] = range(opts, now);
  if (to < from) throw invalidField('to', 'must not be before from');
  const filter = {
    and: [
      { field: 'expectedCloseDate', op: 'gte' as const, value: from },
      { field: 'expectedCloseDate', op: 'lte' as const, value: to },
      ...(opts.pipelineId ? [{ field: 'pipelineId', op: 'eq' as const, value: opts.pipelineId }] : []),
    ],
  };
  const report = await runReport(
    records,
    tx,
    actor,
    {
      object: 'opportunities',
      filter,
      groupBy: [{ field: 'ownerId' }, { field: 'forecastCategory' }, { field: 'stageId' }],
      measures: [
        { op: 'count', as: 'count' },
        { op: 'sum', field: 'amount', as: 'amount' },
      ],
      limit: 10_000,
    },
    { maxGroups: 3 },
  );
  const probability = new Map<string, Decimal>();
  for (const p of await listPipelines(tx)) for (const s of p.stages) probability.set(s.id, new Decimal(s.probability));

  // The currency: asked for, else the one most opportunities (with an amount) use.
  const uses = new Map<string, number>();
  const amounts = new Map<string, Decimal>();
  for (const r of report.rows)
    for (const m of moneyList(r.amount)) {
      uses.set(m.currency, (uses.get(m.currency) ?? 0) + 1);
      amounts.set(m.currency, (amounts.get(m.currency) ?? new Decimal(0)).plus(m.amount));
    }
  const currency =
    opts.currency?.toUpperCase() ?? [...uses].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'USD';

  const total = zero();
  const categories = new Map<string, Decimal>(FORECAST_CATEGORIES.map((c) => [c, new Decimal(0)]));
  const owners = new Map<string | null, Figures>();
  for (const r of report.rows) {
    const ownerId = (r.ownerId as string | null) ?? null;
    const category = (r.forecastCategory as string | null) ?? 'pipeline';
    const amount = new Decimal(moneyList(r.amount).find((m) => m.currency === currency)?.amount ?? 0);
    const owner = owners.get(ownerId) ?? zero();
    owners.set(ownerId, owner);
    const stageProbability = probability.get(String(r.stageId)) ?? new Decimal(0);
    for (const f of [total, owner]) {
      f.count += Number(r.count);
      if (category === 'closed') f.closed = f.closed.plus(amount);
      if (category === 'closed' || category === 'commit') f.commit = f.commit.plus(amount);
      if (category === 'closed' || category === 'commit' || category === 'best_case')
        f.bestCase = f.bestCase.plus(amount);
      if (category === 'commit' || category === 'best_case' || category === 'pipeline')
        f.pipeline = f.pipeline.plus(amount);
      f.weighted = f.weighted.plus(amount.times(stageProbability).dividedBy(100));
    }
    categories.set(category, (categories.get(category) ?? new Decimal(0)).plus(amount));
  }
  // Quotas of the range (an administrator's: everyone's; a rep's: their own), in the currency.
  const quotas = await listQuotas(records, tx, actor, { from, to });
  const names = new Map<string, string>();
  for (const q of quotas) {
    if (q.amount.currency !== currency) continue;
    if (!owners.has(q.userId)) owners.set(q.userId, zero());
    for (const f of [total, owners.get(q.userId) as Figures])
      f.quota = (f.quota ?? new Decimal(0)).plus(q.amount.amount);
  }
  const unnamed = [...owners.keys()].filter((id): id is string => !!id);
  if (unnamed.length) {
    const { rows } = await sql<{ id: string; name: string }>`
      select u.id, u.name from users u join workspace_members m on m.user_id = u.id
      where m.workspace_id = ${actor.workspaceId} and u.id = any(${unnamed}::uuid[])`.execute(tx);
    for (const r of rows) names.set(r.id, r.name);
  }
  const money = (d: Decimal) => ({ amount: d.toFixed(), currency });
  const present = (f: Figures) => ({
    count: f.count,
    quota: f.quota ? money(f.quota) : null,
    attainment: f.quota && !f.quota.isZero() ? f.closed.dividedBy(f.quota).times(100).toFixed(1) : null,
    closed: money(f.closed),
    commit: money(f.commit),
    bestCase: money(f.bestCase),
    pipeline: money(f.pipeline),
    weighted: money(f.weighted),
  });
  const ownerLabels = report.columns.find((c) => c.name === 'ownerId')?.labels ?? {};
  return {
    from,
    to,
    currency,
    ...present(total),
    categories: Object.fromEntries([...categories].map(([c, d]) => [c, money(d)])),
    owners: [...owners]
      .map(([ownerId, f]) => ({
        ownerId,
        name: ownerId ? (ownerLabels[ownerId] ?? names.get(ownerId) ?? 'A former member') : 'No owner',
        ...present(f),
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    otherCurrencies: [...amounts]
      .filter(([c]) => c !== currency)
      .map(([c, d]) => ({ amount: d.toFixed(), currency: c }))
      .sort((a, b) => a.currency.localeCompare(b.currency)),
  };
}
