import { type RawBuilder, sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { auditMany } from '../access/access.service';
import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';
import { emitEvents } from '../events/events';
import { AppError, type ErrorCode, type FieldError } from '../http/errors';
import { storageColumns, toColumns, valueSchema } from './field-types';
import type { ObjectSchema } from './object-schema';
import { presentRow, selectColumns } from './query';
import { diff, eventName, type RecordContext, type RecordData, RecordService } from './records.service';
import { redactEventData, redactSensitive, sealCustom } from './sealing';
import { columnName } from './types';
import { type ValidatedInput, validateInput } from './validate';
import { mapWriteError } from './write-errors';

export const MAX_BATCH = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface BatchRequest {
  mode: 'create' | 'update' | 'upsert';
  /** For upsert: a unique field (e.g. email, domain) or "id". */
  matchOn?: string;
  /** All or nothing: any failing item fails the whole batch and nothing is written. */
  atomic?: boolean;
  /**
   * No audit row and no event per record: the caller (an import of a million rows) writes one
   * audit entry and one summary event for its whole run instead. Rules and afterWrite still run.
   */
  quiet?: boolean;
  records: unknown[];
}

export interface BatchItemResult {
  index: number;
  status: 'created' | 'updated' | 'error';
  id?: string;
  version?: number;
  error?: { code: ErrorCode; message: string; errors?: FieldError[] };
}

interface Item {
  index: number;
  input: ValidatedInput;
  id?: string;
  op?: 'insert' | 'update';
  matchValue?: string;
  result?: BatchItemResult;
}

const fail = (item: Item, code: ErrorCode, message: string, errors?: FieldError[]) => {
  item.result = { index: item.index, status: 'error', error: { code, message, ...(errors?.length ? { errors } : {}) } };
};

/**
 * Creates, updates or upserts up to 1,000 records in one transaction with
 * set-based SQL (one statement per group of items carrying the same fields),
 * reporting per-item results in request order.
 */
export async function runBatch(service: RecordService, tx: Tx, actor: Actor, object: string, req: BatchRequest) {
  const ctx = await service.context(tx, actor, object, req.mode === 'update' ? 'update' : 'create');
  if (req.mode === 'upsert') ctx.policy.assert(object, 'update');
  const { schema } = ctx;
  if (req.records.length > MAX_BATCH) {
    throw new AppError('validation_failed', `At most ${MAX_BATCH} records per batch`, {
      errors: [{ path: 'records', message: `at most ${MAX_BATCH} records` }],
    });
  }
  const matchField = resolveMatchOn(schema, req);
  const items: Item[] = req.records.map((body, index) => {
    const rest =
      req.mode === 'update' && body && typeof body === 'object' ? { ...(body as Record<string, unknown>) } : body;
    let id: string | undefined;
    if (req.mode === 'update' && rest && typeof rest === 'object') {
      const raw = (rest as Record<string, unknown>).id;
      delete (rest as Record<string, unknown>).id;
      const parsed = valueSchema({ name: 'id', type: 'user', label: 'id' }).safeParse(raw);
      if (parsed.success) id = parsed.data as string;
    }
    const item: Item = {
      index,
      input: validateInput(schema, rest, req.mode === 'create' ? 'create' : 'update', `records.${index}.`),
      id,
    };
    if (req.mode === 'update' && !id)
      item.input.errors.push({ path: `records.${index}.id`, message: 'is required to update' });
    return item;
  });

  // Upsert: which items match an existing live record?
  if (req.mode === 'upsert' && matchField) {
    const seen = new Map<string, number>();
    for (const item of items) {
      const v =
        matchField === 'id'
          ? (req.records[item.index] as Record<string, unknown> | null)?.id
          : [...item.input.builtin].find(([f]) => f.name === matchField)?.[1];
      if (matchField === 'id' && typeof v === 'string' && !UUID.test(v)) {
        item.input.errors.push({ path: `records.${item.index}.id`, message: 'must be a UUID' });
        continue;
      }
      if (typeof v !== 'string' || !v) {
        if (item.input.errors.some((e) => e.path === `records.${item.index}.${matchField}`)) continue;
        item.input.errors.push({
          path: `records.${item.index}.${matchField}`,
          message: `is required to upsert on ${matchField}`,
        });
        continue;
      }
      if (seen.has(v)) {
        item.input.errors.push({
          path: `records.${item.index}.${matchField}`,
          message: `repeats record ${seen.get(v)} of this batch`,
        });
        continue;
      }
      seen.set(v, item.index);
      item.matchValue = v;
    }
    const values = [...seen.keys()];
    const col = matchField === 'id' ? 'id' : columnName(matchField);
    const { rows } = values.length
      ? await sql<{
          id: string;
          k: string;
        }>`select id, ${sql.ref(col)}::text as k from ${sql.table(`${schema.def.table}_scoped`)}
          where ${sql.ref(col)}::text = any(${values}::text[]) and deleted_at is null`.execute(tx)
      : { rows: [] };
    const existing = new Map(rows.map((r) => [r.k, r.id]));
    for (const item of items) {
      if (!item.matchValue) continue;
      const id = existing.get(item.matchValue);
      if (id) {
        item.id = id;
        item.op = 'update';
      } else {
        item.op = 'insert';
        if (matchField === 'id') item.id = item.matchValue;
        // A new record must be complete: check create rules too.
        const full = validateInput(schema, req.records[item.index], 'create', `records.${item.index}.`);
        item.input.errors.push(...full.errors.filter((e) => !item.input.errors.some((x) => x.path === e.path)));
      }
    }
  } else {
    for (const item of items) item.op = req.mode === 'create' ? 'insert' : 'update';
  }

  await service.checkReferences(
    tx,
    ctx,
    items.filter((i) => i.input.errors.length === 0).map((i) => ({ input: i.input, prefix: `records.${i.index}.` })),
  );
  // The object's own rules (beforeWrite) see each valid item with its stored record.
  const full = ctx.full.get(object) as ObjectSchema;
  const hooked = schema.def.beforeWrite || schema.def.afterWrite;
  const stored = hooked
    ? await fullRows(
        tx,
        full,
        items.filter((i) => i.op === 'update' && i.id).map((i) => i.id as string),
        ctx.visible(object, 't', 'write'),
      )
    : new Map<string, Record<string, unknown>>();
  if (schema.def.beforeWrite) {
    for (const item of items) {
      if (item.input.errors.length) continue;
      const before = item.op === 'update' ? (stored.get(item.id as string) ?? null) : null;
      if (item.op === 'update' && !before) continue; // reported as not found when written
      await service.beforeWrite(tx, actor, ctx, item.input, before, `records.${item.index}.`);
    }
  }
  for (const item of items) {
    if (item.input.errors.length && !item.result) fail(item, 'validation_failed', 'Invalid record', item.input.errors);
  }
  if (req.atomic) assertNoFailures(items);

  const inserts = items.filter((i) => !i.result && i.op === 'insert');
  const updates = items.filter((i) => !i.result && i.op === 'update');
  const before = await currentRows(tx, ctx, updates);
  const writable = ctx.visible(object, 't', 'write');
  await writeGroups(tx, actor, schema, inserts, 'insert', writable);
  await writeGroups(tx, actor, schema, updates, 'update', writable);
  if (req.atomic) assertNoFailures(items);
  // The changes are for the audit rows and events, which a quiet batch does not write.
  const written = items
    .filter((i) => !req.quiet && i.result && i.result.status !== 'error')
    .map((i) => {
      const after = Object.fromEntries(
        [...i.input.builtin].map(([f, v]) => [f.name, v]).concat(Object.entries(i.input.custom)),
      );
      const old = before.get(i.id as string) ?? {};
      const from = Object.fromEntries(Object.keys(after).map((k) => [k, old[k] ?? null]));
      return {
        action: i.result?.status === 'created' ? 'record.created' : 'record.updated',
        recordId: i.id as string,
        changes: redactSensitive(schema, diff(from, after)),
      };
    });
  if (!req.quiet) {
    await auditMany(tx, actor, object, written);
    await emitBatchEvents(tx, actor, service.fullSchema(ctx, object), written);
  }
  if (schema.def.afterWrite) {
    const done = items.filter((i) => i.result && i.result.status !== 'error');
    const after = await fullRows(
      tx,
      full,
      done.map((i) => i.id as string),
      undefined,
    );
    for (const item of done) {
      const row = after.get(item.id as string);
      if (!row) continue;
      const old = stored.get(item.id as string);
      await schema.def.afterWrite(tx, {
        actor,
        records: service,
        mode: item.result?.status === 'created' ? 'create' : 'update',
        before: old ? presentRow(full, old) : null,
        after: presentRow(full, row),
      });
    }
  }

  const results = items.map((i) => i.result as BatchItemResult);
  return {
    data: results,
    summary: {
      created: results.filter((r) => r.status === 'created').length,
      updated: results.filter((r) => r.status === 'updated').length,
      failed: results.filter((r) => r.status === 'error').length,
    },
  };
}

function resolveMatchOn(schema: ObjectSchema, req: BatchRequest): string | undefined {
  if (req.mode !== 'upsert') return undefined;
  const name = req.matchOn ?? 'id';
  const f = schema.field(name);
  if (name !== 'id' && !(f && !f.custom && f.def.unique)) {
    const uniques = schema
      .fields()
      .filter((x) => x.def.unique)
      .map((x) => x.def.name);
    throw new AppError('validation_failed', `Cannot upsert on "${name}"`, {
      errors: [{ path: 'matchOn', message: `must be a unique field: ${['id', ...uniques].join(', ')}` }],
    });
  }
  return name;
}

function assertNoFailures(items: Item[]) {
  const failed = items.filter((i) => i.result?.status === 'error');
  if (failed.length === 0) return;
  const errors = failed.flatMap(
    (i) => i.result?.error?.errors ?? [{ path: `records.${i.index}`, message: i.result?.error?.message ?? 'failed' }],
  );
  throw new AppError(
    failed.some((i) => i.result?.error?.code === 'already_exists') ? 'already_exists' : 'validation_failed',
    `${failed.length} of ${items.length} records failed; nothing was written (atomic batch)`,
    { errors },
  );
}

/** Stored rows (every column) by id, for the object's write rules. */
async function fullRows(
  tx: Tx,
  full: ObjectSchema,
  ids: string[],
  writable: RawBuilder<unknown> | undefined,
): Promise<Map<string, Record<string, unknown>>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<Record<string, unknown>>`
    select ${selectColumns(full, undefined)} from ${sql.table(full.def.table)} t
    where t.id = any(${ids}::uuid[]) and t.deleted_at is null ${writable ? sql`and ${writable}` : sql``}`.execute(tx);
  return new Map(rows.map((r) => [r.id as string, r]));
}

