import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  FeedEditRequest,
  FeedEntryResponse,
  FeedPageSchema,
  FeedPostRequest,
  FeedQuery,
  FeedRepliesQuery,
} from '../../../common/contracts/feed';
import { actorOf } from '../../platform/http/context';
import type { ModuleRouteDeps } from '../../platform/modules';
import { listFeed, listReplies } from './feed.service';
import { deleteMessage, editMessage, postMessage } from './feed-messages';

const tags = ['feed'];

/** The workspace activity feed and colleague messages. */
export function feedRoutes({ database, records }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/feed',
      {
        schema: {
          tags,
          summary: 'What happened in the workspace that you may see, and colleagues’ messages, newest first',
          description:
            'Filters: type (comma-separated, exact or prefix such as contact.*), actorId, teamId. ' +
            'Pass page.nextCursor back as cursor for the next page.',
          querystring: FeedQuery,
          response: { 200: FeedPageSchema },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, (tx) => listFeed(tx, actor, records, req.query));
      },
    );

    app.post(
      '/api/v1/feed',
      {
        schema: {
          tags,
          summary: 'Post a message to the feed, to a team (teamId) or in a thread (parentId)',
          description:
            'Mention colleagues as @[Name](user:<id>) (they are notified) and records as @[Title](<object>:<id>).',
          body: FeedPostRequest,
          response: { 201: FeedEntryResponse },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) => postMessage(tx, actor, records, req.body));
        return reply.status(201).send({ data });
      },
    );

    app.get(
      '/api/v1/feed/:id/replies',
      {
        schema: {
          tags,
          summary: 'The replies to a feed entry, oldest first',
          params: z.object({ id: z.uuid() }).strict(),
          querystring: FeedRepliesQuery,
          response: { 200: FeedPageSchema },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, (tx) =>
          listReplies(tx, actor, records, req.params.id, req.query),
        );
      },
    );

    app.patch(
      '/api/v1/feed/:id',
      {
        schema: {
          tags,
          summary: 'Change the text of your own message (it shows as edited; people newly mentioned are notified)',
          params: z.object({ id: z.uuid() }).strict(),
          body: FeedEditRequest,
          response: { 200: FeedEntryResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          editMessage(tx, actor, records, req.params.id, req.body),
        );
        return { data };
      },
    );

    app.delete(
      '/api/v1/feed/:id',
      {
        schema: {
          tags,
          summary: 'Delete your own message (administrators: any message); one with replies stays as "deleted"',
          params: z.object({ id: z.uuid() }).strict(),
          response: { 204: z.null().describe('Deleted') },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, (tx) => deleteMessage(tx, actor, records, req.params.id));
        return reply.status(204).send(null);
      },
    );
  };
}
