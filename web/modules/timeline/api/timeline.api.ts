import { getJson, request, withQuery } from '../../../lib/http';
import type { RecordData } from '../../records/api/records.api';

export const TIMELINE_KINDS = ['event', 'comment', 'interaction', 'task', 'meeting', 'note'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface Person {
  id: string;
  name: string;
}

/** One entry of `GET /api/v1/{object}/{id}/timeline` (server/modules/timeline/timeline.service.ts). */
export interface TimelineItem {
  id: string;
  kind: TimelineKind;
  at: string;
  actor: Person | null;
  type?: string;
  object?: string;
  recordId?: string;
  changes?: Record<string, [unknown, unknown]>;
  data?: Record<string, unknown>;
  record?: RecordData;
  body?: string;
  mentions?: Person[];
}

export interface TimelinePage {
  data: TimelineItem[];
  page: { nextCursor: string | null; hasMore: boolean };
}

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
  return (await request<{ data: unknown }>('POST', `/api/v1/${object}/${id}/comments`, { body: { body } })).body.data;
}

export async function deleteComment(object: string, id: string, commentId: string) {
  await request<void>('DELETE', `/api/v1/${object}/${id}/comments/${commentId}`);
}

/** A contact with this person or their account still within its channel's cool-down. */
export interface RecentContact {
  interactionId: string;
  channel: string;
  direction: string | null;
  topic: string | null;
  occurredAt: string;
  by: Person | null;
  contact: Person | null;
  viaAccount: boolean;
  sameTopic: boolean;
  sameChannel: boolean;
  cooldownEndsAt: string;
}

export interface GuardResult {
  contactId: string;
  accountId: string | null;
  doNotContact: boolean;
  recent: RecentContact[];
  warn: boolean;
}

export function recentContacts(contactId: string, params: { channel?: string; topic?: string }, signal?: AbortSignal) {
  return getJson<{ data: GuardResult }>(
    withQuery(`/api/v1/contacts/${contactId}/recent-contacts`, params),
    signal,
  ).then((r) => r.data);
}
