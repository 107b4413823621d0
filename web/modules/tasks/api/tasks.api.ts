import { queryOptions } from '@tanstack/react-query';
import { getJson, request, withQuery } from '../../../lib/http';
import type { RecordData } from '../../records/api/records.api';

export interface Agenda {
  tasks: RecordData[];
  meetings: RecordData[];
}

export interface MyDay extends Agenda {
  date: string;
  timeZone: string;
  overdue: number;
}

/** The browser's time zone, so "today" is the user's today. */
export const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

export const myDayQuery = (tz: string) =>
  queryOptions({
    queryKey: ['my-day', tz],
    queryFn: ({ signal }) => getJson<{ data: MyDay }>(withQuery('/api/v1/me/day', { tz }), signal).then((r) => r.data),
  });

export const agendaQuery = (from: Date, to: Date) =>
  queryOptions({
    queryKey: ['my-day', 'calendar', from.toISOString(), to.toISOString()],
    queryFn: ({ signal }) =>
      getJson<{ data: Agenda }>(
        withQuery('/api/v1/calendar', { from: from.toISOString(), to: to.toISOString() }),
        signal,
      ).then((r) => r.data),
  });

export interface FeedStatus {
  active: boolean;
  createdAt: string | null;
  lastUsedAt: string | null;
}

export const feedStatusQuery = queryOptions({
  queryKey: ['calendar-feed'],
  queryFn: ({ signal }) => getJson<{ data: FeedStatus }>('/api/v1/calendar/feed', signal).then((r) => r.data),
});

export async function createFeed(): Promise<string> {
  return (await request<{ data: { url: string } }>('POST', '/api/v1/calendar/feed', { body: {} })).body.data.url;
}

export async function revokeFeed(): Promise<void> {
  await request<void>('DELETE', '/api/v1/calendar/feed');
}
