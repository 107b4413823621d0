import { queryOptions } from '@tanstack/react-query';
import { ApiError, getJson, withQuery } from '../../../lib/http';

/**
 * The workspace feed's latest entries for the home page. The feed (GET /api/v1/feed) is
 * built on its own branch: until its contract lands in common/contracts/feed.ts this reads
 * only the fields every entry needs, and answers null when the endpoint is not there.
 */
export type FeedPreviewEntry = {
  id: string;
  createdAt: string;
  summary?: string;
  text?: string;
  actor?: { name?: string | null } | null;
};

export const feedPreviewQuery = queryOptions({
  queryKey: ['feed', 'preview'],
  queryFn: async ({ signal }): Promise<FeedPreviewEntry[] | null> => {
    try {
      return (await getJson<{ data: FeedPreviewEntry[] }>(withQuery('/api/v1/feed', { limit: 5 }), signal)).data;
    } catch (err) {
      if (err instanceof ApiError && (err.status === 404 || err.status === 405)) return null;
      throw err;
    }
  },
  retry: false,
});
