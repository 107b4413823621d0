import { z } from 'zod';

/**
 * Request and response contracts of the workspace activity feed and colleague messages
 * (`/api/v1/feed`, server/modules/feed), shared by server and web app.
 */

const Person = z.object({ id: z.string(), name: z.string() });

/** A record an entry is about or a message mentions; `title` is null when the reader may not see it. */
export const FeedRecordSchema = z.object({
  object: z.string(),
  id: z.string(),
  title: z.string().nullable().describe('Null for a record the reader may not read, or one deleted since'),
});

/** One entry of the feed: something that happened to a record, a comment, or a colleague's message. */
export const FeedEntrySchema = z.object({
  id: z.string(),
  type: z
    .string()
    .describe(
      '<singular>.created | <singular>.updated (accounts, contacts, leads, opportunities, quotes), ' +
        'opportunity.won, opportunity.lost, lead.converted, comment.created, message.posted',
    ),
  actor: Person.nullable(),
  record: FeedRecordSchema.nullable().describe('The record it is about; only entries about records you may read'),
  summary: z.string().describe('What happened, in words: "updated Stage, Amount", "won an opportunity"'),
  createdAt: z.string(),
  fields: z.array(z.string()).optional().describe('Updates: the fields changed (only those you may see)'),
  body: z
    .string()
    .optional()
    .describe('Messages and comments; mentions as @[Name](user:<id>) and @[Title](<object>:<id>)'),
  mentions: z.array(Person).optional(),
  recordMentions: z.array(FeedRecordSchema).optional(),
  team: z.object({ id: z.string(), name: z.string() }).nullable().optional().describe('Messages to a team'),
  parentId: z.string().nullable().optional().describe('Replies: the entry they answer'),
  replies: z.number().optional().describe('Messages and entries: how many replies the thread has'),
  editedAt: z.string().optional().describe('Messages changed by their author: when'),
  deleted: z.boolean().optional().describe('A deleted message kept for its replies (no body)'),
});
export type TFeedEntry = z.infer<typeof FeedEntrySchema>;

const typeList = z
  .string()
  .max(2000)
  .optional()
  .transform((s) =>
    s
      ? s
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : [],
  );

export const FeedQuery = z
  .object({
    type: typeList.describe('Comma-separated types (exact, or a prefix such as contact.* or message.*)'),
    actorId: z.uuid().optional().describe('Only what this person did or wrote'),
    teamId: z.uuid().optional().describe('Messages to this team and what its members did'),
    limit: z.coerce.number().int().min(1).max(100).optional(),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export const FeedRepliesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).optional(),
    cursor: z.string().max(200).optional(),
  })
  .strict();

export const FeedPostRequest = z
  .object({
    body: z.string().trim().min(1, 'Write a message').max(10_000, 'must be at most 10000 characters'),
    teamId: z.uuid().optional().describe('Post to this team only (its members see it)'),
    parentId: z.uuid().optional().describe('Reply to this entry'),
  })
  .strict();

export const FeedEditRequest = z
  .object({
    body: z.string().trim().min(1, 'Write a message').max(10_000, 'must be at most 10000 characters'),
  })
  .strict();

export const FeedPageSchema = z.object({
  data: z.array(FeedEntrySchema),
  page: z.object({ nextCursor: z.string().nullable(), hasMore: z.boolean() }),
});
export const FeedEntryResponse = z.object({ data: FeedEntrySchema });
