import { useInfiniteQuery } from '@tanstack/react-query';
import type { FilterNode } from '../../../../common/filter';
import { recordKeys } from '../api/record-keys';
import { listRecords } from '../api/records.api';

export const PAGE_SIZE = 100;

/** A list as pages fetched one after another with the API's keyset cursor (`nextCursor`). */
export function useRecordList(object: string, params: { sort?: string; filter?: FilterNode; include: string[] }) {
  const { sort, filter, include } = params;
  const query = useInfiniteQuery({
    queryKey: [...recordKeys.list(object, { sort, filter }), include],
    queryFn: ({ pageParam, signal }) =>
      listRecords(object, { sort, filter, include, cursor: pageParam, limit: PAGE_SIZE }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => (last.page.hasMore && last.page.nextCursor ? last.page.nextCursor : undefined),
  });
  const rows = query.data?.pages.flatMap((p) => p.data) ?? [];
  return { ...query, rows };
}
