import { queryOptions } from '@tanstack/react-query';
import type { TFeedEntry } from '../../../../common/contracts/feed';
import { getJson, withQuery } from '../../../lib/http';

/** The workspace feed's latest entries the caller may see, for the home page (GET /api/v1/feed). */
export const feedPreviewQuery = queryOptions({
  queryKey: ['feed', 'preview'],
  queryFn: async ({ signal }): Promise<TFeedEntry[]> =>
    (await getJson<{ data: TFeedEntry[] }>(withQuery('/api/v1/feed', { limit: 5 }), signal)).data,
});
