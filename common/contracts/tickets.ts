import { z } from 'zod';
import { FilterTreeInput } from '../filter';
import { NewAttachment } from './service-desk';

/**
 * Request and response contracts of customer service (server/modules/tickets): a ticket's
 * conversation, merging, SLA policies and business-hours calendars. Tickets themselves
 * are records (`/api/v1/tickets`, the record engine's contracts).
 */

export const TICKET_PRIORITY_VALUES = ['low', 'normal', 'high', 'urgent'] as const;

const Person = z.object({ id: z.string(), name: z.string() });

/** One message of a ticket's conversation. */
export const TicketMessageSchema = z.object({
  id: z.string(),
  ticketId: z.string(),
  kind: z
    .enum(['reply', 'note', 'inbound'])
    .describe('reply: emailed to the contact; note: internal; inbound: mail received'),
  author: Person.nullable().describe('The member who wrote a reply or note'),
  from: z.object({ address: z.string(), name: z.string().nullable() }).nullable().describe('Inbound mail: who sent it'),
  body: z.string().describe('The text for display (inbound mail: quoted history trimmed)'),
  fullText: z.string().describe('The whole text as written or received'),
  html: z.string().nullable().describe('Sanitised HTML'),
  attachments: z.array(
    z.object({
      id: z.string().nullable().describe('Null for an attachment left out for its size'),
      filename: z.string(),
      contentType: z.string().describe('Sniffed from the bytes, not the sender’s word'),
      size: z.number(),
      url: z.string().nullable().describe('Where to download it (GET, the ticket’s readers)'),
    }),
  ),
  messageId: z.string().nullable().describe('RFC 5322 Message-ID, without angle brackets'),
  inReplyTo: z.string().nullable(),
  references: z.array(z.string()),
  createdAt: z.string(),
});
export type TTicketMessage = z.infer<typeof TicketMessageSchema>;

export const TicketMessagesSchema = z.object({ data: z.array(TicketMessageSchema) });

export const PostTicketMessageBody = z
  .object({
    kind: z.enum(['reply', 'note']).describe('reply: emailed to the ticket’s contact; note: internal, never sent'),
    body: z
      .string()
      .trim()
      .min(1)
      .max(50_000)
      .describe('Plain text; mentions in notes as @[Name](user:<id>) notify those members'),
    afterMessageId: z
      .uuid()
      .nullable()
      .optional()
      .describe(
        'The latest message the writer saw (null: none). When another has arrived since, 409 reply_collision unless confirm',
      ),
    confirm: z.boolean().optional().describe('Send even though the conversation moved on since afterMessageId'),
    attachments: z.array(NewAttachment).max(5).optional().describe('Up to 5 files, 10 MB together'),
  })
  .strict();
export type TPostTicketMessage = z.infer<typeof PostTicketMessageBody>;

export const MergeTicketBody = z
  .object({ intoId: z.uuid().describe('The ticket that keeps the conversation') })
  .strict();

const minutes = z.number().int().min(1).max(525_600);
export const SlaTargetSchema = z
  .object({
    firstResponseMinutes: minutes,
    resolutionMinutes: minutes,
    nextResponseMinutes: minutes.optional(),
  })
  .strict();

const Targets = z
  .partialRecord(z.enum(TICKET_PRIORITY_VALUES), SlaTargetSchema)
  .refine((t) => Object.keys(t).length > 0, 'needs a target for at least one priority')
  .describe('Per priority (low, normal, high, urgent), in business minutes of the calendar');

export const SlaPolicyInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    targets: Targets,
    condition: FilterTreeInput.nullable()
      .optional()
      .describe('Which tickets it applies to (a filter tree over tickets); none = every ticket'),
    position: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .optional()
      .describe('Lower first; a ticket follows the first that applies'),
    calendarId: z.uuid().nullable().optional().describe('Business hours; none = around the clock'),
  })
  .strict();
export const SlaPolicyPatch = SlaPolicyInput.partial().strict();

export const SlaPolicySchema = z.object({
  id: z.string(),
  name: z.string(),
  position: z.number(),
  condition: z.unknown().nullable(),
  targets: z.record(z.string(), SlaTargetSchema),
  calendarId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TSlaPolicy = z.infer<typeof SlaPolicySchema>;

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time HH:MM');
const Window = z
  .object({ start: hhmm, end: hhmm })
  .strict()
  .refine((w) => w.end > w.start, { message: 'must end after it starts', path: ['end'] });

export const BusinessCalendarInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    timeZone: z.string().min(1).max(64).describe('IANA time zone, e.g. Europe/Berlin'),
    weeklyHours: z
      .partialRecord(z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']), z.array(Window).max(6))
      .describe('Opening hours per weekday in local time: { mon: [{ start: "09:00", end: "17:00" }] }'),
    holidays: z
      .array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'))
      .max(400)
      .default([]),
  })
  .strict();
export const BusinessCalendarPatch = BusinessCalendarInput.partial().strict();

export const BusinessCalendarSchema = z.object({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  weeklyHours: z.record(z.string(), z.array(z.object({ start: z.string(), end: z.string() }))),
  holidays: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const ServiceSettingsSchema = z.object({
  acknowledgeNewTickets: z.boolean().describe('Send an acknowledgement to the sender of a new ticket by email'),
  csatEnabled: z.boolean().describe('Send a satisfaction survey when a ticket is solved'),
  csatSubject: z.string().nullable(),
  csatIntro: z.string().nullable(),
});
export const ServiceSettingsPatch = z
  .object({
    acknowledgeNewTickets: z.boolean(),
    csatEnabled: z.boolean(),
    csatSubject: z.string().trim().min(1).max(200).nullable(),
    csatIntro: z.string().trim().min(1).max(2000).nullable(),
  })
  .partial()
  .strict();
