import Decimal from 'decimal.js';
import type { TAcquisitionCost, TAcquisitionCostQuery, TReportCell } from '../../../common/contracts/reports';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { invalidField } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { runReport } from '../../platform/records/report';
import { amountIn, listAll, type Money, mainCurrency, moneyList, periodsOf } from './figures';

/**
 * Customer acquisition cost (issue 22 point 3, marketing): the marketing and sales cost
 * dated in a period ÷ the new customers won in it. Cost comes from cost entries
 * (`campaign_costs`: a date, an amount, a category, usually a campaign); a campaign with
 * an actual cost but no cost entry at all counts its actual cost on its start date, as
 * before entries existed. A new customer is an account whose first won opportunity closed
 * in the period. Everything is read through the record engine with the caller's
 * permissions.
 */

const DAY = 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);
const nextDay = (date: string) => day(new Date(Date.parse(`${date}T00:00:00Z`) + DAY));

/** One cost, dated: a cost entry, or a campaign's actual cost on its start date. */
export interface CostItem {
  on: string;
  category: 'marketing' | 'sales';
  campaignId: string | null;
  amount: TReportCell;
}

/**
 * Each campaign's cost entries summed (every date, per currency), for the campaigns that
 * have any: a campaign with entries is costed by them, not by its actual cost.
 */
export async function entryTotals(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  campaignIds: string[],
): Promise<Map<string, TReportCell>> {
  const out = new Map<string, TReportCell>();
  for (let i = 0; i < campaignIds.length; i += 500) {
    const result = await runReport(records, tx, actor, {
      object: 'campaign_costs',
      filter: { field: 'campaignId', op: 'in', value: campaignIds.slice(i, i + 500) },
      groupBy: [{ field: 'campaignId' }],
      measures: [{ op: 'sum', field: 'amount', as: 'cost' }],
      limit: 10_000,
    });
    for (const r of result.rows) out.set(r.campaignId as string, r.cost ?? null);
  }
  return out;
}

/** The costs dated in [from, to] (dates, inclusive) the caller may read. */
export async function costsIn(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  from: string,
  to: string,
): Promise<CostItem[]> {
  const entries = await listAll(
    records,
    tx,
    actor,
    'campaign_costs',
    {
      and: [
        { field: 'incurredOn', op: 'gte', value: from },
        { field: 'incurredOn', op: 'lte', value: to },
      ],
    },
    ['id', 'campaignId', 'category', 'incurredOn', 'amount'],
  );
  const started = (
    await listAll(
      records,
      tx,
      actor,
      'campaigns',
      {
        and: [
          { field: 'startDate', op: 'gte', value: from },
          { field: 'startDate', op: 'lte', value: to },
        ],
      },
      ['id', 'startDate', 'actualCost'],
    )
  ).filter((k) => moneyList(k.actualCost as TReportCell).length > 0);
  const costed = await entryTotals(
    records,
    tx,
    actor,
    started.map((k) => k.id as string),
  );
  return [
    ...entries.map((e) => ({
      on: e.incurredOn as string,
      category: e.category === 'sales' ? ('sales' as const) : ('marketing' as const),
      campaignId: (e.campaignId as string | null) ?? null,
      amount: e.amount as TReportCell,
    })),
    ...started
      .filter((k) => !costed.has(k.id as string))
      .map((k) => ({
        on: k.startDate as string,
        category: 'marketing' as const,
        campaignId: k.id as string,
        amount: k.actualCost as TReportCell,
      })),
  ];
}

/** When each customer (account) the caller may read first won a deal closed before `end` (an instant). */
export async function firstWins(records: RecordService, tx: Tx, actor: Actor, end: string): Promise<string[]> {
  const won = await listAll(
    records,
    tx,
    actor,
    'opportunities',
    {
      and: [
        { field: 'status', op: 'eq', value: 'won' },
        { field: 'closedAt', op: 'lt', value: end },
        { field: 'accountId', op: 'isNotEmpty' },
      ],
    },
    ['id', 'accountId', 'closedAt'],
  );
  const first = new Map<string, string>();
  for (const o of won) {
    const a = o.accountId as string;
    const at = new Date(o.closedAt as string).toISOString();
    if (!first.has(a) || at < (first.get(a) as string)) first.set(a, at);
  }
  return [...first.values()];
}

