// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type {
  CommentRequest,
  CommentSchema,
  GuardResultSchema,
  PersonSchema,
  RecentContactSchema,
  TimelineItemSchema,
  TimelineKindSchema,
  TimelinePageSchema,
} from '../../../../common/contracts/timeline';
import { getJson, request, withQuery } from '../../../lib/http';

export type TimelineKind = z.infer<typeof TimelineKindSchema>;

export type Person = z.infer<typeof PersonSchema>;

/** One entry of `GET /api/v1/{object}/{id}/timeline` (server/modules/timeline/timeline.service.ts). */
export type TimelineItem = z.infer<typeof TimelineItemSchema>;

export type TimelinePage = z.infer<typeof TimelinePageSchema>;

export const timelineKeys = {
  all: (object: string, id: string) => ['timeline', object, id] as const,
  list: (object: string, id: string, kinds: string) => ['timeline', object, id, kinds] as const,
};

export function getTimeline(
  object: string,
  id: string,
  opts: { kinds?: string; cursor?: string; includeContacts?: boolean },
  signal?: AbortSignal,
): Promise<TimelinePage> {
  return getJson<TimelinePage>(
    withQuery(`/api/v1/${object}/${id}/timeline`, {
      kinds: opts.kinds,
      cursor: opts.cursor,
      limit: 30,
      includeContacts: opts.includeContacts ? 'true' : undefined,
    }),
    signal,
  );
}

export async function addComment(object: string, id: string, body: string) {
  return (
    await request<{ data: z.infer<typeof CommentSchema> }>('POST', `/api/v1/${object}/${id}/comments`, {
      body: { body } satisfies z.input<typeof CommentRequest>,
    })
  ).body.data;
}

export async function deleteComment(object: string, id: string, commentId: string) {
  await request<void>('DELETE', `/api/v1/${object}/${id}/comments/${commentId}`);
}

/** A contact with this person or their account still within its channel's cool-down. */
export type RecentContact = z.infer<typeof RecentContactSchema>;

export type GuardResult = z.infer<typeof GuardResultSchema>;

export function recentContacts(contactId: string, params: { channel?: string; topic?: string }, signal?: AbortSignal) {
  return getJson<{ data: GuardResult }>(
    withQuery(`/api/v1/contacts/${contactId}/recent-contacts`, params),
    signal,
  ).then((r) => r.data);
}
