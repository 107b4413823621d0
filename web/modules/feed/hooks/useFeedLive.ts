import { type InfiniteData, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { onStreamMessage } from '../../notifications/utils/stream-listeners';
import { type FeedEntry, type FeedFilters, type FeedPage, feedKeys } from '../api/feed.api';

/** Puts an entry at the top of a cached feed list, once; an entry already there (edited) is replaced in place. */
export function prependEntry(data: InfiniteData<FeedPage> | undefined, entry: FeedEntry) {
  if (!data) return data;
  if (data.pages.some((p) => p.data.some((e) => e.id === entry.id))) {
    return {
      ...data,
      pages: data.pages.map((p) => ({ ...p, data: p.data.map((e) => (e.id === entry.id ? entry : e)) })),
    };
  }
  const [first, ...rest] = data.pages;
  return { ...data, pages: [{ ...(first as FeedPage), data: [entry, ...(first?.data ?? [])] }, ...rest] };
}

/**
 * Keeps the feed live from the notifications socket: a new entry goes to the top of the
 * unfiltered list (a filtered list is fetched again, the server applies the filters); a
 * reply raises its thread's count and refreshes an open thread; after a reconnect the
 * list is fetched again (something may have been missed).
 */
export function useFeedLive(filters: FeedFilters): void {
  const client = useQueryClient();
  const filtered = !!(filters.type || filters.actorId || filters.teamId);
  useEffect(
    () =>
      onStreamMessage((m) => {
        if (m.type === 'hello') {
          void client.invalidateQueries({ queryKey: feedKeys.all });
          return;
        }
        if (m.type !== 'feed') return;
        const { entry } = m;
        if (entry.parentId && entry.editedAt) {
          // An edited reply: its thread shows the new text; the count stays.
          void client.invalidateQueries({ queryKey: feedKeys.replies(entry.parentId) });
          return;
        }
        if (entry.parentId) {
          const parentId = entry.parentId;
          client.setQueriesData<InfiniteData<FeedPage>>({ queryKey: ['feed', 'list'] }, (data) =>
            data
              ? {
                  ...data,
                  pages: data.pages.map((p) => ({
                    ...p,
                    data: p.data.map((e) => (e.id === parentId ? { ...e, replies: (e.replies ?? 0) + 1 } : e)),
                  })),
                }
              : data,
          );
          void client.invalidateQueries({ queryKey: feedKeys.replies(parentId) });
          return;
        }
        if (filtered) void client.invalidateQueries({ queryKey: feedKeys.list(filters) });
        else client.setQueryData<InfiniteData<FeedPage>>(feedKeys.list(filters), (d) => prependEntry(d, entry));
      }),
    [client, filtered, filters],
  );
}
