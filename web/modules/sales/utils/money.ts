import Decimal from 'decimal.js';
import type { Money } from '../../records/utils/format';
import { formatDecimal } from '../../records/utils/format';

/** Sums money per currency exactly (decimal.js), currencies in alphabetical order. */
export function sumByCurrency(amounts: (Money | null | undefined)[]): Money[] {
  const sums = new Map<string, Decimal>();
  for (const m of amounts) {
    if (!m?.amount || !m.currency) continue;
    sums.set(m.currency, (sums.get(m.currency) ?? new Decimal(0)).plus(m.amount));
  }
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, amount]) => ({ currency, amount: amount.toFixed() }));
}

/** "1,250.50 EUR + 300 USD", or "—". */
export const formatSums = (sums: Money[]) =>
  sums.length ? sums.map((s) => `${formatDecimal(s.amount)} ${s.currency}`).join(' + ') : '—';

/** "3 d 4 h", "5 h 12 min", "40 s": a duration in seconds for people. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return h ? `${d} d ${h} h` : `${d} d`;
  if (h) return m ? `${h} h ${m} min` : `${h} h`;
  if (m) return `${m} min`;
  return `${s} s`;
}
