import Decimal from 'decimal.js';
import type { TReportCell } from '../../../common/contracts/reports';
import type { FilterNode } from '../../../common/filter';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import type { RecordService } from '../../platform/records/records.service';

/** Helpers the standard dashboards and the acquisition cost share. */

export type Money = { amount: string; currency: string };
export type Rec = Record<string, unknown>;

const day = (d: Date) => d.toISOString().slice(0, 10);

/** Calendar months or quarters cut to [from, to] (dates, inclusive). */
export function periodsOf(from: string, to: string, period: 'month' | 'quarter'): [string, string][] {
  const out: [string, string][] = [];
  const step = period === 'month' ? 1 : 3;
  const f = new Date(`${from}T00:00:00Z`);
  let y = f.getUTCFullYear();
  let m = period === 'month' ? f.getUTCMonth() : Math.floor(f.getUTCMonth() / 3) * 3;
  for (let i = 0; i < 120; i++) {
    const s = day(new Date(Date.UTC(y, m, 1)));
    const e = day(new Date(Date.UTC(y, m + step, 0)));
    if (s > to) break;
    out.push([s < from ? from : s, e > to ? to : e]);
    m += step;
    if (m >= 12) {
      y += 1;
      m -= 12;
    }
  }
  return out;
}

/** Every record matching the filter that the caller may read (the record engine's list, page by page). */
export async function listAll(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  object: string,
  filter: FilterNode,
  fields: string[],
): Promise<Rec[]> {
  const out: Rec[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await records.list(tx, actor, object, {
      filter,
      fields: fields.join(','),
      limit: 1000,
      sort: 'id',
      ...(cursor ? { cursor } : {}),
    });
    out.push(...page.data);
    if (!page.page.hasMore || !page.page.nextCursor || out.length >= 200_000) return out;
    cursor = page.page.nextCursor;
  }
}

export const moneyList = (cell: TReportCell | undefined): Money[] =>
  cell == null ? [] : Array.isArray(cell) ? cell : typeof cell === 'object' ? [cell] : [];
export const amountIn = (cell: TReportCell | undefined, currency: string) =>
  new Decimal(moneyList(cell).find((m) => m.currency === currency)?.amount ?? 0);
/** The currency most amounts use (ties: alphabetical), else the one asked for, else EUR. */
export function mainCurrency(cells: (TReportCell | undefined)[], asked?: string): string {
  if (asked) return asked.toUpperCase();
  const uses = new Map<string, number>();
  for (const cell of cells) for (const m of moneyList(cell)) uses.set(m.currency, (uses.get(m.currency) ?? 0) + 1);
  return [...uses].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? 'EUR';
}
