import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SavedViewSchema, ViewCreateRequest, ViewUpdateRequest } from '../../../common/contracts/views';
import type { Database } from '../db/database';
import { actorOf } from '../http/context';
import type { ViewService } from './views.service';

const IdParam = z.object({ id: z.uuid() }).strict();
const tags = ['views'];
const one = z.object({ data: SavedViewSchema });

/** Saved list and board views: the caller's own and the workspace's shared ones. */
export function viewRoutes(deps: { database: Database; views: ViewService }): FastifyPluginAsyncZod {
  const { database, views } = deps;
  return async (app) => {
    app.get(
      '/api/v1/views',
      {
        schema: {
          tags,
          summary: "Saved views of an object: the caller's own and the shared ones",
          querystring: z.object({ object: z.string().min(1).max(63) }).strict(),
          response: { 200: z.object({ data: z.array(SavedViewSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, (tx) => views.list(tx, actor, req.query.object));
        return { data };
      },
    );

    app.get(
      '/api/v1/views/:id',
      { schema: { tags, summary: 'A saved view', params: IdParam, response: { 200: one } } },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => views.get(tx, actor, req.params.id)) };
      },
    );

    app.post(
      '/api/v1/views',
      {
        schema: {
          tags,
          summary: 'Save a view (private unless shared: true)',
          body: ViewCreateRequest,
          response: { 201: one },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) => views.create(tx, actor, req.body));
        return reply.status(201).header('location', `/api/v1/views/${data.id}`).send({ data });
      },
    );

    app.patch(
      '/api/v1/views/:id',
      {
        schema: {
          tags,
          summary: 'Change a view (its owner, or an administrator for shared views)',
          params: IdParam,
          body: ViewUpdateRequest,
          response: { 200: one },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenant(actor.workspaceId, (tx) => views.update(tx, actor, req.params.id, req.body)),
        };
      },
    );

    app.delete(
      '/api/v1/views/:id',
      {
        schema: {
          tags,
          summary: 'Delete a view (its owner, or an administrator for shared views)',
          params: IdParam,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, (tx) => views.delete(tx, actor, req.params.id));
        return reply.status(204).send(null);
      },
    );
  };
}
