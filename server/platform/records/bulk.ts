import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { type RawBuilder, sql } from 'kysely';
import type { z } from 'zod';
import { type BulkActionSchema, BulkResponse, bulkRequest } from '../../../common/contracts/records';
import type { FilterNode } from '../../../common/filter';
import { humanIssueMessage } from '../../../common/validation-messages';
import { auditMany } from '../access/access.service';
import type { Actor } from '../auth/actor';
import type { Database, Tx } from '../db/database';
import { actorOf } from '../http/context';
import { AppError, type ErrorCode, type FieldError } from '../http/errors';
import { MAX_BATCH, runBatch } from './batch';
import { valueSchema } from './field-types';
import { requestHash, withIdempotency } from './idempotency';
import { compileFilter } from './query';
import { checkFilter } from './records.routes';
import type { RecordContext, RecordService } from './records.service';
import { validateInput } from './validate';

type Sql = RawBuilder<unknown>;

/** Tags a record may carry (the tags field type's own limit). */
const MAX_TAGS = 100;

export type BulkAction = z.infer<typeof BulkActionSchema>;

export interface BulkRequest {
  /** The records to act on, or a filter choosing them (at most 1,000 either way). */
  ids?: string[];
  filter?: FilterNode;
  action: BulkAction;
  /** update: the fields to set on every record (null clears). */
  values?: Record<string, unknown>;
  /** addTags / removeTags. */
  tags?: string[];
}

export interface BulkItemResult {
  index: number;
  id: string;
  status: 'updated' | 'unchanged' | 'trashed' | 'error';
  version?: number;
  error?: { code: ErrorCode; message: string; errors?: FieldError[] };
}

const notFoundItem = (index: number, id: string, label: string): BulkItemResult => ({
  index,
  id,
  status: 'error',
  error: { code: 'not_found', message: `${label} not found` },
});

/**
 * One action on many records of an object, in one transaction, with per-item results
 * in the order of `ids` (or of the filter's records): set fields (through the batch
 * writer, so validation, references, read-only fields and audit are the same), add or
 * remove tags without touching the others, or move to the trash. The caller's record
 * scope applies: a record they may not change is "not found", like in a batch.
 */
export async function runBulk(records: RecordService, tx: Tx, actor: Actor, object: string, req: BulkRequest) {
  const action = req.action === 'trash' ? 'delete' : 'update';
  const ctx = await records.context(tx, actor, object, action);
  const ids = await targets(tx, ctx, object, req);
  let results: BulkItemResult[];
  if (req.action === 'update') results = await bulkUpdate(records, tx, actor, ctx, object, ids, req.values);
  else if (req.action === 'trash') results = await bulkTrash(tx, actor, ctx, object, ids);
  else results = await bulkTags(tx, actor, ctx, object, ids, req.action, req.tags);
  const count = (s: BulkItemResult['status']) => results.filter((r) => r.status === s).length;
  return {
    data: results,
    summary: {
      matched: ids.length,
      updated: count('updated'),
      unchanged: count('unchanged'),
      trashed: count('trashed'),
      failed: count('error'),
    },
  };
}

/** The ids acted on: given (de-duplicated, order kept) or those the filter finds among the caller's records. */
async function targets(tx: Tx, ctx: RecordContext, object: string, req: BulkRequest): Promise<string[]> {
  if ((req.ids === undefined) === (req.filter === undefined)) {
    throw new AppError('validation_failed', 'Send either ids or a filter', {
      errors: [{ path: req.ids ? 'filter' : 'ids', message: 'send either ids or filter, not both or neither' }],
    });
  }
  if (req.ids) return [...new Set(req.ids)];
  const { schema } = ctx;
  const where: Sql[] = [
    sql`t.deleted_at is null`,
    compileFilter(schema, req.filter as FilterNode, { schemas: ctx.schemas, visible: ctx.visible }),
  ];
  const visible = ctx.visible(object, 't', 'write');
  if (visible) where.push(visible);
  const { rows } = await sql<{ id: string }>`
    select t.id from ${sql.table(`${schema.def.table}_scoped`)} t where ${sql.join(where, sql` and `)}
    order by t.id limit ${MAX_BATCH + 1}`.execute(tx);
  if (rows.length > MAX_BATCH) {
    throw new AppError('validation_failed', `The filter matches more than ${MAX_BATCH} records; narrow it`, {
      errors: [{ path: 'filter', message: `matches more than ${MAX_BATCH} records` }],
    });
  }
  return rows.map((r) => r.id);
}

