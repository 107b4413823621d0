import { type RawBuilder, sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { FilterNode } from '../../../common/filter';
import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';
import { AppError, type FieldError, notFound } from '../http/errors';
import { storageColumns, toColumns } from './field-types';
import { loadSchemas, type ObjectSchema } from './object-schema';
import {
  afterCursor,
  compileFilter,
  encodeCursor,
  orderBy,
  presentRow,
  resolveFields,
  resolveSort,
  selectColumns,
  sortKeySelect,
} from './query';
import type { ObjectRegistry } from './registry';
import { columnName } from './types';
import { type ValidatedInput, validateInput } from './validate';
import { mapWriteError } from './write-errors';

type Sql = RawBuilder<unknown>;
export type RecordData = Record<string, unknown>;

export interface ListOptions {
  filter?: FilterNode;
  sort?: string;
  limit?: number;
  cursor?: string;
  fields?: string;
  include?: string[];
  count?: boolean;
  trashed?: boolean;
}

export interface ListResult {
  data: RecordData[];
  page: { nextCursor: string | null; hasMore: boolean };
  total?: number;
}

export const MAX_PAGE = 500;
const INCLUDE_LIMIT = 100;

/**
 * Generic CRUD, list, trash and batch for every declared object. All methods take
 * the caller's tenant transaction, so a capability can compose them with its own
 * writes atomically.
 */
export class RecordService {
  constructor(readonly registry: ObjectRegistry) {}

  /** The object as this workspace sees it (built-in + custom fields); 404 for unknown objects. */
  async schema(tx: Tx, object: string): Promise<{ schema: ObjectSchema; schemas: Map<string, ObjectSchema> }> {
    const schemas = await loadSchemas(tx, this.registry);
    const schema = schemas.get(object);
    if (!schema) throw new AppError('route_not_found', `No object "${object}"`);
    return { schema, schemas };
  }

  async list(tx: Tx, object: string, opts: ListOptions): Promise<ListResult> {
    const { schema, schemas } = await this.schema(tx, object);
    const limit = opts.limit ?? 50;
    const fields = resolveFields(schema, opts.fields);
    const keys = resolveSort(schema, opts.sort);
    const where: Sql[] = [opts.trashed ? sql`t.deleted_at is not null` : sql`t.deleted_at is null`];
    if (opts.filter) where.push(compileFilter(schema, opts.filter, { schemas }));
    const filterOnly = sql.join(where, sql` and `);
    if (opts.cursor) where.push(afterCursor(keys, opts.cursor));
    const view = sql.table(`${schema.def.table}_scoped`);
    const { rows } = await sql<Record<string, unknown>>`
      select ${selectColumns(schema, fields)}, ${sql.join(sortKeySelect(keys))}
      from ${view} t
      where ${sql.join(where, sql` and `)}
      order by ${orderBy(keys)}
      limit ${limit + 1}`.execute(tx);
    const hasMore = rows.length > limit;
    const page = hasMore ? rows.slice(0, limit) : rows;
    const data = page.map((r) => presentRow(schema, r, fields));
    if (opts.include?.length) await this.embed(tx, schemas, schema, data, opts.include);
    const last = page[page.length - 1];
    const result: ListResult = {
      data,
      page: { nextCursor: hasMore && last ? encodeCursor(keys, last) : null, hasMore },
    };
    if (opts.count) {
      const c = await sql<{ n: string }>`select count(*) as n from ${view} t where ${filterOnly}`.execute(tx);
      result.total = Number(c.rows[0]?.n ?? 0);
    }
    return result;
  }

  async get(
    tx: Tx,
    object: string,
    id: string,
    opts: { fields?: string; include?: string[] } = {},
  ): Promise<RecordData> {
    const { schema, schemas } = await this.schema(tx, object);
    const fields = resolveFields(schema, opts.fields);
    const row = await this.fetchRow(tx, schema, id, fields);
    if (!row) throw notFound(schema.def.label);
    const data = presentRow(schema, row, fields);
    if (opts.include?.length) await this.embed(tx, schemas, schema, [data], opts.include);
    return data;
  }

  private async fetchRow(tx: Tx, schema: ObjectSchema, id: string, fields?: string[]) {
    const { rows } = await sql<Record<string, unknown>>`
      select ${selectColumns(schema, fields)} from ${sql.table(`${schema.def.table}_scoped`)} t
      where t.id = ${id}::uuid and t.deleted_at is null`.execute(tx);
    return rows[0];
  }

  /** Attaches related records: to-one relations (`account`), inverse lists (`contacts`) and `owner`. */
  private async embed(
    tx: Tx,
    schemas: Map<string, ObjectSchema>,
    schema: ObjectSchema,
    records: RecordData[],
    include: string[],
  ): Promise<void> {
    for (const name of include) {
      if (name === 'owner') {
        const ids = [...new Set(records.map((r) => r.ownerId).filter((v): v is string => typeof v === 'string'))];
        const { rows } = ids.length
          ? await sql<{
              id: string;
              name: string;
              email: string;
            }>`select id, name, email from users where id = any(${ids}::uuid[])`.execute(tx)
          : { rows: [] };
        const byId = new Map(rows.map((u) => [u.id, u]));
        for (const r of records) r.owner = byId.get(r.ownerId as string) ?? null;
        continue;
      }
      const rel = schema.toOneRelation(name);
      if (rel?.def.relation) {
        const target = schemas.get(rel.def.relation.object) as ObjectSchema;
        const ids = [...new Set(records.map((r) => r[rel.def.name]).filter((v): v is string => typeof v === 'string'))];
        const { rows } = ids.length
          ? await sql<
              Record<string, unknown>
            >`select ${selectColumns(target, undefined)} from ${sql.table(`${target.def.table}_scoped`)} t
              where t.id = any(${ids}::uuid[]) and t.deleted_at is null`.execute(tx)
          : { rows: [] };
        const byId = new Map(rows.map((row) => [row.id as string, presentRow(target, row)]));
        for (const r of records) r[name] = byId.get(r[rel.def.name] as string) ?? null;
        continue;
      }
      const inverse = schema.def.inverse?.find((i) => i.name === name);
      if (inverse) {
        const target = schemas.get(inverse.object) as ObjectSchema;
        const via = columnName(inverse.via);
        const ids = records.map((r) => r.id as string);
        const { rows } = await sql<Record<string, unknown>>`
          select * from (
            select ${selectColumns(target, undefined)}, t.${sql.ref(via)} as _parent,
                   row_number() over (partition by t.${sql.ref(via)} order by t.created_at, t.id) as _n
            from ${sql.table(`${target.def.table}_scoped`)} t
            where t.${sql.ref(via)} = any(${ids}::uuid[]) and t.deleted_at is null) x
          where _n <= ${INCLUDE_LIMIT}`.execute(tx);
        for (const r of records) {
          r[name] = rows.filter((row) => row._parent === r.id).map((row) => presentRow(target, row));
        }
        continue;
      }
      const allowed = [
        'owner',
        ...schema
          .fields()
          .filter((f) => f.def.relation?.cardinality === 'one')
          .map((f) => f.def.name.replace(/Id$/, '')),
        ...(schema.def.inverse ?? []).map((i) => i.name),
      ];
      throw new AppError('validation_failed', `Cannot include "${name}"`, {
        errors: [{ path: 'include', message: `unknown relation "${name}"; one of: ${allowed.join(', ')}` }],
      });
    }
  }

  /** Checks to-many relations and custom relation/user fields point at live records of this workspace. */
  private async checkReferences(
    tx: Tx,
    schema: ObjectSchema,
    schemas: Map<string, ObjectSchema>,
    input: ValidatedInput,
    pathPrefix = '',
  ): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    const checks: { path: string; object: string | 'users'; ids: string[] }[] = [];
    for (const [field, value] of input.builtin) {
      if (value == null) continue;
      if (field.type === 'relation' && field.relation?.cardinality === 'many') {
        checks.push({ path: field.name, object: field.relation.object, ids: value as string[] });
      }
    }
    for (const [name, value] of Object.entries(input.custom)) {
      const f = schema.field(name)?.def;
      if (value == null || !f) continue;
      if (f.type === 'user') checks.push({ path: name, object: 'users', ids: [value as string] });
      if (f.type === 'relation' && f.relation) {
        checks.push({
          path: name,
          object: f.relation.object,
          ids: Array.isArray(value) ? (value as string[]) : [value as string],
        });
      }
    }
    for (const c of checks) {
      if (c.ids.length === 0) continue;
      const found =
        c.object === 'users'
          ? await sql<{
              id: string;
            }>`select user_id as id from workspace_members where user_id = any(${c.ids}::uuid[])`.execute(tx)
          : await sql<{ id: string }>`select id from ${sql.table(`${schemas.get(c.object)?.def.table}_scoped`)}
              where id = any(${c.ids}::uuid[]) and deleted_at is null`.execute(tx);
      const ok = new Set(found.rows.map((r) => r.id));
      const missing = c.ids.filter((id) => !ok.has(id));
      if (missing.length) {
        errors.push({
          path: `${pathPrefix}${c.path}`,
          message:
            c.object === 'users'
              ? 'is not a member of this workspace'
              : `no such record: ${missing.slice(0, 3).join(', ')}`,
        });
      }
    }
    return errors;
  }

  /** Column → value for the built-in fields of a validated input. */
  private columnsOf(input: ValidatedInput, asJson = false): Record<string, unknown> {
    const cols: Record<string, unknown> = {};
    for (const [field, value] of input.builtin) Object.assign(cols, toColumns(field, value, asJson));
    return cols;
  }

  private async validated(tx: Tx, object: string, body: unknown, mode: 'create' | 'update') {
    const { schema, schemas } = await this.schema(tx, object);
    const input = validateInput(schema, body, mode);
    if (input.errors.length === 0) input.errors.push(...(await this.checkReferences(tx, schema, schemas, input)));
    if (input.errors.length) {
      throw new AppError(
        'validation_failed',
        `Invalid ${schema.def.singular}: ${input.errors.map((e) => e.path).join(', ')}`,
        {
          errors: input.errors,
        },
      );
    }
    return { schema, input };
  }

  async create(tx: Tx, actor: Actor, object: string, body: unknown): Promise<RecordData> {
    const { schema, input } = await this.validated(tx, object, body, 'create');
    const cols = this.columnsOf(input);
    if (!('owner_id' in cols) && actor.userId) cols.owner_id = actor.userId;
    const id = uuidv7();
    const all: Record<string, unknown> = {
      workspace_id: actor.workspaceId,
      id,
      ...cols,
      custom: JSON.stringify(input.custom),
      created_by: actor.userId,
      updated_by: actor.userId,
    };
    const names = Object.keys(all);
    try {
      const { rows } = await sql<Record<string, unknown>>`
        insert into ${sql.table(schema.def.table)} as t (${sql.join(names.map((n) => sql.ref(n)))})
        values (${sql.join(names.map((n) => sql`${all[n]}`))})
        returning ${selectColumns(schema, undefined)}`.execute(tx);
      return presentRow(schema, rows[0] as Record<string, unknown>);
    } catch (err) {
      mapWriteError(err, schema);
    }
  }

  /** Partial update; with `ifMatch` (a version) a stale version gets 412 and changes nothing. */
  async update(tx: Tx, actor: Actor, object: string, id: string, body: unknown, ifMatch?: number): Promise<RecordData> {
    const { schema, input } = await this.validated(tx, object, body, 'update');
    const cols = this.columnsOf(input);
    const sets: Sql[] = Object.entries(cols).map(([c, v]) => sql`${sql.ref(c)} = ${v}`);
    if (Object.keys(input.custom).length) {
      sets.push(sql`custom = jsonb_strip_nulls(t.custom || ${JSON.stringify(input.custom)}::jsonb)`);
    }
    sets.push(sql`version = t.version + 1`, sql`updated_at = now()`, sql`updated_by = ${actor.userId}`);
    try {
      const { rows } = await sql<Record<string, unknown>>`
        update ${sql.table(schema.def.table)} as t set ${sql.join(sets)}
        where t.id = ${id}::uuid and t.deleted_at is null
          ${ifMatch === undefined ? sql`` : sql`and t.version = ${ifMatch}`}
        returning ${selectColumns(schema, undefined)}`.execute(tx);
      if (rows[0]) return presentRow(schema, rows[0]);
    } catch (err) {
      mapWriteError(err, schema);
    }
    return this.missingOrStale(tx, schema, id);
  }

  private async missingOrStale(tx: Tx, schema: ObjectSchema, id: string): Promise<never> {
    const exists = await this.fetchRow(tx, schema, id, []);
    if (exists) {
      throw new AppError(
        'precondition_failed',
        `This ${schema.def.singular} was changed by someone else (now version ${exists.version}); reload it and retry`,
      );
    }
    throw notFound(schema.def.label);
  }

  /** Moves a record to the trash (restorable). */
  async trash(tx: Tx, actor: Actor, object: string, id: string, ifMatch?: number): Promise<void> {
    const { schema } = await this.schema(tx, object);
    const { rows } = await sql`
      update ${sql.table(schema.def.table)} as t
      set deleted_at = now(), version = t.version + 1, updated_at = now(), updated_by = ${actor.userId}
      where t.id = ${id}::uuid and t.deleted_at is null ${ifMatch === undefined ? sql`` : sql`and t.version = ${ifMatch}`}
      returning t.id`.execute(tx);
    if (rows.length === 0) await this.missingOrStale(tx, schema, id);
  }

  async restore(tx: Tx, actor: Actor, object: string, id: string): Promise<RecordData> {
    const { schema } = await this.schema(tx, object);
    try {
      const { rows } = await sql<Record<string, unknown>>`
        update ${sql.table(schema.def.table)} as t
        set deleted_at = null, version = t.version + 1, updated_at = now(), updated_by = ${actor.userId}
        where t.id = ${id}::uuid and t.deleted_at is not null
        returning ${selectColumns(schema, undefined)}`.execute(tx);
      if (!rows[0]) throw new AppError('not_found', `No ${schema.def.singular} with this id in the trash`);
      return presentRow(schema, rows[0]);
    } catch (err) {
      if (err instanceof AppError) throw err;
      mapWriteError(err, schema);
    }
  }

  /** Deletes for good (live or trashed). Related records keep existing; their links are cleared. */
  async purge(tx: Tx, object: string, id: string): Promise<void> {
    const { schema } = await this.schema(tx, object);
    const { rows } = await sql`delete from ${sql.table(schema.def.table)} where id = ${id}::uuid returning id`.execute(
      tx,
    );
    if (rows.length === 0) throw notFound(schema.def.label);
    // Built-in links are cleared by their foreign keys; custom relation fields here.
    const schemas = await loadSchemas(tx, this.registry);
    for (const other of schemas.values()) {
      for (const f of other.customFields) {
        if (f.type !== 'relation' || f.relation?.object !== object) continue;
        const table = sql.table(other.def.table);
        if (f.relation.cardinality === 'many') {
          await sql`update ${table} set custom = jsonb_set(custom, array[${f.name}], (custom -> ${f.name}) - ${id}::text)
                    where custom -> ${f.name} ? ${id}::text`.execute(tx);
        } else {
          await sql`update ${table} set custom = custom - ${f.name}::text where custom ->> ${f.name} = ${id}::text`.execute(
            tx,
          );
        }
      }
    }
  }

  /** Columns a batch row may carry, with their SQL types, for jsonb_to_recordset. */
  static recordsetColumns(schema: ObjectSchema, names: string[]): Sql {
    const types = new Map<string, string>([
      ['id', 'uuid'],
      ['owner_id', 'uuid'],
      ['tags', 'text[]'],
      ['custom', 'jsonb'],
    ]);
    for (const f of schema.fields()) {
      if (f.custom) continue;
      for (const c of storageColumns(f.def)) if (!types.has(c.column)) types.set(c.column, c.sqlType);
    }
    return sql.join(names.map((n) => sql`${sql.ref(n)} ${sql.raw(types.get(n) ?? 'text')}`));
  }
}

export { sql };