/** The records batch updates will change, as they are now (for the audit log's from → to). */
async function currentRows(tx: Tx, ctx: RecordContext, items: Item[]): Promise<Map<string, RecordData>> {
  const ids = items.map((i) => i.id).filter((id): id is string => !!id);
  if (ids.length === 0) return new Map();
  const { rows } = await sql<Record<string, unknown>>`
    select ${selectColumns(ctx.schema, undefined)} from ${sql.table(`${ctx.schema.def.table}_scoped`)} t
    where t.id = any(${ids}::uuid[])`.execute(tx);
  return new Map(rows.map((r) => [r.id as string, presentRow(ctx.schema, r)]));
}

/** One event per written record, carrying the whole record as stored now and what changed. */
async function emitBatchEvents(
  tx: Tx,
  actor: Actor,
  full: ObjectSchema,
  written: { action: string; recordId: string; changes: Record<string, [unknown, unknown]> }[],
): Promise<void> {
  if (written.length === 0) return;
  const { rows } = await sql<Record<string, unknown>>`
    select ${selectColumns(full, undefined)} from ${sql.table(full.def.table)} t
    where t.id = any(${written.map((w) => w.recordId)}::uuid[])`.execute(tx);
  const records = new Map(rows.map((r) => [r.id as string, presentRow(full, r)]));
  const name = eventName(full.def);
  await emitEvents(
    tx,
    actor,
    written
      .filter((w) => w.action === 'record.created' || Object.keys(w.changes).length > 0)
      .map((w) => ({
        type: `${name}.${w.action === 'record.created' ? 'created' : 'updated'}`,
        object: full.def.name,
        recordId: w.recordId,
        data: redactEventData(full, {
          record: records.get(w.recordId) ?? null,
          ...(w.action === 'record.updated' ? { changes: w.changes } : {}),
        }),
      })),
  );
}