async function bulkUpdate(
  records: RecordService,
  tx: Tx,
  actor: Actor,
  ctx: RecordContext,
  object: string,
  ids: string[],
  values: Record<string, unknown> | undefined,
): Promise<BulkItemResult[]> {
  if (!values || Object.keys(values).length === 0 || 'id' in values) {
    throw new AppError('validation_failed', 'Name the fields to set in values', {
      errors: [{ path: 'values', message: 'must hold at least one field to set (and no id)' }],
    });
  }
  // Checked once, with paths under `values`, rather than once per record.
  const input = validateInput(ctx.schema, values, 'update', 'values.');
  if (input.errors.length === 0) await records.checkReferences(tx, ctx, [{ input, prefix: 'values.' }]);
  if (input.errors.length) {
    throw new AppError('validation_failed', `Invalid values: ${input.errors.map((e) => e.path).join(', ')}`, {
      errors: input.errors,
    });
  }
  if (ids.length === 0) return [];
  const batch = await runBatch(records, tx, actor, object, {
    mode: 'update',
    records: ids.map((id) => ({ ...values, id })),
  });
  return batch.data.map((r, index) => ({
    index,
    id: ids[index] as string,
    status: r.status === 'error' ? 'error' : 'updated',
    ...(r.version !== undefined ? { version: r.version } : {}),
    ...(r.error ? { error: r.error } : {}),
  }));
}

async function bulkTrash(
  tx: Tx,
  actor: Actor,
  ctx: RecordContext,
  object: string,
  ids: string[],
): Promise<BulkItemResult[]> {
  if (ids.length === 0) return [];
  const visible = ctx.visible(object, 't', 'write');
  const { rows } = await sql<{ id: string; version: number }>`
    update ${sql.table(ctx.schema.def.table)} as t
    set deleted_at = now(), version = t.version + 1, updated_at = now(), updated_by = ${actor.userId}::uuid
    where t.id = any(${ids}::uuid[]) and t.deleted_at is null ${visible ? sql`and ${visible}` : sql``}
    returning t.id, t.version`.execute(tx);
  const done = new Map(rows.map((r) => [r.id, r.version]));
  await auditMany(
    tx,
    actor,
    object,
    rows.map((r) => ({ action: 'record.trashed', recordId: r.id })),
  );
  return ids.map((id, index) =>
    done.has(id)
      ? { index, id, status: 'trashed', version: done.get(id) }
      : notFoundItem(index, id, ctx.schema.def.label),
  );
}

