import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { FilterNode } from '../../../../common/filter';
import { listRecords } from '../../records/api/records.api';
import { getAggregate } from '../api/aggregate.api';
import { columnFilter } from '../utils/board';

export const CARDS_PER_PAGE = 25;

/** Query keys of a board, under the object's record keys so any record change refreshes it. */
export const boardKeys = {
  aggregate: (object: string, p: { groupBy: string; sum?: string; filter?: FilterNode }) =>
    ['records', object, 'aggregate', p] as const,
  columns: (object: string) => ['records', object, 'board'] as const,
  column: (object: string, p: { groupBy: string; value: string | null; filter?: FilterNode; sort?: string }) =>
    ['records', object, 'board', p] as const,
};

/** Per-column counts and totals from the aggregate endpoint. */
export function useBoardAggregate(object: string, p: { groupBy: string; sum?: string; filter?: FilterNode }) {
  return useQuery({
    queryKey: boardKeys.aggregate(object, p),
    queryFn: ({ signal }) => getAggregate(object, p, signal),
  });
}

/** One column's cards, a page at a time (big boards never load every card). */
export function useBoardColumn(
  object: string,
  p: { groupBy: string; value: string | null; filter?: FilterNode; sort?: string },
) {
  const query = useInfiniteQuery({
    queryKey: boardKeys.column(object, p),
    queryFn: ({ pageParam, signal }) =>
      listRecords(
        object,
        {
          filter: columnFilter(p.groupBy, p.value, p.filter),
          sort: p.sort,
          cursor: pageParam,
          limit: CARDS_PER_PAGE,
        },
        signal,
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.page.hasMore && last.page.nextCursor ? last.page.nextCursor : undefined),
  });
  return { ...query, cards: query.data?.pages.flatMap((page) => page.data) ?? [] };
}
