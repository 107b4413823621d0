import { z } from 'zod';

/**
 * Request and response contracts of record timelines and comments (`/api/v1/{object}/{id}/timeline`,
 * `…/comments`), and of the don't-contact-twice guard (`/api/v1/contacts/{id}/recent-contacts`).
 */

export const TIMELINE_KINDS = ['event', 'comment', 'interaction', 'task', 'meeting', 'note'] as const;
export const TimelineKindSchema = z.enum(TIMELINE_KINDS);

export const PersonSchema = z.object({ id: z.string(), name: z.string() });

/** One entry of a timeline (server/modules/timeline/timeline.service.ts). */
export const TimelineItemSchema = z.object({
  id: z.string(),
  kind: TimelineKindSchema,
  at: z.string().describe('When it happened (ISO 8601, UTC)'),
  actor: PersonSchema.nullable(),
  type: z.string().optional().describe('Events: contact.updated, opportunity.stage_changed …'),
  object: z
    .string()
    .optional()
    .describe('The record the item is attached to (events, comments) or the activity’s object (interactions)'),
  recordId: z.string().optional(),
  changes: z
    .record(z.string(), z.tuple([z.unknown(), z.unknown()]))
    .optional()
    .describe('Events: field → [from, to], only fields the caller may see'),
  data: z
    .record(z.string(), z.unknown())
    .optional()
    .describe('Events: other facts the event carries (hidden fields removed)'),
  names: z
    .record(z.string(), z.string().nullable())
    .optional()
    .describe(
      'Events: the names of the records and members the changes and data refer to, by id; null for a record the caller may not read',
    ),
  record: z.looseObject({ id: z.string(), version: z.number() }).optional().describe('Activities: the activity record'),
  body: z.string().optional().describe('Comments'),
  mentions: z.array(PersonSchema).optional(),
});
export type TTimelineItem = z.infer<typeof TimelineItemSchema>;

export const TimelinePageSchema = z.object({
  data: z.array(TimelineItemSchema),
  page: z.object({ nextCursor: z.string().nullable(), hasMore: z.boolean() }),
});

export const CommentRequest = z.object({ body: z.string().max(10_000) }).strict();

export const CommentSchema = z.object({
  id: z.string(),
  object: z.string(),
  recordId: z.string(),
  body: z.string(),
  mentions: z.array(PersonSchema),
  authorId: z.string().nullable(),
  createdAt: z.string(),
});

// Don't contact twice ---------------------------------------------------------

export const CHANNELS = ['email', 'call', 'meeting', 'direct_mail', 'social', 'chat'] as const;

/** A contact with this person or their account still within its channel's cool-down. */
export const RecentContactSchema = z.object({
  interactionId: z.string(),
  channel: z.enum(CHANNELS),
  direction: z.string().nullable(),
  topic: z.string().nullable(),
  occurredAt: z.string(),
  by: PersonSchema.nullable().describe('Who contacted: the interaction’s owner'),
  contact: PersonSchema.nullable().describe('The contact it was with (this one, or a colleague at the same account)'),
  viaAccount: z.boolean().describe('It was with the account or another of its contacts, not this contact'),
  sameTopic: z.boolean(),
  sameOpportunity: z.boolean(),
  sameChannel: z.boolean(),
  cooldownEndsAt: z.string().describe('When this contact’s cool-down (for its channel) ends'),
});

export const CooldownHoursSchema = z.record(z.enum(CHANNELS), z.number());

export const GuardResultSchema = z.object({
  contactId: z.string(),
  accountId: z.string().nullable(),
  doNotContact: z.boolean(),
  cooldownHours: CooldownHoursSchema,
  recent: z.array(RecentContactSchema).describe('Newest first'),
  warn: z
    .boolean()
    .describe('Someone else contacted them recently (about this topic or opportunity, when given), or do-not-contact'),
});
export type TRecentContact = z.infer<typeof RecentContactSchema>;
export type TGuardResult = z.infer<typeof GuardResultSchema>;
