import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { type DealsParams, getDealStats, listDeals, salesKeys } from '../api/sales.api';

/** Closed deals of the view, page by page (latest close first). */
export function useDeals(params: DealsParams) {
  return useInfiniteQuery({
    queryKey: salesKeys.deals(params),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => listDeals({ ...params, cursor: pageParam, limit: 50 }, signal),
    getNextPageParam: (last) => (last.page.hasMore ? (last.page.nextCursor ?? undefined) : undefined),
  });
}

/** Win rate, cycle length and totals of the view. */
export function useDealStats(params: DealsParams) {
  return useQuery({ queryKey: salesKeys.stats(params), queryFn: ({ signal }) => getDealStats(params, signal) });
}
