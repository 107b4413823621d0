import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  SavedMappingInput,
  SavedMappingListQuery,
  SavedMappingPatch,
  SavedMappingSchema,
} from '../../../common/contracts/imports';
import { IdParams } from '../../../common/contracts/platform';
import { actorOf } from '../../platform/http/context';
import type { ModuleRouteDeps } from '../../platform/modules';
import {
  createSavedMapping,
  deleteSavedMapping,
  getSavedMapping,
  listSavedMappings,
  updateSavedMapping,
} from './saved-mappings.service';

const tags = ['Imports'];

/** Saved import mappings: list, save, read, rename or change, and delete (whoever may import the object). */
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

    app.patch(
      '/api/v1/imports/mappings/:id',
      {
        schema: {
          tags,
          summary: 'Rename a saved import mapping or replace its mapping (whoever may import its object)',
          description:
            '`name` and/or `mapping` (the whole new mapping). 409 `name` when another mapping of the object has the name.',
          params: IdParams,
          body: SavedMappingPatch,
          response: { 200: z.object({ data: SavedMappingSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenant(actor.workspaceId, (tx) =>
            updateSavedMapping(tx, records, actor, req.params.id, req.body),
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
