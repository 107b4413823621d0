import { z } from 'zod';

/**
 * Request and response contracts of the social CRM (server/modules/social): connections to
 * social networks (`/api/v1/social/connections`), the workspace's flagged keywords, raw
 * webhook events, replies and the one-step actions on a social message. Social messages
 * themselves are a record object (`social_messages`; listed at `/api/v1/social/messages`).
 */

export const SOCIAL_CONNECTION_NETWORKS = ['facebook', 'instagram', 'x', 'generic'] as const;

const Secret = (what: string) =>
  z
    .string()
    .trim()
    .min(8, `must be the ${what} (at least 8 characters)`)
    .max(1000, 'is too long (1000 characters at most)');

/** Connect a Facebook Page, an Instagram professional account, an X account or a generic source. */
export const SocialConnectionRequest = z
  .object({
    network: z.enum(SOCIAL_CONNECTION_NETWORKS),
    pageId: z
      .string()
      .trim()
      .min(1, 'must be the Page id, Instagram account id, X user id or a name for a generic source')
      .max(200)
      .regex(/^[A-Za-z0-9_.:-]+$/, 'may hold letters, digits and _ . : - only')
      .describe('Facebook Page id, Instagram professional account id, X user id, or a name for a generic source'),
    name: z.string().trim().min(1).max(200).optional().describe('A name to show (default: the network and id)'),
    appSecret: Secret('app secret').describe(
      'Meta app secret (signs webhooks), X consumer secret (CRC and signatures), or the generic source’s signing secret',
    ),
    verifyToken: z
      .string()
      .trim()
      .min(8, 'must be at least 8 characters')
      .max(200)
      .optional()
      .describe('Meta only: the verify token you type into the app’s webhook settings'),
    pageAccessToken: Secret('access token')
      .optional()
      .describe('Page (or Instagram) access token, or the X user access token: needed to reply'),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.network === 'facebook' || v.network === 'instagram') && !v.verifyToken)
      ctx.addIssue({ code: 'custom', path: ['verifyToken'], message: 'is required for Facebook and Instagram' });
  });
export type TSocialConnectionRequest = z.infer<typeof SocialConnectionRequest>;

export const SocialConnectionCreated = z.object({
  data: z.object({ id: z.string(), webhookUrl: z.string().describe('Paste this as the callback URL at the provider') }),
});

export const SocialConnectionSchema = z.object({
  id: z.string(),
  network: z.enum(SOCIAL_CONNECTION_NETWORKS),
  pageId: z.string(),
  name: z.string(),
  webhookUrl: z.string(),
  hasAccessToken: z.boolean(),
  tokenStatus: z.enum(['ok', 'expired', 'revoked']).describe('expired/revoked: replies fail until a new token is set'),
  tokenError: z.string().nullable(),
  tokenFailedAt: z.string().nullable(),
  lastEventAt: z.string().nullable(),
  active: z.boolean(),
  createdAt: z.string(),
});
export type TSocialConnection = z.infer<typeof SocialConnectionSchema>;
export const SocialConnectionList = z.object({ data: z.array(SocialConnectionSchema) });
export const SocialConnectionResponse = z.object({ data: SocialConnectionSchema });

/** Change a connection: a new access token (after one expired), secrets rotated, on/off. */
export const SocialConnectionUpdate = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    appSecret: Secret('app secret').optional(),
    verifyToken: z.string().trim().min(8).max(200).optional(),
    pageAccessToken: Secret('access token').optional(),
    active: z.boolean().optional(),
  })
  .strict();

export const SocialSettingsSchema = z.object({
  keywords: z
    .array(z.string().trim().min(1).max(100))
    .max(200)
    .describe('Brand names and keywords flagged in social messages (case-insensitive, whole words)'),
});
export const SocialSettingsResponse = z.object({ data: SocialSettingsSchema });

