import type { DealsParams } from '../api/sales.api';

export const PERIODS = [
  { value: 'all', label: 'All time' },
  { value: '30d', label: 'Last 30 days' },
  { value: '90d', label: 'Last 90 days' },
  { value: 'quarter', label: 'This quarter' },
  { value: 'year', label: 'This year' },
] as const;

export type Period = (typeof PERIODS)[number]['value'];

/** Search params of the deals view, so a filtered view can be linked. */
export interface DealsSearch {
  period?: Period;
  owner?: string;
  pipeline?: string;
  status?: 'won' | 'lost';
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

export function parseDealsSearch(s: Record<string, unknown>): DealsSearch {
  const period = PERIODS.find((p) => p.value === s.period)?.value;
  return {
    period: period === 'all' ? undefined : period,
    owner: str(s.owner),
    pipeline: str(s.pipeline),
    status: s.status === 'won' || s.status === 'lost' ? s.status : undefined,
  };
}

/** The close period as the API's [from, to) in UTC, relative to `now`. */
export function periodRange(period: Period | undefined, now: Date): { from?: string; to?: string } {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  switch (period) {
    case '30d':
      return { from: new Date(day - 29 * 86_400_000).toISOString() };
    case '90d':
      return { from: new Date(day - 89 * 86_400_000).toISOString() };
    case 'quarter': {
      const q = Math.floor(now.getUTCMonth() / 3) * 3;
      return {
        from: new Date(Date.UTC(now.getUTCFullYear(), q, 1)).toISOString(),
        to: new Date(Date.UTC(now.getUTCFullYear(), q + 3, 1)).toISOString(),
      };
    }
    case 'year':
      return {
        from: new Date(Date.UTC(now.getUTCFullYear(), 0, 1)).toISOString(),
        to: new Date(Date.UTC(now.getUTCFullYear() + 1, 0, 1)).toISOString(),
      };
    default:
      return {};
  }
}

/** What the deals and stats endpoints are asked for this view. */
export function dealsParams(search: DealsSearch, now: Date): DealsParams {
  return {
    ...periodRange(search.period, now),
    ownerId: search.owner,
    pipelineId: search.pipeline,
    status: search.status,
  };
}