/** One set-based statement per group of items that carry the same columns. */
async function writeGroups(
  tx: Tx,
  actor: Actor,
  schema: ObjectSchema,
  items: Item[],
  op: 'insert' | 'update',
  writable: RawBuilder<unknown> | undefined,
) {
  const groups = new Map<string, { cols: string[]; items: Item[]; rows: Record<string, unknown>[] }>();
  for (const item of items) {
    const cols: Record<string, unknown> = {};
    for (const [field, value] of item.input.builtin)
      Object.assign(cols, toColumns(field, value, true, schema.def.table));
    if (op === 'insert') {
      item.id ??= uuidv7();
      if (!('owner_id' in cols) && actor.userId) cols.owner_id = actor.userId;
    }
    const hasCustom = Object.keys(item.input.custom).length > 0 || op === 'insert';
    const row: Record<string, unknown> = {
      id: item.id,
      ...cols,
      ...(hasCustom ? { custom: sealCustom(schema, item.input.custom) } : {}),
    };
    const names = Object.keys(row).sort();
    const key = names.join(',');
    const g = groups.get(key) ?? { cols: names, items: [], rows: [] };
    g.items.push(item);
    g.rows.push(row);
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    await tx.executeQuery(sql`savepoint batch_group`.compile(tx));
    try {
      const written =
        op === 'insert'
          ? await insertGroup(tx, actor, schema, g.cols, g.rows)
          : await updateGroup(tx, actor, schema, g.cols, g.rows, writable);
      await tx.executeQuery(sql`release savepoint batch_group`.compile(tx));
      for (const item of g.items) {
        const w = written.get(item.id as string);
        if (w)
          item.result = { index: item.index, status: op === 'insert' ? 'created' : 'updated', id: item.id, version: w };
        else if (op === 'insert')
          fail(item, 'already_exists', `Another ${schema.def.singular} already has this unique value`);
        else fail(item, 'not_found', `${schema.def.label} not found`);
      }
    } catch {
      await tx.executeQuery(sql`rollback to savepoint batch_group`.compile(tx));
      // Rare (a race with another writer): isolate the failing items one by one.
      for (const [i, item] of g.items.entries()) {
        await tx.executeQuery(sql`savepoint batch_item`.compile(tx));
        try {
          const row = g.rows[i] as Record<string, unknown>;
          const written =
            op === 'insert'
              ? await insertGroup(tx, actor, schema, g.cols, [row])
              : await updateGroup(tx, actor, schema, g.cols, [row], writable);
          await tx.executeQuery(sql`release savepoint batch_item`.compile(tx));
          const w = written.get(item.id as string);
          if (w)
            item.result = {
              index: item.index,
              status: op === 'insert' ? 'created' : 'updated',
              id: item.id,
              version: w,
            };
          else
            fail(
              item,
              op === 'insert' ? 'already_exists' : 'not_found',
              op === 'insert' ? 'Unique value already used' : 'Not found',
            );
        } catch (err) {
          await tx.executeQuery(sql`rollback to savepoint batch_item`.compile(tx));
          try {
            mapWriteError(err, schema, `records.${item.index}.`);
          } catch (mapped) {
            if (mapped instanceof AppError) fail(item, mapped.code, mapped.message, mapped.errors);
            else fail(item, 'validation_failed', 'This record could not be written');
          }
        }
      }
    }
  }
}