/** Cost, new customers and CAC over [from, to] (dates, inclusive), in `currency`. */
export function acquisitionFigures(
  costs: CostItem[],
  wins: string[],
  from: string,
  to: string,
  currency: string,
): TAcquisitionCost['periods'][number] {
  let marketing = new Decimal(0);
  let sales = new Decimal(0);
  for (const c of costs) {
    if (c.on < from || c.on > to) continue;
    const amount = amountIn(c.amount, currency);
    if (c.category === 'sales') sales = sales.plus(amount);
    else marketing = marketing.plus(amount);
  }
  const start = `${from}T00:00:00.000Z`;
  const end = `${nextDay(to)}T00:00:00.000Z`;
  const newCustomers = wins.filter((at) => at >= start && at < end).length;
  const cost = marketing.plus(sales);
  const money = (d: Decimal): Money => ({ amount: d.toFixed(), currency });
  return {
    from,
    to,
    cost: money(cost),
    marketingCost: money(marketing),
    salesCost: money(sales),
    newCustomers,
    cac: newCustomers > 0 ? money(cost.div(newCustomers).toDecimalPlaces(2)) : null,
  };
}

/** `GET /api/v1/acquisition-cost`: CAC over a period, per month or quarter and per campaign. */
export async function acquisitionCost(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  q: TAcquisitionCostQuery,
  now: Date,
): Promise<TAcquisitionCost> {
  const from = q.from ?? day(new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth() + 1, 1)));
  const to = q.to ?? day(now);
  if (to < from) throw invalidField('to', 'must not be before from');
  if (Date.parse(to) - Date.parse(from) > 5 * 366 * DAY) throw invalidField('to', 'a period is at most five years');
  const costs = await costsIn(records, tx, actor, from, to);
  const wins = await firstWins(records, tx, actor, `${nextDay(to)}T00:00:00.000Z`);
  const currency = mainCurrency(
    costs.map((c) => c.amount),
    q.currency,
  );
  const whole = acquisitionFigures(costs, wins, from, to, currency);
  const periods = periodsOf(from, to, q.period ?? 'month').map(([f, t]) =>
    acquisitionFigures(costs, wins, f, t, currency),
  );

  const perCampaign = new Map<string | null, Decimal>();
  const others = new Map<string, Decimal>();
  for (const c of costs) {
    perCampaign.set(c.campaignId, (perCampaign.get(c.campaignId) ?? new Decimal(0)).plus(amountIn(c.amount, currency)));
    for (const m of moneyList(c.amount))
      if (m.currency !== currency) others.set(m.currency, (others.get(m.currency) ?? new Decimal(0)).plus(m.amount));
  }
  const ids = [...perCampaign.keys()].filter((id): id is string => id != null);
  const names = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 500)
    for (const k of await listAll(
      records,
      tx,
      actor,
      'campaigns',
      { field: 'id', op: 'in', value: ids.slice(i, i + 500) },
      ['id', 'name'],
    ))
      names.set(k.id as string, String(k.name));
  const byCampaign = [...perCampaign]
    .map(([campaignId, cost]) => ({
      campaignId,
      name: campaignId ? (names.get(campaignId) ?? null) : null,
      cost: { amount: cost.toFixed(), currency },
      sort: cost,
    }))
    .sort((a, b) => b.sort.comparedTo(a.sort) || String(a.name).localeCompare(String(b.name)))
    .map(({ sort: _sort, ...row }) => row);
  return {
    ...whole,
    currency,
    periods,
    byCampaign,
    otherCurrencies: [...others]
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([c, d]) => ({ amount: d.toFixed(), currency: c })),
  };
}
