import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  MarkReadRequest,
  NotificationPageSchema,
  NotificationPreferenceSchema,
  NotificationsQuery,
  SetPreferencesRequest,
  type TStreamMessage,
  UnreadCountResponse,
} from '../../../common/contracts/notifications';
import type { CallerResolver } from '../auth/caller-resolver';
import type { Database } from '../db/database';
import { actorOf } from '../http/context';
import { AppError } from '../http/errors';
import { originTrust } from '../http/origins';
import { NotificationHub, type StreamSource } from './notification-hub';
import { NotificationService } from './notifications.service';

const tags = ['notifications'];
const Preferences = z.object({ data: z.array(NotificationPreferenceSchema) });

/**
 * In-app notifications: list with unread count, read state, per-kind preferences,
 * and `GET /api/v1/notifications/stream`, a WebSocket that pushes each new
 * notification (with the new unread count) as it is written. The socket is
 * authenticated like every route (session cookie or API key); a cookie-authenticated
 * socket must come from a trusted origin (cross-site WebSocket hijacking).
 */
export function notificationRoutes(deps: {
  database: Database;
  trustedOrigins: string[];
  /** Re-checks an open socket's credentials (sign-out, revocation, removal end the stream). */
  callers: CallerResolver;
  /** What modules push on the same socket (the activity feed). */
  sources?: StreamSource[];
}): FastifyPluginAsyncZod {
  const trusted = originTrust(deps.trustedOrigins);
  return async (app) => {
    const service = new NotificationService(deps.database);
    const hub = new NotificationHub({ database: deps.database, service, log: app.log, sources: deps.sources });
    await hub.start();
    // Before the server waits for connections to end: open sockets would keep it waiting.
    app.addHook('preClose', async () => hub.stop());
    // WebSocket support (@fastify/websocket) is registered once for the whole app (server/app.ts).

    app.get(
      '/api/v1/notifications',
      {
        schema: {
          tags,
          summary: 'My notifications, newest first, with the unread count',
          querystring: NotificationsQuery,
          response: { 200: NotificationPageSchema },
        },
      },
      async (req) => service.list(actorOf(req), req.query),
    );

    app.post(
      '/api/v1/notifications/read',
      {
        schema: {
          tags,
          summary: 'Mark notifications read: some ({ ids }) or all ({ all: true })',
          body: MarkReadRequest,
          response: { 200: UnreadCountResponse },
        },
      },
      async (req) => {
        const unreadCount = await service.markRead(actorOf(req), 'ids' in req.body ? req.body.ids : 'all');
        return { data: { unreadCount } };
      },
    );

    app.post(
      '/api/v1/notifications/:id/unread',
      {
        schema: {
          tags,
          summary: 'Mark a notification unread',
          params: z.object({ id: z.uuid() }),
          response: { 200: UnreadCountResponse },
        },
      },
      async (req) => ({ data: { unreadCount: await service.markUnread(actorOf(req), req.params.id) } }),
    );

    app.get(
      '/api/v1/notifications/preferences',
      { schema: { tags, summary: 'What I get in the app and by email, per kind', response: { 200: Preferences } } },
      async (req) => ({ data: await service.preferences(actorOf(req)) }),
    );

    app.put(
      '/api/v1/notifications/preferences',
      {
        schema: {
          tags,
          summary: 'Change what I get in the app and by email',
          body: SetPreferencesRequest,
          response: { 200: Preferences },
        },
      },
      async (req) => ({ data: await service.setPreferences(actorOf(req), req.body) }),
    );

    app.get(
      '/api/v1/notifications/stream',
      {
        websocket: true,
        schema: { tags, summary: 'WebSocket: new notifications in real time' },
        // Refused before the upgrade: a cookie-authenticated socket from another site (cross-site
        // WebSocket hijacking), or a caller that is not a user.
        preValidation: async (req) => {
          const origin = req.headers.origin;
          if (req.headers.cookie && !req.headers.authorization && origin && !trusted(origin, req.headers.host)) {
            throw new AppError('csrf_rejected', 'WebSocket connections with cookies must come from this site');
          }
          if (!actorOf(req).userId)
            throw new AppError('forbidden', 'Notifications belong to users; this API key has none');
        },
      },
      async (socket, req) => {
        const actor = actorOf(req);
        // Only the credentials: the socket's other headers are not needed again.
        const credentials = {
          cookie: req.headers.cookie,
          authorization: req.headers.authorization,
          'rapport-workspace': req.headers['rapport-workspace'],
        };
        hub.add(socket, actor, async () => {
          const now = await deps.callers.resolve(credentials);
          return now?.userId === actor.userId && now.workspaceId === actor.workspaceId;
        });
        socket.on('message', () => {}); // the stream is one-way; pings keep it open
        const { unreadCount } = await service.list(actor, { limit: 1 });
        if (socket.readyState === socket.OPEN)
          socket.send(JSON.stringify({ type: 'hello', unreadCount } satisfies TStreamMessage));
      },
    );
  };
}
