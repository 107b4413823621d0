import { queryOptions } from '@tanstack/react-query';
import { getJson, request } from '../../../lib/http';

/** A notification as `GET /api/v1/notifications` returns it. */
export interface NotificationItem {
  id: string;
  kind: string;
  title: string;
  body: string | null;
  object: string | null;
  recordId: string | null;
  readAt: string | null;
  createdAt: string;
}

export interface NotificationPage {
  data: NotificationItem[];
  unreadCount: number;
}

export interface NotificationPreference {
  kind: string;
  label: string;
  inApp: boolean;
  email: boolean;
}

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
  request<{ data: { unreadCount: number } }>('POST', '/api/v1/notifications/read', {
    body: ids === 'all' ? { all: true } : { ids },
  });

export const savePreferences = (prefs: { kind: string; inApp: boolean; email: boolean }[]) =>
  request<{ data: NotificationPreference[] }>('PUT', '/api/v1/notifications/preferences', { body: prefs });
