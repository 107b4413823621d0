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

/** iTIP participation status (RFC 5545 PARTSTAT) of a meeting's attendee. */
export const PARTSTATS = ['NEEDS-ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE', 'DELEGATED'] as const;

/** One attendee's invitation to a meeting (an iTIP REQUEST by email) and their answer. */
export const MeetingInvitationSchema = z.object({
  email: z.string().describe('The address the invitation went to'),
  name: z.string().nullable(),
  contactId: z.string().nullable().describe('The attending contact, when the attendee is one'),
  userId: z.string().nullable().describe('The attending colleague, when the attendee is one'),
  partstat: z.enum(PARTSTATS).describe('Their answer, from their calendar’s iTIP REPLY; NEEDS-ACTION until then'),
  status: z
    .enum(['invited', 'cancelled'])
    .describe('cancelled: a CANCEL was sent (meeting deleted or attendee removed)'),
  sequence: z.number().int().describe('The SEQUENCE of the last REQUEST or CANCEL sent'),
  repliedAt: z.string().nullable(),
});
export type TMeetingInvitation = z.infer<typeof MeetingInvitationSchema>;