async function bulkTags(
  tx: Tx,
  actor: Actor,
  ctx: RecordContext,
  object: string,
  ids: string[],
  action: 'addTags' | 'removeTags',
  raw: string[] | undefined,
): Promise<BulkItemResult[]> {
  const field = ctx.schema.field('tags');
  if (!field)
    throw new AppError('validation_failed', 'tags: unknown field', {
      errors: [{ path: 'tags', message: 'unknown field' }],
    });
  if (field.def.readOnly)
    throw new AppError('validation_failed', 'tags: is read-only', {
      errors: [{ path: 'tags', message: 'is read-only' }],
    });
  const parsed = valueSchema(field.def).safeParse(raw ?? []);
  if (!parsed.success || (parsed.data as string[]).length === 0) {
    const issue = parsed.success ? undefined : parsed.error.issues[0];
    const sub = issue?.path.length ? `.${issue.path.join('.')}` : '';
    throw new AppError('validation_failed', 'Invalid tags', {
      errors: [{ path: `tags${sub}`, message: issue ? humanIssueMessage(issue) : 'must list at least one tag' }],
    });
  }
  const tags = parsed.data as string[];
  if (ids.length === 0) return [];
  const visible = ctx.visible(object, 't', 'write');
  const table = sql.table(ctx.schema.def.table);
  // The records the caller may change, locked, with their tags before.
  const { rows: before } = await sql<{ id: string; tags: string[] | null; version: number }>`
    select t.id, t.tags, t.version from ${table} t
    where t.id = any(${ids}::uuid[]) and t.deleted_at is null ${visible ? sql`and ${visible}` : sql``}
    for update`.execute(tx);
  const next =
    action === 'addTags'
      ? sql`coalesce(t.tags, '{}') || array(select x from unnest(${tags}::text[]) x where not x = any(coalesce(t.tags, '{}')))`
      : sql`array(select x from unnest(t.tags) x where not x = any(${tags}::text[]))`;
  const changes =
    action === 'addTags' ? sql`not (coalesce(t.tags, '{}') @> ${tags}::text[])` : sql`t.tags && ${tags}::text[]`;
  // A record holds at most 100 tags (as on any write): one that would exceed it fails alone.
  const tooMany = new Set(
    action === 'addTags'
      ? before.filter((r) => new Set([...(r.tags ?? []), ...tags]).size > MAX_TAGS).map((r) => r.id)
      : [],
  );
  const writable = before.map((r) => r.id).filter((id) => !tooMany.has(id));
  const { rows: after } = writable.length
    ? await sql<{ id: string; tags: string[]; version: number }>`
        update ${table} as t set tags = ${next}, version = t.version + 1, updated_at = now(), updated_by = ${actor.userId}::uuid
        where t.id = any(${writable}::uuid[]) and ${changes}
        returning t.id, t.tags, t.version`.execute(tx)
    : { rows: [] };
  const old = new Map(before.map((r) => [r.id, r]));
  const changed = new Map(after.map((r) => [r.id, r]));
  await auditMany(
    tx,
    actor,
    object,
    after.map((r) => ({
      action: 'record.updated',
      recordId: r.id,
      changes: { tags: [old.get(r.id)?.tags ?? [], r.tags] },
    })),
  );
  return ids.map((id, index): BulkItemResult => {
    const c = changed.get(id);
    if (c) return { index, id, status: 'updated', version: c.version };
    if (tooMany.has(id)) {
      return {
        index,
        id,
        status: 'error',
        error: {
          code: 'validation_failed',
          message: `would have more than ${MAX_TAGS} tags`,
          errors: [{ path: 'tags', message: `at most ${MAX_TAGS} tags per record` }],
        },
      };
    }
    const o = old.get(id);
    if (o) return { index, id, status: 'unchanged', version: o.version };
    return notFoundItem(index, id, ctx.schema.def.label);
  });
}

const BulkBody = bulkRequest(MAX_BATCH);

/** `POST /api/v1/{object}/bulk` for every object (registered beside the record routes). */
export function bulkRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  return async (app) => {
    for (const def of records.registry.all()) {
      const url = `/api/v1/${def.name}/bulk`;
      app.post(
        url,
        {
          schema: {
            tags: [def.labelPlural],
            summary: `Set fields, add or remove tags, or trash many ${def.labelPlural.toLowerCase()} at once`,
            description: 'Per-item results in the order of ids. Send an Idempotency-Key header to make retries safe.',
            body: BulkBody,
            response: { 200: BulkResponse },
          },
        },
        async (req, reply) => {
          const actor = actorOf(req);
          const key = req.headers['idempotency-key'];
          const body = req.body;
          const result = await withIdempotency(
            database,
            actor,
            Array.isArray(key) ? key[0] : key,
            requestHash('POST', url, body),
            async (tx) => ({
              status: 200,
              body: await runBulk(records, tx, actor, def.name, {
                ...body,
                filter: body.filter === undefined ? undefined : checkFilter(body.filter),
              }),
            }),
          );
          if (result.replayed) reply.header('idempotent-replayed', 'true');
          return reply.status(200).send(result.body as z.infer<typeof BulkResponse>);
        },
      );
    }
  };
}
