import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type {
  MarkReadRequest,
  NotificationPageSchema,
  NotificationPreferenceSchema,
  NotificationSchema,
  SetPreferencesRequest,
  UnreadCountResponse,
} from '../../../../common/contracts/notifications';
import { getJson, request } from '../../../lib/http';

/** A notification as `GET /api/v1/notifications` returns it. */
export type NotificationItem = z.infer<typeof NotificationSchema>;

export type NotificationPage = z.infer<typeof NotificationPageSchema>;

export type NotificationPreference = z.infer<typeof NotificationPreferenceSchema>;

export const notificationsQuery = queryOptions({
  queryKey: ['notifications'],
  queryFn: ({ signal }) => getJson<NotificationPage>('/api/v1/notifications?limit=20', signal),
  staleTime: 30_000,
});

export const preferencesQuery = queryOptions({
  queryKey: ['notifications', 'preferences'],
  queryFn: ({ signal }) =>
    getJson<{ data: NotificationPreference[] }>('/api/v1/notifications/preferences', signal).then((r) => r.data),
});

export const markRead = (ids: string[] | 'all') =>
  request<z.infer<typeof UnreadCountResponse>>('POST', '/api/v1/notifications/read', {
    body: (ids === 'all' ? { all: true } : { ids }) satisfies z.input<typeof MarkReadRequest>,
  });

export const savePreferences = (prefs: z.input<typeof SetPreferencesRequest>) =>
  request<{ data: NotificationPreference[] }>('PUT', '/api/v1/notifications/preferences', { body: prefs });
