import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { searchRecords } from '../api/search.api';

/** Search-as-you-type: waits for a pause in typing, keeps the last results on screen meanwhile. */
export function useSearch(query: string, opts: { objects?: string[]; limit?: number } = {}) {
  const [q] = useDebouncedValue(query.trim(), 150);
  const result = useQuery({
    queryKey: ['search', q, opts.objects ?? null, opts.limit ?? null],
    queryFn: ({ signal }) => searchRecords(q, opts, signal),
    enabled: q.length > 0,
    placeholderData: keepPreviousData,
    staleTime: 5_000,
  });
  return { ...result, settled: q === query.trim() && !result.isFetching };
}
