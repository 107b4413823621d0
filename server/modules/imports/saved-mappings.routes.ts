import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SavedMappingInput, SavedMappingListQuery, SavedMappingSchema } from '../../../common/contracts/imports';
import { IdParams } from '../../../common/contracts/platform';
import { actorOf } from '../../platform/http/context';
import type { ModuleRouteDeps } from '../../platform/modules';
import { createSavedMapping, deleteSavedMapping, getSavedMapping, listSavedMappings } from './saved-mappings.service';

const tags = ['Imports'];

/** Saved import mappings: list, save, read and delete (whoever may import the object). */
export function savedMappingRoutes({ database, records }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/imports/mappings',
      {
        schema: {
          tags,
          summary: 'The saved import mappings of an object, by name (whoever may import it)',
          querystring: SavedMappingListQuery,
          response: { 200: z.object({ data: z.array(SavedMappingSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenantRead(actor.workspaceId, (tx) =>
            listSavedMappings(tx, records, actor, req.query.object),
          ),
        };
      },
    );

    app.post(
      '/api/v1/imports/mappings',
      {
        schema: {
          tags,
          summary: 'Save a column → field mapping under a name for the next import of the object',
          body: SavedMappingInput,
          response: { 201: z.object({ data: SavedMappingSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const data = await database.tenant(actor.workspaceId, (tx) => createSavedMapping(tx, records, actor, req.body));
        return reply.code(201).send({ data });
      },
    );

    app.get(
      '/api/v1/imports/mappings/:id',
      {
        schema: {
          tags,
          summary: 'A saved import mapping',
          params: IdParams,
          response: { 200: z.object({ data: SavedMappingSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenantRead(actor.workspaceId, (tx) =>
            getSavedMapping(tx, records, actor, req.params.id),
          ),
        };
      },
    );

    app.delete(
      '/api/v1/imports/mappings/:id',
      { schema: { tags, summary: 'Delete a saved import mapping', params: IdParams } },
      async (req, reply) => {
        const actor = actorOf(req);
        await database.tenant(actor.workspaceId, (tx) => deleteSavedMapping(tx, records, actor, req.params.id));
        return reply.code(204).send();
      },
    );
  };
}
