import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AccessPolicy } from '../access/access.service';
import type { Database, Tx } from '../db/database';
import { actorOf } from '../http/context';
import { AppError } from '../http/errors';
import { CustomFieldService } from './custom-fields.service';
import { presentObject } from './metadata';
import { invalidateSchemas, loadSchemas, type ObjectSchema, restrictSchema } from './object-schema';
import type { RecordService } from './records.service';
import { search } from './search.service';
import { FIELD_TYPES } from './types';

const Field = z.object({
  name: z.string(),
  type: z.string(),
  label: z.string(),
  description: z.string().nullable(),
  custom: z.boolean(),
  required: z.boolean(),
  unique: z.boolean(),
  readOnly: z.boolean(),
  hidden: z.boolean(),
  options: z
    .array(
      z.object({
        value: z.string(),
        label: z.string(),
        group: z.string().optional(),
        meta: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
      }),
    )
    .nullable(),
  relation: z.object({ object: z.string(), cardinality: z.enum(['one', 'many']) }).nullable(),
  maxLength: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  sortable: z.boolean(),
  filterOperators: z.array(z.string()),
});
const ObjectMeta = z.object({
  name: z.string(),
  singular: z.string(),
  label: z.string(),
  labelPlural: z.string(),
  titleFields: z.array(z.string()),
  subtitleFields: z.array(z.string()),
  defaultSort: z.string(),
  fields: z.array(Field),
  includes: z.array(z.string()),
  inverse: z.array(z.object({ name: z.string(), object: z.string(), via: z.string(), label: z.string() })),
  permissions: z.object({
    create: z.boolean(),
    read: z.boolean(),
    update: z.boolean(),
    delete: z.boolean(),
    export: z.boolean(),
    scope: z.enum(['own', 'team', 'all']),
  }),
});

const Option = z
  .object({ value: z.string().trim().min(1).max(100), label: z.string().trim().min(1).max(100) })
  .strict();
const FieldCommon = {
  label: z.string().trim().min(1).max(100),
  description: z.string().max(1000).nullable().optional(),
  required: z.boolean().optional(),
  options: z.array(Option).min(1).max(500).optional(),
  maxLength: z.number().int().min(1).max(20_000).nullable().optional(),
  min: z.number().nullable().optional(),
  max: z.number().nullable().optional(),
};
const CreateField = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-zA-Z0-9]{0,62}$/, 'must be camelCase: a lower-case letter, then letters and digits'),
    type: z.enum(FIELD_TYPES),
    relation: z
      .object({ object: z.string(), cardinality: z.enum(['one', 'many']).default('one') })
      .strict()
      .optional(),
    ...FieldCommon,
  })
  .strict();
const UpdateField = z
  .object({
    ...Object.fromEntries(Object.entries(FieldCommon).map(([k, v]) => [k, v.optional()])),
    name: z.string().optional(),
    type: z.enum(FIELD_TYPES).optional(),
    relation: z.unknown().optional(),
  })
  .strict();

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
          response: { 200: z.object({ data: z.array(ObjectMeta) }) },
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
          response: { 200: z.object({ data: ObjectMeta }) },
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
          body: CreateField,
          response: { 201: z.object({ data: Field }) },
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
          body: UpdateField,
          response: { 200: z.object({ data: Field }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        await records.access.checkAdmin(actor);
        const data = await changeFields(actor.workspaceId, (tx) =>
          customFields.update(
            tx,
            req.params.object,
            req.params.name,
            req.body as Parameters<CustomFieldService['update']>[3],
          ),
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
          querystring: z
            .object({
              q: z.string().trim().min(1).max(200),
              objects: z.string().max(500).optional().describe('Comma-separated objects to search (default: all)'),
              limit: z.coerce.number().int().min(1).max(100).optional(),
            })
            .strict(),
          response: {
            200: z.object({
              data: z.array(
                z.object({
                  object: z.string(),
                  id: z.string(),
                  title: z.string(),
                  subtitle: z.string().nullable(),
                  score: z.number(),
                }),
              ),
            }),
          },
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