export const SOCIAL_EVENT_STATUSES = ['pending', 'processed', 'ignored', 'rejected'] as const;
export const SocialEventSchema = z.object({
  id: z.string(),
  connectionId: z.string(),
  providerEventId: z.string(),
  status: z.enum(SOCIAL_EVENT_STATUSES),
  reason: z.string().nullable(),
  messageId: z.string().nullable(),
  receivedAt: z.string(),
  processedAt: z.string().nullable(),
  payload: z.string().describe('The item exactly as the provider sent it'),
});
export const SocialEventList = z.object({ data: z.array(SocialEventSchema) });
export const SocialEventQuery = z
  .object({
    status: z.enum(SOCIAL_EVENT_STATUSES).optional(),
    connectionId: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const SocialReplyRequest = z
  .object({ text: z.string().trim().min(1, 'must not be empty').max(2000, 'is too long (2000 characters at most)') })
  .strict();

/** A reply as sent (or kept for retry): the outbound social message. */
export const SocialReplyResponse = z.object({
  data: z.object({
    id: z.string(),
    deliveryStatus: z.enum(['sending', 'sent', 'failed']),
    deliveryError: z.string().nullable(),
    replyWindowEndsAt: z.string().nullable(),
  }),
});

/** The reply window of a conversation: until when a reply may go out (null: no window). */
export const SocialWindowResponse = z.object({
  data: z.object({
    network: z.string(),
    kind: z.string(),
    replyWindowEndsAt: z.string().nullable(),
    open: z.boolean(),
    rule: z
      .string()
      .describe('The provider’s rule, e.g. Messenger standard messaging: 24 hours after the customer’s last message'),
  }),
});

/**
 * Assign a conversation: every message of the message's thread gets the assignee and/or the
 * team (null clears). At least one of the two; new messages of the thread inherit them.
 */
export const SocialAssignRequest = z
  .object({
    assigneeId: z
      .uuid('must be a user id (uuid)')
      .nullable()
      .optional()
      .describe('A member of the workspace; null: nobody'),
    teamId: z.uuid('must be a team id (uuid)').nullable().optional().describe('A team of the workspace; null: no team'),
  })
  .strict()
  .refine((b) => b.assigneeId !== undefined || b.teamId !== undefined, {
    message: 'name an assigneeId or a teamId (null clears)',
    path: ['assigneeId'],
  });
export const SocialAssignResponse = z.object({
  data: z.object({
    threadId: z.string().nullable(),
    assigneeId: z.string().nullable(),
    teamId: z.string().nullable(),
    updated: z.number().describe('How many messages of the conversation were assigned'),
  }),
});

export const SOCIAL_CONVERT_TARGETS = ['lead', 'contact', 'ticket', 'task'] as const;
export const SocialConvertRequest = z.object({ to: z.enum(SOCIAL_CONVERT_TARGETS) }).strict();
export const SocialConvertResponse = z.object({
  data: z.object({ object: z.string(), id: z.string() }),
});

/** The brand mentions dashboard: volume, sentiment, top authors, unanswered and response time. */
export const SocialStatsQuery = z
  .object({ days: z.coerce.number().int().min(1).max(366).default(30).describe('How many days back (UTC)') })
  .strict();
export const SocialStatsResponse = z.object({
  data: z.object({
    from: z.string(),
    volume: z.array(z.object({ day: z.string(), network: z.string(), count: z.number() })),
    sentiment: z.array(
      z.object({ day: z.string(), average: z.number(), negative: z.number(), positive: z.number(), count: z.number() }),
    ),
    topAuthors: z.array(z.object({ author: z.string(), network: z.string(), count: z.number() })),
    unanswered: z.number().describe('Inbound messages still new or open'),
    medianResponseMinutes: z.number().nullable().describe('From a customer’s message to our first sent reply'),
  }),
});
export type TSocialStats = z.infer<typeof SocialStatsResponse>['data'];

/**
 * The thread id the social messages about one post carry (its comments and replies; see
 * server/modules/social/providers.ts): how a social campaign's posts find their conversations.
 */
export function socialPostThreadId(network: (typeof SOCIAL_CONNECTION_NETWORKS)[number], postId: string): string {
  switch (network) {
    case 'facebook':
      return `facebook:post:${postId}`;
    case 'instagram':
      return `instagram:media:${postId}`;
    case 'x':
      return `x:tweet:${postId}`;
    default:
      return `generic:${postId}`;
  }
}
