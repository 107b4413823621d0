import { type InfiniteData, keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import type { FilterNode } from '../../../../common/filter-ops';
import { reverseSort } from '../../../../common/sort';
import { recordKeys } from '../api/record-keys';
import { listRecords, type RecordData, type RecordPage } from '../api/records.api';
import { type Load, listWindow } from '../utils/list-window';

/** The first page: enough to fill a screen several times over, quick to arrive. */
export const PAGE_SIZE = 100;
/** Later pages grow to the API's largest, so a long scroll needs fewer round trips. */
const PAGE_SIZES = [PAGE_SIZE, 200, 500];
const pageSize = (loaded: number) => PAGE_SIZES[Math.min(loaded, PAGE_SIZES.length - 1)] ?? 500;
/** Rows read at once where the list stopped far from both ends (the API's largest page). */
export const ISLAND_SIZE = 500;

interface PageParam {
  cursor?: string;
  /** Only for an island: rows to skip. */
  offset?: number;
  limit: number;
}

export interface ListParams {
  /** The sort in effect (the object's default when the page has none): the tail reads it backwards. */
  sort: string;
  /** The sort the page asked for (undefined: the API's default, which is the same list). */
  requestedSort?: string;
  filter?: FilterNode;
  include: string[];
  /** Only the fields the table shows (less to send and to keep for 100,000 rows). */
  fields?: string[];
  /** Shrinks each record before it is kept (e.g. included relations to their titles). */
  compact?: (r: RecordData) => RecordData;
}

/** The number of records matching a filter (`count=true` on a one-row page), for the list's header and length. */
export function useRecordCount(object: string, filter: FilterNode | undefined) {
  return useQuery({
    queryKey: recordKeys.count(object, { filter }),
    queryFn: ({ signal }) =>
      listRecords(object, { filter, limit: 1, fields: ['id'], count: true }, signal).then((p) => p.total ?? null),
  });
}

const rowsOf = (data: InfiniteData<RecordPage, unknown> | undefined) => data?.pages.flatMap((p) => p.data) ?? [];

/**
 * A list read with the API's keyset cursor from the top (the head) and, once the user
 * goes far down (End, the scrollbar dragged to the bottom), from the bottom with the same
 * sort reversed (the tail). With the total known the table is as long as the list from
 * the start; `load('head' | 'tail')` fetches the next page of one end, `load({ at })` one
 * page by offset where the list stopped far from both (only the latest such island is kept).
 */
export function useRecordList(object: string, params: ListParams) {
  const { sort, requestedSort, filter, include, fields, compact } = params;
  const count = useRecordCount(object, filter);
  const total = count.data ?? undefined;
  const key = [...recordKeys.list(object, { sort: requestedSort, filter }), include, fields ?? null] as const;
  const fetchPage = (s: string | undefined, param: PageParam, signal: AbortSignal) =>
    listRecords(object, { sort: s, filter, include, fields, ...param }, signal).then((page) =>
      compact ? { ...page, data: page.data.map(compact) } : page,
    );
  const next = (last: RecordPage, all: RecordPage[]): PageParam | undefined =>
    last.page.hasMore && last.page.nextCursor
      ? { cursor: last.page.nextCursor, limit: pageSize(all.length) }
      : undefined;

  const head = useInfiniteQuery({
    queryKey: key,
    queryFn: ({ pageParam, signal }) => fetchPage(requestedSort, pageParam, signal),
    initialPageParam: { limit: PAGE_SIZE } as PageParam,
    getNextPageParam: next,
  });
  const headDone = head.isSuccess && !head.hasNextPage;
  // The tail is read only once someone goes far from the top of a long list (of this sort and filter).
  const keyText = JSON.stringify(key);
  const [tailFor, setTailFor] = useState<string | null>(null);
  const wantTail = tailFor === keyText;
  const tail = useInfiniteQuery({
    queryKey: [...key, 'tail'],
    queryFn: ({ pageParam, signal }) => fetchPage(reverseSort(sort), pageParam, signal),
    initialPageParam: { limit: PAGE_SIZE } as PageParam,
    getNextPageParam: next,
    enabled: wantTail && total !== undefined && !headDone,
  });

  // The island: one page by offset, kept (with the list it belongs to) while the next one loads.
  const [islandAt, setIslandAt] = useState<{ key: string; at: number } | null>(null);
  const wantIsland = islandAt?.key === keyText && !headDone;
  const island = useQuery({
    queryKey: [...key, 'at', wantIsland ? islandAt.at : null],
    queryFn: async ({ signal }) => {
      const at = islandAt?.at ?? 0;
      const page = await fetchPage(requestedSort, { offset: at, limit: ISLAND_SIZE }, signal);
      return { key: keyText, start: at, requested: ISLAND_SIZE, rows: page.data };
    },
    enabled: wantIsland && total !== undefined,
    placeholderData: keepPreviousData,
  });
  const islandData = wantIsland && island.data?.key === keyText ? island.data : undefined;

  const headRows = useMemo(() => rowsOf(head.data), [head.data]);
  const tailRows = useMemo(() => rowsOf(tail.data), [tail.data]);
  const win = useMemo(
    () =>
      listWindow({
        head: headRows,
        headDone,
        tail: wantTail ? tailRows : [],
        tailDone: wantTail && tail.isSuccess && !tail.hasNextPage,
        total: head.isSuccess ? total : undefined,
        island: islandData,
      }),
    [headRows, headDone, tailRows, wantTail, tail.isSuccess, tail.hasNextPage, total, head.isSuccess, islandData],
  );

  const fetching = head.isFetching || tail.isFetching || island.isFetching;
  const { fetchNextPage: nextHead, hasNextPage: headMore } = head;
  const { fetchNextPage: nextTail, hasNextPage: tailMore, isSuccess: tailLoaded } = tail;
  const load = useCallback(
    (end: Load) => {
      if (fetching) return;
      if (typeof end === 'object') {
        if (islandAt?.key !== keyText || islandAt.at !== end.at) setIslandAt({ key: keyText, at: end.at });
      } else if (end === 'head' && headMore) void nextHead();
      else if (end === 'tail') {
        if (!wantTail) setTailFor(keyText);
        else if (tailLoaded && tailMore) void nextTail();
      }
    },
    [fetching, headMore, nextHead, wantTail, keyText, tailLoaded, tailMore, nextTail, islandAt],
  );
  const { refetch: refetchHead } = head;
  const { refetch: refetchTail } = tail;
  const { refetch: refetchIsland } = island;
  const { refetch: refetchCount } = count;
  const refetch = useCallback(() => {
    void refetchHead();
    if (wantTail) void refetchTail();
    if (wantIsland) void refetchIsland();
    void refetchCount();
  }, [refetchHead, refetchTail, refetchIsland, refetchCount, wantTail, wantIsland]);

  return {
    window: win,
    total,
    load,
    loading: fetching,
    isPending: head.isPending,
    isError: head.isError,
    error: head.error,
    refetch,
  };
}
