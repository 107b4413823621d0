import { queryOptions } from '@tanstack/react-query';
// Types only (no zod in the bundle): the shapes are the server's schemas in common/contracts.
import type { z } from 'zod';
import type { AgendaSchema, FeedStatusSchema, FeedUrlSchema, MyDaySchema } from '../../../../common/contracts/tasks';
import { getJson, request, withQuery } from '../../../lib/http';

export type Agenda = z.infer<typeof AgendaSchema>;

export type MyDay = z.infer<typeof MyDaySchema>;

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

export type FeedStatus = z.infer<typeof FeedStatusSchema>;

export const feedStatusQuery = queryOptions({
  queryKey: ['calendar-feed'],
  queryFn: ({ signal }) => getJson<{ data: FeedStatus }>('/api/v1/calendar/feed', signal).then((r) => r.data),
});

export async function createFeed(): Promise<string> {
  return (await request<{ data: z.infer<typeof FeedUrlSchema> }>('POST', '/api/v1/calendar/feed', { body: {} })).body
    .data.url;
}

export async function revokeFeed(): Promise<void> {
  await request<void>('DELETE', '/api/v1/calendar/feed');
}
