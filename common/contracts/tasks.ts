import { z } from 'zod';
import { RecordSchema } from './records';

/** Request and response contracts of "my day", the calendar and the iCalendar feed, shared by server and web app. */

export const MyDayQuery = z.object({ tz: z.string().max(64).optional() }).strict();

export const CalendarQuery = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .strict();

/** The caller's tasks (assigned to them, with a due time) and meetings (they own or attend) in a range. */
export const AgendaSchema = z.object({ tasks: z.array(RecordSchema), meetings: z.array(RecordSchema) });
export type TAgenda = z.infer<typeof AgendaSchema>;

export const MyDaySchema = AgendaSchema.extend({
  date: z.string().describe('Today in the caller’s time zone, YYYY-MM-DD'),
  timeZone: z.string(),
  overdue: z.number().describe('Open tasks due before now'),
});

export const FeedStatusSchema = z.object({
  active: z.boolean(),
  createdAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});

export const FeedUrlSchema = z.object({ url: z.string().describe('The secret feed URL: shown once') });
