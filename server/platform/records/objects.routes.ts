import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CreateFieldRequest,
  FieldMetaSchema,
  ObjectMetaSchema,
  SearchHitSchema,
  SearchQuery,
  UpdateFieldRequest,
} from '../../../common/contracts/objects';
import type { AccessPolicy } from '../access/access.service';
import type { Database, Tx } from '../db/database';
import { actorOf } from '../http/context';
import { AppError } from '../http/errors';
import { CustomFieldService } from './custom-fields.service';
import { presentObject } from './metadata';
import { invalidateSchemas, loadSchemas, type ObjectSchema, restrictSchema } from './object-schema';
import type { RecordService } from './records.service';
import { search } from './search.service';

/** Metadata as the caller's role sees it: hidden fields left out, their permissions attached. */
function presentForRole(schema: ObjectSchema, policy: AccessPolicy) {
  const p = policy.object(schema.def.name);
  const meta = presentObject(restrictSchema(schema, p.fields));
  return {
    ...meta,
    // Related lists of objects the caller may not read would only ever be empty.
    inverse: meta.inverse.filter((i) => policy.can(i.object, 'read')),
    permissions: {
      create: p.create,
      read: p.read,
      update: p.update,
      delete: p.delete,
      export: p.export,
      scope: p.scope,
    },
  };
}

const ObjectParam = z.object({ object: z.string().max(64) }).strict();
const FieldParam = z.object({ object: z.string().max(64), name: z.string().max(64) }).strict();

/** Object metadata, custom field administration and cross-object search. */
export function objectRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  const customFields = new CustomFieldService(records.registry);
  /** Changes custom fields, then drops this server's cached schemas (other servers hear NOTIFY). */
  const changeFields = async <T>(workspaceId: string, fn: (tx: Tx) => Promise<T>): Promise<T> => {
    try {
      return await database.tenant(workspaceId, fn);
    } finally {
      invalidateSchemas(workspaceId);
    }
  };
  return async (app) => {
    app.get(
      '/api/v1/objects',
      {
        schema: {
          tags: ['metadata'],
          summary: 'Every object with its fields (built-in and custom)',
          response: { 200: z.object({ data: z.array(ObjectMetaSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, async (tx) => {
          const schemas = await loadSchemas(tx, records.registry);
          const policy = await records.access.policy(tx, actor);
          return [...schemas.values()]
            .filter((s) => policy.can(s.def.name, 'read'))
            .map((s) => presentForRole(s, policy));
        });
        return { data };
      },
    );

    app.get(
      '/api/v1/objects/:object',
      {
        schema: {
          tags: ['metadata'],
          summary: 'One object with its fields',
          params: ObjectParam,
          response: { 200: z.object({ data: ObjectMetaSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, async (tx) => {
          const schema = (await loadSchemas(tx, records.registry)).get(req.params.object);
          const policy = await records.access.policy(tx, actor);
          if (!schema || !policy.can(req.params.object, 'read')) {
            throw new AppError('not_found', `No object "${req.params.object}"`);
          }
          return presentForRole(schema, policy);
        });
        return { data };
      },
    );

    app.post(
      '/api/v1/objects/:object/fields',
      {
        schema: {
          tags: ['metadata'],
          summary: 'Add a custom field (administrators)',
          params: ObjectParam,
          body: CreateFieldRequest,
          response: { 201: z.object({ data: FieldMetaSchema }) },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await records.access.checkAdmin(actor);
        const data = await changeFields(actor.workspaceId, (tx) =>
          customFields.create(tx, actor.workspaceId, req.params.object, req.body),
        );
        return reply
          .status(201)
          .header('location', `/api/v1/objects/${req.params.object}/fields/${data.name}`)
          .send({ data });
      },
    );

    app.patch(
      '/api/v1/objects/:object/fields/:name',
      {
        schema: {
          tags: ['metadata'],
          summary: 'Change a custom field (administrators)',
          params: FieldParam,
          body: UpdateFieldRequest,
          response: { 200: z.object({ data: FieldMetaSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        await records.access.checkAdmin(actor);
        const data = await changeFields(actor.workspaceId, (tx) =>
          customFields.update(tx, req.params.object, req.params.name, req.body),
        );
        return { data };
      },
    );

    app.delete(
      '/api/v1/objects/:object/fields/:name',
      {
        schema: {
          tags: ['metadata'],
          summary: 'Remove a custom field and its values (administrators)',
          params: FieldParam,
          response: { 204: z.null() },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        await records.access.checkAdmin(actor);
        await changeFields(actor.workspaceId, (tx) => customFields.remove(tx, req.params.object, req.params.name));
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/api/v1/search',
      {
        schema: {
          tags: ['search'],
          summary: 'Search every object: ranked, accent- and case-insensitive, prefix and typo tolerant',
          querystring: SearchQuery,
          response: { 200: z.object({ data: z.array(SearchHitSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const objects = req.query.objects
          ?.split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          search(tx, records, actor, req.query.q, { objects, limit: req.query.limit }),
        );
        return { data };
      },
    );
  };
}
