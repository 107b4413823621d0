// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/feed.ts.
import type { z } from 'zod';
import type {
  FeedEditRequest,
  FeedEntrySchema,
  FeedPageSchema,
  FeedPostRequest,
  FeedQuery,
} from '../../../../common/contracts/feed';
import { getJson, request, withQuery } from '../../../lib/http';

/** One entry of `GET /api/v1/feed` (server/modules/feed). */
export type FeedEntry = z.infer<typeof FeedEntrySchema>;
export type FeedPage = z.infer<typeof FeedPageSchema>;
export type FeedPost = z.input<typeof FeedPostRequest>;

/** The feed's filters as the page keeps them (each sent as a query parameter when set). */
export type FeedFilters = Pick<z.input<typeof FeedQuery>, 'type' | 'actorId' | 'teamId'>;

export const feedKeys = {
  all: ['feed'] as const,
  list: (f: FeedFilters) => ['feed', 'list', f.type ?? '', f.actorId ?? '', f.teamId ?? ''] as const,
  replies: (id: string) => ['feed', 'replies', id] as const,
};

export function getFeed(filters: FeedFilters, cursor: string | undefined, signal?: AbortSignal): Promise<FeedPage> {
  return getJson<FeedPage>(withQuery('/api/v1/feed', { ...filters, cursor, limit: 30 }), signal);
}

export function getReplies(id: string, signal?: AbortSignal): Promise<FeedPage> {
  return getJson<FeedPage>(withQuery(`/api/v1/feed/${id}/replies`, { limit: 200 }), signal);
}

export async function postToFeed(post: FeedPost): Promise<FeedEntry> {
  return (await request<{ data: FeedEntry }>('POST', '/api/v1/feed', { body: post })).body.data;
}

export async function editFeedMessage(id: string, edit: z.input<typeof FeedEditRequest>): Promise<FeedEntry> {
  return (await request<{ data: FeedEntry }>('PATCH', `/api/v1/feed/${id}`, { body: edit })).body.data;
}

export async function deleteFeedMessage(id: string): Promise<void> {
  await request('DELETE', `/api/v1/feed/${id}`);
}
