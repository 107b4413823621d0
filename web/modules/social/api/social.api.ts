// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts/social.ts.
import type { z } from 'zod';
import type {
  SocialAssignResponse,
  SocialConvertResponse,
  SocialReplyResponse,
  SocialStatsResponse,
  SocialWindowResponse,
} from '../../../../common/contracts/social';
import type { FilterNode } from '../../../../common/filter';
import { getJson, request } from '../../../lib/http';
import { listRecords, type RecordData } from '../../records/api/records.api';

export type SocialMessage = RecordData;
export type SocialReply = z.infer<typeof SocialReplyResponse>['data'];
export type SocialWindow = z.infer<typeof SocialWindowResponse>['data'];
export type SocialConverted = z.infer<typeof SocialConvertResponse>['data'];
export type SocialAssigned = z.infer<typeof SocialAssignResponse>['data'];
export type SocialStats = z.infer<typeof SocialStatsResponse>['data'];

export const socialKeys = {
  all: ['social'] as const,
  list: (filter: string) => ['social', 'list', filter] as const,
  thread: (threadId: string) => ['social', 'thread', threadId] as const,
  window: (id: string) => ['social', 'window', id] as const,
  stats: (days: number) => ['social', 'stats', days] as const,
};

const FIELDS = [
  'network',
  'kind',
  'direction',
  'text',
  'authorHandle',
  'authorName',
  'authorUrl',
  'permalink',
  'sentAt',
  'threadId',
  'sentiment',
  'priority',
  'status',
  'assigneeId',
  'teamId',
  'contactId',
  'leadId',
  'deliveryStatus',
  'deliveryError',
  'flaggedKeywords',
];

/** The inbox: inbound messages, newest first, with the list's filter. */
export const listInbox = (filter: FilterNode | undefined, signal?: AbortSignal) =>
  listRecords(
    'social_messages',
    {
      filter: filter
        ? { and: [{ field: 'direction', op: 'eq', value: 'inbound' }, filter] }
        : { field: 'direction', op: 'eq', value: 'inbound' },
      sort: '-sentAt',
      limit: 100,
      fields: FIELDS,
    },
    signal,
  ).then((r) => r.data as SocialMessage[]);

/** Every message of a conversation, oldest first (the customer's and our replies). */
export const listThread = (threadId: string, signal?: AbortSignal) =>
  listRecords(
    'social_messages',
    { filter: { field: 'threadId', op: 'eq', value: threadId }, sort: 'sentAt', limit: 200, fields: FIELDS },
    signal,
  ).then((r) => r.data as SocialMessage[]);

export const getWindow = (id: string, signal?: AbortSignal) =>
  getJson<{ data: SocialWindow }>(`/api/v1/social/messages/${id}/window`, signal).then((r) => r.data);

export async function replyTo(id: string, text: string): Promise<SocialReply> {
  return (await request<{ data: SocialReply }>('POST', `/api/v1/social/messages/${id}/reply`, { body: { text } })).body
    .data;
}

export async function retryReply(id: string): Promise<SocialReply> {
  return (await request<{ data: SocialReply }>('POST', `/api/v1/social/messages/${id}/retry`)).body.data;
}

export async function convertMessage(id: string, to: 'lead' | 'contact' | 'ticket' | 'task'): Promise<SocialConverted> {
  return (await request<{ data: SocialConverted }>('POST', `/api/v1/social/messages/${id}/convert`, { body: { to } }))
    .body.data;
}

/** Assigns the message's conversation (every message of its thread); null clears. */
export async function assignConversation(
  id: string,
  to: { assigneeId?: string | null; teamId?: string | null },
): Promise<SocialAssigned> {
  return (await request<{ data: SocialAssigned }>('POST', `/api/v1/social/messages/${id}/assign`, { body: to })).body
    .data;
}

/** The brand mentions dashboard's figures over the last `days` days. */
export const getStats = (days: number, signal?: AbortSignal) =>
  getJson<{ data: SocialStats }>(`/api/v1/social/stats?days=${days}`, signal).then((r) => r.data);
