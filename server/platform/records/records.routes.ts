import type { FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { type FastifyPluginAsyncZod, validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RecordViewMeta } from '../../../common/contracts/records';
import { checkFilterTree, type FilterNode } from '../../../common/filter';
import { withArticle } from '../../../common/validation-messages';
import type { Database } from '../db/database';
import { actorOf } from '../http/context';
import { AppError } from '../http/errors';
import { ifMatch } from '../http/if-match';
import { BatchBody, BatchResponse, ListQuery, objectSchemas, PageSchema, QueryBody } from './api-schemas';
import { runBatch } from './batch';
import { exportCsv } from './export';
import { requestHash, withIdempotency } from './idempotency';
import type { ListOptions, RecordService } from './records.service';

const IdParam = z.object({ id: z.uuid() }).strict();
// Records carry workspace-specific custom fields: responses are documented by the
// schemas but serialised as they are (no per-response validation cost).
const passthrough = () => (data: unknown) => JSON.stringify(data);
// Likewise record bodies are documented by the schemas but validated by the record
// engine, which knows the custom fields and reports every bad field at once.
// biome-ignore lint/suspicious/noExplicitAny: Fastify types the compiler by the route's whole schema object.
const bodyByEngine: FastifySchemaCompiler<any> = (route) =>
  route.httpPart === 'body' ? (data: unknown) => ({ value: data }) : validatorCompiler(route);

const etag = (version: unknown) => `"${version}"`;

/** Reads If-Match: a version number, or undefined when absent or "*". */
/** The `filter` query parameter (JSON) as a checked filter tree. */
export function parseFilter(raw: string | undefined): FilterNode | undefined {
  if (raw === undefined || raw === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new AppError('validation_failed', 'filter is not valid JSON', {
      errors: [{ path: 'filter', message: 'must be a JSON filter tree' }],
    });
  }
  return checkFilter(json);
}

export function checkFilter(json: unknown): FilterNode {
  const errors = checkFilterTree(json).slice(0, 20);
  if (errors.length)
    throw new AppError('validation_failed', `Invalid filter: ${errors.map((e) => e.path).join(', ')}`, { errors });
  return json as FilterNode;
}

const list = (s: string | undefined) =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

/** The generic REST surface of every declared object. */
export function recordRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  return async (app) => {
    for (const def of records.registry.all()) {
      const base = `/api/v1/${def.name}`;
      const s = objectSchemas(def);
      const tags = [def.labelPlural];
      const one = z.object({ data: s.record });
      const many = z.object({ data: z.array(s.record), page: PageSchema, total: z.number().optional() });

      const runList = (req: FastifyRequest, opts: ListOptions) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, (tx) => records.list(tx, actor, def.name, opts));
      };

      app.get(
        base,
        {
          schema: {
            tags,
            summary: `List ${def.labelPlural.toLowerCase()}`,
            querystring: ListQuery,
            response: { 200: many },
          },
          serializerCompiler: passthrough,
        },
        async (req) =>
          runList(req, {
            filter: parseFilter(req.query.filter),
            sort: req.query.sort,
            limit: req.query.limit,
            cursor: req.query.cursor,
            offset: req.query.offset,
            fields: req.query.fields,
            include: list(req.query.include),
            count: req.query.count === 'true',
          }),
      );

      app.post(
        `${base}/query`,
        {
          schema: {
            tags,
            summary: `Query ${def.labelPlural.toLowerCase()} with a filter in the body`,
            body: QueryBody,
            response: { 200: many },
          },
          serializerCompiler: passthrough,
        },
        async (req) =>
          runList(req, {
            filter: req.body.filter ? checkFilter(req.body.filter) : undefined,
            sort: Array.isArray(req.body.sort) ? req.body.sort.join(',') : req.body.sort,
            limit: req.body.limit,
            cursor: req.body.cursor,
            offset: req.body.offset,
            fields: req.body.fields?.join(','),
            include: req.body.include,
            count: req.body.count,
          }),
      );

      app.get(
        `${base}/export`,
        {
          schema: {
            tags,
            summary: `Export ${def.labelPlural.toLowerCase()} as CSV (the export permission; audited)`,
            querystring: ListQuery.pick({ filter: true, sort: true, fields: true }),
          },
        },
        async (req, reply) => {
          const actor = actorOf(req);
          const csv = await database.tenant(actor.workspaceId, (tx) =>
            exportCsv(records, tx, actor, def.name, {
              filter: parseFilter(req.query.filter),
              sort: req.query.sort,
              fields: req.query.fields,
            }),
          );
          return reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${def.name}.csv"`)
            .send(csv);
        },
      );

      app.get(
        `${base}/trash`,
        {
          schema: {
            tags,
            summary: `${def.labelPlural} in the trash (restorable)`,
            querystring: ListQuery.pick({ limit: true, cursor: true, fields: true }),
            response: { 200: many },
          },
          serializerCompiler: passthrough,
        },
        async (req) =>
          runList(req, {
            trashed: true,
            sort: '-updatedAt',
            limit: req.query.limit,
            cursor: req.query.cursor,
            fields: req.query.fields,
          }),
      );

      app.post(
        base,
        {
          schema: {
            tags,
            summary: `Create ${withArticle(def.singular)}`,
            description:
              'Send an Idempotency-Key header to make retries safe: the same key and body within 24 h returns the first response.',
            body: s.create,
            response: { 201: one },
          },
          serializerCompiler: passthrough,
          validatorCompiler: bodyByEngine,
        },
        async (req, reply) => {
          const actor = actorOf(req);
          const result = await withIdempotency(
            database,
            actor,
            header(req, 'idempotency-key'),
            requestHash('POST', base, req.body),
            async (tx) => {
              const data = await records.create(tx, actor, def.name, req.body);
              return { status: 201, body: { data }, location: `${base}/${data.id}` };
            },
          );
          return send(reply, result);
        },
      );

      app.post(
        `${base}/batch`,
        {
          schema: {
            tags,
            summary: `Create, update or upsert up to 1,000 ${def.labelPlural.toLowerCase()}`,
            description: 'Per-item results in request order. With atomic: true, any failure writes nothing (422).',
            body: BatchBody,
            response: { 200: BatchResponse },
          },
          serializerCompiler: passthrough,
        },
        async (req, reply) => {
          const actor = actorOf(req);
          const result = await withIdempotency(
            database,
            actor,
            header(req, 'idempotency-key'),
            requestHash('POST', `${base}/batch`, req.body),
            async (tx) => ({
              status: 200,
              body: await runBatch(records, tx, actor, def.name, req.body),
            }),
          );
          return send(reply, result);
        },
      );

      app.get(
        `${base}/:id`,
        {
          schema: {
            tags,
            summary: `Get ${withArticle(def.singular)}`,
            params: IdParam,
            description:
              'With include, the related lists (at most 100 each, in their order) and sections such as the recent timeline are embedded, and meta.counts says how many each has in all.',
            querystring: ListQuery.pick({ fields: true, include: true }),
            response: { 200: one.extend({ meta: RecordViewMeta.optional() }) },
          },
          serializerCompiler: passthrough,
        },
        async (req, reply) => {
          const actor = actorOf(req);
          const include = list(req.query.include);
          const { data, counts } = await database.tenantRead(actor.workspaceId, (tx) =>
            records.view(tx, actor, def.name, req.params.id, { fields: req.query.fields, include }),
          );
          const body = include?.length ? { data, meta: { counts } } : { data };
          return reply.header('etag', etag(data.version)).send(body);
        },
      );

      app.patch(
        `${base}/:id`,
        {
          schema: {
            tags,
            summary: `Update ${withArticle(def.singular)}`,
            description:
              'Send If-Match with the ETag you read: if someone changed the record since, you get 412 and nothing changes.',
            params: IdParam,
            body: s.update,
            response: { 200: one },
          },
          serializerCompiler: passthrough,
          validatorCompiler: bodyByEngine,
        },
        async (req, reply) => {
          const actor = actorOf(req);
          const version = ifMatch(req);
          const data = await database.tenant(actor.workspaceId, (tx) =>
            records.update(tx, actor, def.name, req.params.id, req.body, version),
          );
          return reply.header('etag', etag(data.version)).send({ data });
        },
      );

      app.delete(
        `${base}/:id`,
        {
          schema: {
            tags,
            summary: `Move ${withArticle(def.singular)} to the trash, or delete it for good (?permanent=true, administrators)`,
            params: IdParam,
            querystring: z.object({ permanent: z.enum(['true', 'false']).optional() }).strict(),
            response: { 204: z.null() },
          },
        },
        async (req, reply) => {
          const actor = actorOf(req);
          const version = ifMatch(req);
          if (req.query.permanent === 'true') {
            await database.tenant(actor.workspaceId, (tx) => records.purge(tx, actor, def.name, req.params.id));
          } else {
            await database.tenant(actor.workspaceId, (tx) =>
              records.trash(tx, actor, def.name, req.params.id, version),
            );
          }
          return reply.status(204).send(null);
        },
      );

      app.post(
        `${base}/:id/restore`,
        {
          schema: {
            tags,
            summary: `Restore ${withArticle(def.singular)} from the trash`,
            description:
              'Send an Idempotency-Key header to make retries safe: the same key within 24 h returns the first response.',
            params: IdParam,
            response: { 200: one },
          },
          serializerCompiler: passthrough,
        },
        async (req, reply) => {
          const actor = actorOf(req);
          // A retry with the same Idempotency-Key gets the first answer (not 404: the record left the trash).
          const result = await withIdempotency(
            database,
            actor,
            header(req, 'idempotency-key'),
            requestHash('POST', `${base}/${req.params.id}/restore`, req.body ?? null),
            async (tx) => ({ status: 200, body: { data: await records.restore(tx, actor, def.name, req.params.id) } }),
          );
          return send(reply, result);
        },
      );
    }
  };
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function send(reply: FastifyReply, r: { status: number; body: unknown; location?: string | null; replayed: boolean }) {
  if (r.location) reply.header('location', r.location);
  if (r.replayed) reply.header('idempotent-replayed', 'true');
  const data = (r.body as { data?: { version?: unknown } }).data;
  if (data && !Array.isArray(data) && data.version !== undefined) reply.header('etag', etag(data.version));
  return reply.status(r.status).send(r.body);
}
