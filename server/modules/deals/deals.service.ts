import { sql } from 'kysely';
import type { z } from 'zod';
import type { DealsQuery } from '../../../common/contracts/sales';
import type { FilterNode } from '../../../common/filter';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { normaliseDecimal } from '../../platform/records/field-types';
import type { RecordService } from '../../platform/records/records.service';

/** The deal filters of the contract's query (without its paging). */
export type DealsFilter = Omit<z.infer<typeof DealsQuery>, 'limit' | 'cursor'>;

const DAY_SECONDS = 86_400;
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

function filterOf(f: DealsFilter): FilterNode {
  const and: FilterNode[] = [
    f.status ? { field: 'status', op: 'eq', value: f.status } : { field: 'status', op: 'in', value: ['won', 'lost'] },
  ];
  if (f.from) and.push({ field: 'closedAt', op: 'gte', value: f.from });
  if (f.to) and.push({ field: 'closedAt', op: 'lt', value: f.to });
  if (f.ownerId) and.push({ field: 'ownerId', op: 'eq', value: f.ownerId });
  if (f.pipelineId) and.push({ field: 'pipelineId', op: 'eq', value: f.pipelineId });
  return { and } as FilterNode;
}

/**
 * Deals: opportunities that are closed now (their stage is won or lost), newest close
 * first, as the caller may see them (scope, hidden amount). A reopened opportunity is
 * not a deal until it closes again; then its latest close counts.
 */
export async function listDeals(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  f: DealsFilter & { limit?: number; cursor?: string },
) {
  // Like the stats: a pipeline that is not this workspace's (a select the filter would refuse,
  // naming its own internals) simply has no deals.
  if (f.pipelineId) {
    const { rows } = await sql`select 1 from pipelines where id = ${f.pipelineId}`.execute(tx);
    if (rows.length === 0) return { data: [], page: { nextCursor: null, hasMore: false } };
  }
  const page = await records.list(tx, actor, 'opportunities', {
    filter: filterOf(f),
    sort: '-closedAt',
    limit: f.limit,
    cursor: f.cursor,
  });
  return {
    data: page.data.map((o) => {
      const seconds = (Date.parse(o.closedAt as string) - Date.parse(o.createdAt as string)) / 1000;
      return {
        id: o.id as string,
        name: o.name as string,
        status: o.status as 'won' | 'lost',
        closedAt: o.closedAt as string,
        createdAt: o.createdAt as string,
        cycleDays: round(seconds / DAY_SECONDS, 2),
        ...('amount' in o ? { amount: o.amount as { amount: string; currency: string } | null } : {}),
        lostReason: (o.lostReason as string | null) ?? null,
        ownerId: (o.ownerId as string | null) ?? null,
        accountId: (o.accountId as string | null) ?? null,
        pipelineId: o.pipelineId as string,
        stageId: o.stageId as string,
      };
    }),
    page: page.page,
  };
}

/**
 * Win rate and sales cycle over the deals closed in [from, to) that the caller can see:
 *   winRate         = won / (won + lost), null when nothing closed
 *   averageCycleDays = mean of (closedAt − createdAt) over won deals, null without one
 *   medianCycleDays  = the median of the same
 * Amounts are summed per currency (no conversion), and left out when the caller's role
 * may not see opportunity amounts.
 */
export async function dealStats(tx: Tx, records: RecordService, actor: Actor, f: DealsFilter) {
  const ctx = await records.context(tx, actor, 'opportunities', 'read');
  const where = sql.join(
    [
      sql`t.deleted_at is null`,
      f.status ? sql`t.status = ${f.status}` : sql`t.status in ('won', 'lost')`,
      sql`t.closed_at is not null`,
      ...(f.from ? [sql`t.closed_at >= ${f.from}::timestamptz`] : []),
      ...(f.to ? [sql`t.closed_at < ${f.to}::timestamptz`] : []),
      ...(f.ownerId ? [sql`t.owner_id = ${f.ownerId}::uuid`] : []),
      ...(f.pipelineId ? [sql`t.pipeline_id = ${f.pipelineId}`] : []),
    ],
    sql` and `,
  );
  const { rows } = await sql<{ won: string; lost: string; avg_s: string | null; median_s: string | null }>`
    select count(*) filter (where t.status = 'won') as won,
           count(*) filter (where t.status = 'lost') as lost,
           avg(extract(epoch from t.closed_at - t.created_at)) filter (where t.status = 'won') as avg_s,
           percentile_cont(0.5) within group (order by extract(epoch from t.closed_at - t.created_at))
             filter (where t.status = 'won') as median_s
    from ${records.scopedRelation(ctx, 'opportunities')} t where ${where}`.execute(tx);
  const r = rows[0] ?? { won: '0', lost: '0', avg_s: null, median_s: null };
  const won = Number(r.won);
  const lost = Number(r.lost);
  const days = (s: string | null) => (s == null ? null : round(Number(s) / DAY_SECONDS, 2));
  const stats: {
    won: number;
    lost: number;
    winRate: number | null;
    averageCycleDays: number | null;
    medianCycleDays: number | null;
    wonAmounts?: { currency: string; amount: string; count: number }[];
    lostAmounts?: { currency: string; amount: string; count: number }[];
  } = {
    won,
    lost,
    winRate: won + lost === 0 ? null : round(won / (won + lost), 4),
    averageCycleDays: days(r.avg_s),
    medianCycleDays: days(r.median_s),
  };
  if (ctx.schema.field('amount')) {
    const { rows: sums } = await sql<{ status: string; currency: string; amount: string; n: string }>`
      select t.status, t.amount_currency as currency, sum(t.amount_amount)::text as amount, count(*) as n
      from ${records.scopedRelation(ctx, 'opportunities')} t where ${where} and t.amount_amount is not null
      group by t.status, t.amount_currency order by t.amount_currency`.execute(tx);
    const of = (s: string) =>
      sums
        .filter((x) => x.status === s)
        .map((x) => ({ currency: x.currency, amount: normaliseDecimal(x.amount), count: Number(x.n) }));
    stats.wonAmounts = of('won');
    stats.lostAmounts = of('lost');
  }
  return stats;
}
