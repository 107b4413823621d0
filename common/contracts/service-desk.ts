import { z } from 'zod';

/**
 * Request and response contracts of the service desk's working tools
 * (server/modules/tickets): ticket queues (my tickets, unassigned, breaching soon),
 * round-robin assignment with agent capacity, macros, who is viewing or replying to a
 * ticket, attachments, and a contact's or account's service summary.
 */

export const TICKET_QUEUES = ['mine', 'unassigned', 'breaching_soon'] as const;
export type TTicketQueue = (typeof TICKET_QUEUES)[number];

export const TicketQueueQuery = z
  .object({
    queue: z.enum(TICKET_QUEUES).describe('mine: assigned to you; unassigned; breaching_soon: a due time within hours'),
    hours: z.coerce
      .number()
      .int()
      .min(1)
      .max(168)
      .default(4)
      .describe('breaching_soon: how far ahead to look (default 4 hours); overdue ones are included'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(2000).optional(),
  })
  .strict();

/** A queue's page of tickets (records as the generic list returns them). */
export const TicketQueueResponse = z.object({
  data: z.array(z.record(z.string(), z.unknown())),
  page: z.object({ nextCursor: z.string().nullable(), hasMore: z.boolean() }),
  total: z.number().optional(),
});

export const TicketQueueCounts = z.object({
  data: z.object({ mine: z.number(), unassigned: z.number(), breaching_soon: z.number() }),
});

export const AssignTicketBody = z
  .object({
    teamId: z
      .uuid()
      .optional()
      .describe('The team whose members take turns; default the ticket’s team. The ticket joins this team.'),
  })
  .strict();

export const ServiceAgentSchema = z.object({
  userId: z.string(),
  name: z.string(),
  capacity: z.number().nullable().describe('Open tickets the agent may hold; null = no limit'),
  openTickets: z.number(),
});
export const ServiceAgentsResponse = z.object({ data: z.array(ServiceAgentSchema) });
export const ServiceAgentPatch = z
  .object({ capacity: z.number().int().min(0).max(10_000).nullable().describe('null = no limit') })
  .strict();

export const MACRO_STATUS_VALUES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export const MACRO_PRIORITY_VALUES = ['low', 'normal', 'high', 'urgent'] as const;

export const MacroInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(['reply', 'note']).default('reply'),
    body: z
      .string()
      .trim()
      .min(1)
      .max(20_000)
      .describe('Text with variables: {{ contact.firstName }}, {{ ticket.number }}, {{ agent.name }}…'),
    setStatus: z.enum(MACRO_STATUS_VALUES).nullable().optional().describe('The status the ticket takes when sent'),
    setPriority: z.enum(MACRO_PRIORITY_VALUES).nullable().optional(),
  })
  .strict();
export const MacroPatch = MacroInput.partial().strict();

export const MacroSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['reply', 'note']),
  body: z.string(),
  setStatus: z.enum(MACRO_STATUS_VALUES).nullable(),
  setPriority: z.enum(MACRO_PRIORITY_VALUES).nullable(),
  variables: z.array(z.string()).describe('The variables the body uses'),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TMacro = z.infer<typeof MacroSchema>;

export const AppliedMacroSchema = z.object({
  data: z.object({
    macroId: z.string(),
    kind: z.enum(['reply', 'note']),
    body: z.string().describe('The body with the ticket’s values filled in, ready to edit and send'),
    setStatus: z.enum(MACRO_STATUS_VALUES).nullable(),
    setPriority: z.enum(MACRO_PRIORITY_VALUES).nullable(),
  }),
});

export const PresenceBody = z
  .object({ state: z.enum(['viewing', 'replying']).describe('replying while the agent types a reply or note') })
  .strict();
export const PresenceSchema = z.object({
  data: z.array(
    z.object({
      userId: z.string(),
      name: z.string(),
      state: z.enum(['viewing', 'replying']),
      seenAt: z.string(),
    }),
  ),
});

/** An attachment to a reply or note: up to 5, 10 MB together. */
export const NewAttachment = z
  .object({
    filename: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .regex(/^[^/\\\0]+$/, 'must be a file name without slashes'),
    contentBase64: z.string().min(1).max(14_000_000).describe('The file’s bytes, base64'),
  })
  .strict();

export const ServiceSummarySchema = z.object({
  openTickets: z.array(
    z.object({
      id: z.string(),
      number: z.number().nullable(),
      subject: z.string(),
      status: z.string().nullable(),
      priority: z.string().nullable(),
      slaState: z.enum(['none', 'on_track', 'at_risk', 'breached', 'paused']),
      nextDueAt: z.string().nullable(),
    }),
  ),
  csat: z.array(
    z.object({
      channel: z.enum(['ticket', 'chat']).describe('A ticket’s survey answer, or a live chat rated at its end'),
      ticketId: z.string().nullable().describe('The rated ticket (channel ticket)'),
      conversationId: z.string().nullable().describe('The rated live chat (channel chat)'),
      number: z.number().nullable(),
      subject: z.string(),
      rating: z.number(),
      comment: z.string().nullable(),
      solvedAt: z.string().nullable().describe('When the ticket was solved or the chat ended'),
    }),
  ),
  csatAverage: z.number().nullable().describe('Of the ratings listed (tickets and chats), one decimal'),
  recentChats: z
    .array(
      z.object({
        id: z.string().describe('The chat (its transcript: `GET /api/v1/chats/{id}`)'),
        status: z.enum(['waiting', 'active', 'ended', 'ticket']),
        agent: z.object({ id: z.string(), name: z.string() }).nullable().describe('Who answered it'),
        startedAt: z.string(),
        endedAt: z.string().nullable(),
        rating: z.number().nullable().describe('The visitor’s rating at the end (1–5), if given'),
        ticketId: z.string().nullable().describe('The ticket a chat nobody answered became'),
        interactionId: z.string().nullable().describe('The transcript on the contact’s timeline (an interaction)'),
      }),
    )
    .describe('The live chats of the contact (or of the account’s contacts), newest first, 10 at most'),
});
export type TServiceSummary = z.infer<typeof ServiceSummarySchema>;