function uniqueConflictTarget(schema: ObjectSchema): string | undefined {
  const u = schema.def.fields.find((f) => f.unique);
  return u ? storageColumns(u)[0]?.column : undefined;
}

async function insertGroup(
  tx: Tx,
  actor: Actor,
  schema: ObjectSchema,
  cols: string[],
  rows: Record<string, unknown>[],
) {
  const target = uniqueConflictTarget(schema);
  const insertCols = ['workspace_id', ...cols, 'created_by', 'updated_by'];
  const { rows: out } = await sql<{ id: string; version: number }>`
    insert into ${sql.table(schema.def.table)} (${sql.join(insertCols.map((c) => sql.ref(c)))})
    select ${actor.workspaceId}::uuid, ${sql.join(cols.map((c) => sql.ref(`v.${c}`)))}, ${actor.userId}::uuid, ${actor.userId}::uuid
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(${RecordService.recordsetColumns(schema, cols)})
    ${target ? sql`on conflict (workspace_id, ${sql.ref(target)}) where deleted_at is null do nothing` : sql`on conflict do nothing`}
    returning id, version`.execute(tx);
  return new Map(out.map((r) => [r.id, r.version]));
}

async function updateGroup(
  tx: Tx,
  actor: Actor,
  schema: ObjectSchema,
  cols: string[],
  rows: Record<string, unknown>[],
  writable: RawBuilder<unknown> | undefined,
) {
  const sets = cols
    .filter((c) => c !== 'id')
    .map((c) =>
      c === 'custom'
        ? sql`custom = jsonb_strip_nulls(t.custom || v.custom)`
        : sql`${sql.ref(c)} = ${sql.ref(`v.${c}`)}`,
    );
  sets.push(sql`version = t.version + 1`, sql`updated_at = now()`, sql`updated_by = ${actor.userId}::uuid`);
  const { rows: out } = await sql<{ id: string; version: number }>`
    update ${sql.table(schema.def.table)} as t set ${sql.join(sets)}
    from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(${RecordService.recordsetColumns(schema, cols)})
    where t.workspace_id = ${actor.workspaceId}::uuid and t.id = v.id and t.deleted_at is null
      ${writable ? sql`and ${writable}` : sql``}
    returning t.id, t.version`.execute(tx);
  return new Map(out.map((r) => [r.id, r.version]));
}
