import { z } from 'zod';
import { FeedEntrySchema } from './feed';
import { ScreenPopSchema } from './telephony';

/** Request and response contracts of in-app notifications (`/api/v1/notifications`), shared by server and web app. */

export const NotificationsQuery = z.object({
  unread: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.uuid().optional(),
});

export const MarkReadRequest = z.union([
  z.object({ ids: z.array(z.uuid()).min(1).max(500) }).strict(),
  z.object({ all: z.literal(true) }).strict(),
]);

export const SetPreferencesRequest = z
  .array(
    z
      .object({
        kind: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
        inApp: z.boolean().optional(),
        email: z.boolean().optional(),
      })
      .strict(),
  )
  .min(1)
  .max(50);

export const NotificationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  body: z.string().nullable(),
  object: z.string().nullable(),
  recordId: z.string().nullable(),
  actorUserId: z.string().nullable(),
  readAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TNotification = z.infer<typeof NotificationSchema>;

export const NotificationPageSchema = z.object({
  data: z.array(NotificationSchema),
  page: z.object({ nextCursor: z.string().nullable(), hasMore: z.boolean() }),
  unreadCount: z.number(),
});

export const UnreadCountResponse = z.object({ data: z.object({ unreadCount: z.number() }) });

export const NotificationPreferenceSchema = z.object({
  kind: z.string(),
  label: z.string(),
  inApp: z.boolean(),
  email: z.boolean(),
});

/** A message of the `GET /api/v1/notifications/stream` WebSocket (JSON text frames). */
export const StreamMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), unreadCount: z.number() }),
  z.object({ type: z.literal('notification'), notification: NotificationSchema, unreadCount: z.number() }),
  /** A new entry of the activity feed (or a reply) the user may see (server/modules/feed). */
  z.object({ type: z.literal('feed'), entry: FeedEntrySchema }),
  /** A call routed to this agent: the caller's records (server/modules/telephony). */
  z.object({ type: z.literal('screen_pop'), pop: ScreenPopSchema }),
]);
export type TStreamMessage = z.infer<typeof StreamMessageSchema>;
