import { type RawBuilder, sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { checkFilterTree, type FilterNode } from '../../../common/filter';
import { AccessPolicy, type AccessService, audit, type ObjectAction } from '../access/access.service';
import { STANDARD_PERMISSIONS } from '../access/permissions';
import type { Actor } from '../auth/actor';
import { type Tx, withWorkMem } from '../db/database';
import { emitEvent } from '../events/events';
import { AppError, notFound } from '../http/errors';
import { storageColumns, toColumns } from './field-types';
import { loadSchemas, type ObjectSchema, schemasForRole } from './object-schema';
import {
  afterCursor,
  compileFilter,
  type DistanceSlot,
  encodeCursor,
  orderBy,
  presentRow,
  resolveFields,
  resolveSort,
  type SortKey,
  selectColumns,
  sortKeySelect,
} from './query';
import type { ObjectRegistry } from './registry';
import { type PolymorphicTable, relinkRecord } from './relink';
import { redactEventData, redactSensitive, sealCustom } from './sealing';
import { recordSection, recordSections } from './sections';
import { columnName, type InverseRelation } from './types';
import { type ValidatedInput, validateInput } from './validate';
import { mapWriteError } from './write-errors';

type Sql = RawBuilder<unknown>;
export type RecordData = Record<string, unknown>;

export interface ListOptions {
  filter?: FilterNode;
  sort?: string;
  limit?: number;
  cursor?: string;
  /** Records to skip before the page (a jump into a long list); not with `cursor`. */
  offset?: number;
  fields?: string;
  include?: string[];
  count?: boolean;
  trashed?: boolean;
  /**
   * Keeps only records whose id this subquery yields: a module's own membership rows
   * (a static segment's `select record_id from segment_members where …`), AND-ed to the
   * caller's permissions and filter like any condition. The subquery is the module's
   * (its own table, scoped to the workspace); no permission SQL comes from it.
   */
  within?: Sql;
}

export interface ListResult {
  data: RecordData[];
  page: { nextCursor: string | null; hasMore: boolean };
  total?: number;
}

/**
 * One request's view of the objects: the caller's policy, each object's schema as
 * their role sees it (hidden fields gone, read-only ones marked), and the
 * condition that makes a record visible to them.
 */
export interface RecordContext {
  policy: AccessPolicy;
  schema: ObjectSchema;
  schemas: Map<string, ObjectSchema>;
  full: Map<string, ObjectSchema>;
  visible: (object: string, alias: string, mode?: 'read' | 'write') => Sql | undefined;
}

export const MAX_PAGE = 500;
const INCLUDE_LIMIT = 100;
/** How many items of a section (the recent timeline) a record's view embeds. */
const SECTION_LIMIT = 20;

const and = (parts: (Sql | undefined)[]) =>
  sql.join(
    parts.filter((p): p is Sql => !!p),
    sql` and `,
  );

/**
 * Generic CRUD, list, trash and batch for every declared object. Every method takes
 * the caller (Actor) and their tenant transaction: authorisation (object, field and
 * record permissions) is applied here, for every object, so no route can skip it.
 */
export class RecordService {
  constructor(
    readonly registry: ObjectRegistry,
    readonly access: AccessService,
  ) {}

  /** The caller's view of `object`; 404 for unknown objects, 403 when the role may not do `action`. */
  async context(tx: Tx, actor: Actor, object: string, action?: ObjectAction): Promise<RecordContext> {
    const full = await loadSchemas(tx, this.registry);
    if (!full.has(object)) throw new AppError('route_not_found', `No object "${object}"`);
    const policy = await this.access.policy(tx, actor);
    if (action) policy.assert(object, action);
    const schemas = schemasForRole(full, policy, object);
    const visible = (name: string, alias: string, mode: 'read' | 'write' = 'read') => {
      const where = policy.object(name).where;
      const fullSchema = full.get(name);
      const rowFilter =
        where && fullSchema ? compileFilter(fullSchema, where, { schemas: full }, 'where', alias) : undefined;
      const scope = policy.scope(name, alias, mode);
      if (!scope && !rowFilter) return undefined;
      return sql`(${and([scope, rowFilter])})`;
    };
    return { policy, schema: schemas.get(object) as ObjectSchema, schemas, full, visible };
  }

  /**
   * The caller's context on one live record they may `action` (read: visible; update or
   * delete: writable, locked `for update`): 403 when the role may not, 404 when the record
   * is absent or out of their scope. For module operations on a record's children
   * (lines, contacts, history) or that change it in several steps.
   */
  async require(tx: Tx, actor: Actor, object: string, id: string, action: ObjectAction): Promise<RecordContext> {
    const ctx = await this.context(tx, actor, object, action);
    const mode = action === 'read' || action === 'export' ? 'read' : 'write';
    const row = await this.fetchRow(tx, ctx, id, [], mode);
    if (!row) throw notFound(ctx.schema.def.label);
    return ctx;
  }

  /**
   * The live records of `object` the caller may see (`read`) or change (`write`), as a
   * relation for a module's own joined or aggregate query:
   * `from ${records.scopedRelation(ctx, 'contacts')} c`. Permission SQL stays here.
   */
  scopedRelation(ctx: RecordContext, object: string, mode: 'read' | 'write' = 'read'): Sql {
    const schema = ctx.full.get(object);
    if (!schema) throw new Error(`scopedRelation: no object ${object}`);
    return sql`(select r.* from ${sql.table(`${schema.def.table}_scoped`)} r
      where ${and([sql`r.deleted_at is null`, ctx.visible(object, 'r', mode)])})`;
  }

  /** Ids among `ids` of live `object` records the caller can read. */
  async visibleIds(tx: Tx, ctx: RecordContext, object: string, ids: string[]): Promise<Set<string>> {
    if (ids.length === 0 || !ctx.policy.can(object, 'read') || !ctx.full.has(object)) return new Set();
    const { rows } = await sql<{ id: string }>`select t.id from ${this.scopedRelation(ctx, object)} t
      where t.id = any(${ids}::uuid[])`.execute(tx);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Which of `ids` the caller may read as the records are now, trashed ones included;
   * `'all'` when their role reaches every record of the object (no scope, no row rule),
   * even one deleted for good. For deciding who may see events about records
   * (platform/events/event-visibility.ts): an event outlives its record's trash.
   */
  async readableIdsInAnyState(tx: Tx, ctx: RecordContext, object: string, ids: string[]): Promise<Set<string> | 'all'> {
    const schema = ctx.full.get(object);
    if (!schema || !ctx.policy.can(object, 'read')) return new Set();
    const visible = ctx.visible(object, 't');
    if (!visible) return 'all';
    if (ids.length === 0) return new Set();
    const { rows } = await sql<{ id: string }>`
      select t.id from ${sql.table(schema.def.table)} t where t.id = any(${ids}::uuid[]) and ${visible}`.execute(tx);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Checks a filter tree against `object` as the caller's role sees it (hidden fields are
   * unknown fields), without running it: 422 naming the place (`filter.and.0.field`), 403
   * when the caller may not read the object. For modules that store filters (segments).
   */
  async checkFilter(tx: Tx, actor: Actor, object: string, filter: unknown, path = 'filter'): Promise<FilterNode> {
    const errors = checkFilterTree(filter, path).slice(0, 20);
    if (errors.length)
      throw new AppError('validation_failed', `Invalid filter: ${errors.map((e) => e.path).join(', ')}`, { errors });
    const ctx = await this.context(tx, actor, object, 'read');
    compileFilter(ctx.schema, filter as FilterNode, { schemas: ctx.schemas, visible: ctx.visible }, path);
    return filter as FilterNode;
  }

  /**
   * Which of `ids` (live records of `object`) meet each filter, as the system sees them
   * (every field, every record: no caller), in one query. For event consumers that
   * re-evaluate changed records against stored filters (segments); `tx` must have entered
   * the workspace. A filter that no longer compiles (a custom field removed) matches nothing.
   */
  async matchingIds(tx: Tx, object: string, filters: FilterNode[], ids: string[]): Promise<Set<string>[]> {
    const out = filters.map(() => new Set<string>());
    if (ids.length === 0 || filters.length === 0) return out;
    const full = await loadSchemas(tx, this.registry);
    const schema = full.get(object);
    if (!schema) return out;
    const conds = filters.map((f) => {
      try {
        return compileFilter(schema, f, { schemas: full });
      } catch {
        return sql`false`;
      }
    });
    const { rows } = await sql<{ id: string; m: boolean[] }>`
      select t.id, array[${sql.join(conds.map((c) => sql`coalesce(${c}, false)`))}] as m
      from ${sql.table(`${schema.def.table}_scoped`)} t
      where t.deleted_at is null and t.id = any(${ids}::uuid[])`.execute(tx);
    for (const r of rows) {
      r.m.forEach((hit, i) => {
        if (hit) out[i]?.add(r.id);
      });
    }
    return out;
  }

  /**
   * The ids of the live records of `object` that meet `filter`, as the system sees them
   * (no caller), as a SQL relation `(id)` for a module's own bulk statement (a segment's
   * membership baseline); null when the filter no longer compiles. `tx` must have entered
   * the workspace.
   */
  async matchRelation(tx: Tx, object: string, filter: FilterNode): Promise<Sql | null> {
    const full = await loadSchemas(tx, this.registry);
    const schema = full.get(object);
    if (!schema) return null;
    let cond: Sql;
    try {
      cond = compileFilter(schema, filter, { schemas: full });
    } catch {
      return null;
    }
    return sql`(select t.id from ${sql.table(`${schema.def.table}_scoped`)} t where t.deleted_at is null and ${cond})`;
  }

  async list(
    tx: Tx,
    actor: Actor,
    object: string,
    opts: ListOptions,
    action: ObjectAction = 'read',
  ): Promise<ListResult> {
    if (opts.offset && opts.cursor) {
      throw new AppError('validation_failed', 'Send either offset or cursor, not both', {
        errors: [{ path: 'offset', message: 'cannot be combined with cursor' }],
      });
    }
    const ctx = await this.context(tx, actor, object, action);
    const { schema } = ctx;
    const limit = opts.limit ?? 50;
    const fields = resolveFields(schema, opts.fields);
    const where: (Sql | undefined)[] = [opts.trashed ? sql`t.deleted_at is not null` : sql`t.deleted_at is null`];
    where.push(ctx.visible(object, 't', opts.trashed ? 'write' : 'read'));
    const distance: DistanceSlot = {};
    if (opts.filter)
      where.push(compileFilter(schema, opts.filter, { schemas: ctx.schemas, visible: ctx.visible, distance }));
    if (opts.within) where.push(sql`t.id in (${opts.within})`);
    const keys = resolveSort(schema, opts.sort, distance.sql);
    const filterOnly = and(where);
    if (opts.cursor) where.push(afterCursor(keys, opts.cursor));
    const view = sql.table(`${schema.def.table}_scoped`);
    // With a near / within on the record's own address, the page's ids are found first: the
    // candidates are tested and sorted from the band index alone (an index-only scan when
    // the sort and the caller's scope need only what it holds: migration 0058), and only the
    // page's rows are read. A single query would read every candidate's row from the table.
    const pageSql = sql`order by ${orderBy(keys)} limit ${limit + 1} offset ${opts.offset ?? 0}`;
    const { rows } = await sql<Record<string, unknown>>`
      select ${selectColumns(schema, fields)}, ${sql.join(sortKeySelect(keys))}${distance.sql ? sql`, ${distance.sql} as _distance_km` : sql``}
      from ${view} t
      ${
        distance.indexed
          ? sql`where t.id in (select t.id from ${view} t where ${and(where)} ${pageSql}) order by ${orderBy(keys)}`
          : sql`where ${and(where)} ${pageSql}`
      }`.execute(tx);
    const hasMore = rows.length > limit;
    const page = hasMore ? rows.slice(0, limit) : rows;
    const data = page.map((r) => {
      const record = presentRow(schema, r, fields);
      // With a near filter, each record carries its distance to the filter's point.
      if (distance.sql) record.distanceKm = r._distance_km == null ? null : Number(r._distance_km);
      return record;
    });
    if (opts.include?.length) await this.embed(tx, ctx, schema, data, opts.include, actor, false);
    await this.auditSensitiveReads(tx, actor, schema, data);
    const last = page[page.length - 1];
    const result: ListResult = {
      data,
      page: { nextCursor: hasMore && last ? encodeCursor(keys, last) : null, hasMore },
    };
    if (opts.count)
      result.total = await countWithRoom(tx, sql`select count(*) as n from ${view} t where ${filterOnly}`);
    return result;
  }

  async get(
    tx: Tx,
    actor: Actor,
    object: string,
    id: string,
    opts: { fields?: string; include?: string[] } = {},
  ): Promise<RecordData> {
    return (await this.view(tx, actor, object, id, opts)).data;
  }

  /**
   * One record with its includes and, per included list or section, how many there are
   * in all (an embedded list stops at 100): the single customer view in one call.
   */
  async view(
    tx: Tx,
    actor: Actor,
    object: string,
    id: string,
    opts: { fields?: string; include?: string[] } = {},
  ): Promise<{ data: RecordData; counts: Record<string, number> }> {
    const ctx = await this.context(tx, actor, object, 'read');
    const fields = resolveFields(ctx.schema, opts.fields);
    const row = await this.fetchRow(tx, ctx, id, fields, 'read');
    if (!row) throw notFound(ctx.schema.def.label);
    const data = presentRow(ctx.schema, row, fields);
    const counts: Record<string, number> = {};
    if (opts.include?.length) {
      const perRecord = await this.embed(tx, ctx, ctx.schema, [data], opts.include, actor, true);
      Object.assign(counts, perRecord.get(data.id as string) ?? {});
    }
    await this.auditSensitiveReads(tx, actor, ctx.schema, [data]);
    return { data, counts };
  }

  /** A live record the caller can see (read) or change (write), with `for update` on writes. */
  private async fetchRow(
    tx: Tx,
    ctx: RecordContext,
    id: string,
    fields: string[] | undefined,
    mode: 'read' | 'write',
    columnsOf: ObjectSchema = ctx.schema,
    where?: Sql,
  ) {
    const { schema } = ctx;
    const { rows } = await sql<Record<string, unknown>>`
      select ${selectColumns(columnsOf, fields)} from ${sql.table(mode === 'write' ? schema.def.table : `${schema.def.table}_scoped`)} t
      where ${and([sql`t.id = ${id}::uuid`, sql`t.deleted_at is null`, ctx.visible(schema.def.name, 't', mode), where])}
      ${mode === 'write' ? sql`for update` : sql``}`.execute(tx);
    return rows[0];
  }

  /** Reads of records holding personal data the role can see leave a trace. */
  private async auditSensitiveReads(tx: Tx, actor: Actor, schema: ObjectSchema, records: RecordData[]): Promise<void> {
    const sensitive = schema
      .fields()
      .filter((f) => f.def.sensitive)
      .map((f) => f.def.name);
    if (sensitive.length === 0) return;
    const ids = records.filter((r) => sensitive.some((f) => r[f] != null)).map((r) => r.id as string);
    if (ids.length === 0) return;
    await audit(tx, actor, {
      action: 'record.sensitive_read',
      object: schema.def.name,
      recordId: ids.length === 1 ? ids[0] : undefined,
      detail: { fields: sensitive, recordIds: ids.slice(0, 500) },
    });
  }

  /**
   * Attaches related records the caller may read: to-one relations, inverse lists (at most
   * 100 per record, in the list's order), `owner` and, on one record, registered sections
   * (the timeline). Returns per record id how many records each inverse list and section has.
   */
  private async embed(
    tx: Tx,
    ctx: RecordContext,
    schema: ObjectSchema,
    records: RecordData[],
    include: string[],
    actor: Actor,
    single: boolean,
  ): Promise<Map<string, Record<string, number>>> {
    const counts = new Map<string, Record<string, number>>(records.map((r) => [r.id as string, {}]));
    for (const name of include) {
      if (name === 'owner') {
        const ids = [...new Set(records.map((r) => r.ownerId).filter((v): v is string => typeof v === 'string'))];
        const { rows } = ids.length
          ? await sql<{ id: string; name: string; email: string }>`
              select id, name, email from users where id = any(${ids}::uuid[])`.execute(tx)
          : { rows: [] };
        const byId = new Map(rows.map((u) => [u.id, u]));
        for (const r of records) r.owner = byId.get(r.ownerId as string) ?? null;
        continue;
      }
      const rel = schema.toOneRelation(name);
      if (rel?.def.relation) {
        const targetName = rel.def.relation.object;
        const target = ctx.schemas.get(targetName) as ObjectSchema;
        const ids = [...new Set(records.map((r) => r[rel.def.name]).filter((v): v is string => typeof v === 'string'))];
        const { rows } =
          ids.length && ctx.policy.can(targetName, 'read')
            ? await sql<Record<string, unknown>>`
                select ${selectColumns(target, undefined)} from ${sql.table(`${target.def.table}_scoped`)} t
                where ${and([sql`t.id = any(${ids}::uuid[])`, sql`t.deleted_at is null`, ctx.visible(targetName, 't')])}`.execute(
                tx,
              )
            : { rows: [] };
        const byId = new Map(rows.map((row) => [row.id as string, presentRow(target, row)]));
        for (const r of records) r[name] = byId.get(r[rel.def.name] as string) ?? null;
        continue;
      }
      const inverse = schema.def.inverse?.find((i) => i.name === name);
      if (inverse) {
        await this.embedInverse(tx, ctx, schema, records, inverse, counts);
        continue;
      }
      const section = recordSection(schema.def.name, name);
      if (section) {
        if (!single || records.length !== 1) {
          throw new AppError('validation_failed', `"${name}" can be included only when reading one record`, {
            errors: [{ path: 'include', message: `"${name}" is included only by GET /${schema.def.name}/{id}` }],
          });
        }
        const r = records[0] as RecordData;
        const loaded = await section.load(
          tx,
          { records: this, actor },
          { object: schema.def.name, id: r.id as string },
          SECTION_LIMIT,
        );
        r[name] = loaded.items;
        (counts.get(r.id as string) as Record<string, number>)[name] = loaded.count;
        continue;
      }
      const allowed = [
        'owner',
        ...schema
          .fields()
          .filter((f) => f.def.relation?.cardinality === 'one')
          .map((f) => f.def.name.replace(/Id$/, '')),
        ...(schema.def.inverse ?? []).map((i) => i.name),
        ...recordSections(schema.def.name).map((s) => s.name),
      ];
      throw new AppError('validation_failed', `Cannot include "${name}"`, {
        errors: [{ path: 'include', message: `unknown relation "${name}"; one of: ${allowed.join(', ')}` }],
      });
    }
    return counts;
  }

  /**
   * An inverse list per record: the records of the other object the caller may read that
   * point here (through `via`, or their relatedObject + relatedId), in the list's order,
   * at most INCLUDE_LIMIT each, and how many there are in all.
   */
  private async embedInverse(
    tx: Tx,
    ctx: RecordContext,
    schema: ObjectSchema,
    records: RecordData[],
    inverse: InverseRelation,
    counts: Map<string, Record<string, number>>,
  ): Promise<void> {
    const { name } = inverse;
    const target = ctx.schemas.get(inverse.object);
    const ids = records.map((r) => r.id as string);
    if (!target || !ctx.policy.can(inverse.object, 'read') || ids.length === 0) {
      for (const r of records) {
        r[name] = [];
        (counts.get(r.id as string) as Record<string, number>)[name] = 0;
      }
      return;
    }
    const links: Sql[] = [];
    if (inverse.via) links.push(sql`t.${sql.ref(columnName(inverse.via))} = p.id`);
    if (inverse.related) links.push(sql`(t.related_object = ${schema.def.name} and t.related_id = p.id::text)`);
    const match = and([
      sql`(${sql.join(links, sql` or `)})`,
      sql`t.deleted_at is null`,
      ctx.visible(inverse.object, 't'),
    ]);
    let keys: SortKey[];
    try {
      keys = resolveSort(target, inverse.sort);
    } catch {
      keys = resolveSort(target, '-createdAt'); // the sort field is hidden from this role
    }
    const view = sql.table(`${target.def.table}_scoped`);
    const parents = sql`unnest(${ids}::uuid[]) as p(id)`;
    const { rows } = await sql<Record<string, unknown>>`
      select p.id as _parent, x.* from ${parents}
      cross join lateral (
        select ${selectColumns(target, undefined)} from ${view} t where ${match}
        order by ${orderBy(keys)} limit ${INCLUDE_LIMIT}) x`.execute(tx);
    const { rows: totals } = await sql<{ parent: string; n: number }>`
      select p.id as parent, count(t.id)::int as n from ${parents} join ${view} t on ${match} group by p.id`.execute(
      tx,
    );
    const totalOf = new Map(totals.map((t) => [t.parent, Number(t.n)]));
    for (const r of records) {
      r[name] = rows.filter((row) => row._parent === r.id).map((row) => presentRow(target, row));
      (counts.get(r.id as string) as Record<string, number>)[name] = totalOf.get(r.id as string) ?? 0;
    }
  }

  /**
   * Checks relations and custom user fields point at live records of this workspace
   * that the caller can see (a record out of their scope is as good as absent).
   */
  async checkReferences(
    tx: Tx,
    ctx: RecordContext,
    inputs: { input: ValidatedInput; prefix: string }[],
  ): Promise<void> {
    const { schema } = ctx;
    const wanted = new Map<string, Set<string>>(); // object (or "users") → ids
    const uses: { input: ValidatedInput; path: string; object: string; ids: string[] }[] = [];
    const add = (input: ValidatedInput, path: string, object: string, value: unknown) => {
      const ids = (Array.isArray(value) ? value : [value]).map(String);
      uses.push({ input, path, object, ids });
      const set = wanted.get(object) ?? new Set<string>();
      for (const id of ids) set.add(id);
      wanted.set(object, set);
    };
    for (const { input, prefix } of inputs) {
      for (const [field, value] of input.builtin) {
        if (value == null) continue;
        if (field.type === 'relation' && field.relation)
          add(input, `${prefix}${field.name}`, field.relation.object, value);
        if (field.type === 'user')
          add(input, `${prefix}${field.name}`, field.name === 'teamId' ? 'teams' : 'users', value);
      }
      if (schema.def.references) {
        const values = Object.fromEntries([...input.builtin].map(([f, v]) => [f.name, v]));
        for (const r of schema.def.references(values)) {
          if (r.object === 'users' || ctx.full.has(r.object)) add(input, `${prefix}${r.path}`, r.object, r.ids);
          else input.errors.push({ path: `${prefix}${r.path}`, message: 'is not an object of this workspace' });
        }
      }
      for (const [name, value] of Object.entries(input.custom)) {
        const f = schema.field(name)?.def;
        if (value == null || !f) continue;
        if (f.type === 'user') add(input, `${prefix}${name}`, 'users', value);
        if (f.type === 'relation' && f.relation) add(input, `${prefix}${name}`, f.relation.object, value);
      }
    }
    const found = new Map<string, Set<string>>();
    for (const [object, ids] of wanted) {
      const list = [...ids];
      let rows: { id: string }[];
      if (object === 'users') {
        rows = (
          await sql<{
            id: string;
          }>`select user_id as id from workspace_members where user_id = any(${list}::uuid[])`.execute(tx)
        ).rows;
      } else if (object === 'teams') {
        rows = (await sql<{ id: string }>`select id from teams where id = any(${list}::uuid[])`.execute(tx)).rows;
      } else {
        const target = ctx.full.get(object) as ObjectSchema;
        rows = ctx.policy.can(object, 'read')
          ? (
              await sql<{ id: string }>`select t.id from ${sql.table(`${target.def.table}_scoped`)} t
                where ${and([sql`t.id = any(${list}::uuid[])`, sql`t.deleted_at is null`, ctx.visible(object, 't')])}`.execute(
                tx,
              )
            ).rows
          : [];
      }
      found.set(object, new Set(rows.map((r) => r.id)));
    }
    for (const u of uses) {
      const ok = found.get(u.object);
      if (u.ids.every((id) => ok?.has(id))) continue;
      u.input.errors.push({
        path: u.path,
        message:
          u.object === 'users'
            ? 'is not a member of this workspace'
            : u.object === 'teams'
              ? 'is not a team of this workspace'
              : 'points to a record that does not exist',
      });
    }
  }

  /** Column → value for the built-in fields of a validated input. */
  private columnsOf(table: string, input: ValidatedInput, asJson = false): Record<string, unknown> {
    const cols: Record<string, unknown> = {};
    for (const [field, value] of input.builtin) Object.assign(cols, toColumns(field, value, asJson, table));
    return cols;
  }

  private async validated(tx: Tx, actor: Actor, object: string, body: unknown, mode: 'create' | 'update') {
    const ctx = await this.context(tx, actor, object, mode);
    const input = validateInput(ctx.schema, body, mode);
    if (input.errors.length === 0) await this.checkReferences(tx, ctx, [{ input, prefix: '' }]);
    if (input.errors.length) {
      throw new AppError(
        'validation_failed',
        `Invalid ${ctx.schema.def.singular}: ${input.errors.map((e) => e.path).join(', ')}`,
        {
          errors: input.errors,
        },
      );
    }
    return { ctx, input };
  }

  /**
   * The object's beforeWrite rule: refuses the write (422) or adds derived fields to
   * the input. `before` is the stored row (every column).
   */
  async beforeWrite(
    tx: Tx,
    actor: Actor,
    ctx: RecordContext,
    input: ValidatedInput,
    before: Record<string, unknown> | null,
    pathPrefix = '',
    system = false,
  ): Promise<void> {
    const def = ctx.schema.def;
    if (!def.beforeWrite) return;
    const full = this.fullSchema(ctx, def.name);
    const changes: RecordData = { ...input.custom };
    for (const [f, v] of input.builtin) changes[f.name] = v;
    const result = await def.beforeWrite(tx, {
      actor,
      records: this,
      mode: before ? 'update' : 'create',
      before: before ? presentRow(full, before) : null,
      changes,
      pathPrefix,
      system,
    });
    if (result?.errors?.length) input.errors.push(...result.errors);
    for (const [name, value] of Object.entries(result?.set ?? {})) {
      const f = full.field(name);
      if (!f) throw new Error(`${def.name}.beforeWrite set an unknown field ${name}`);
      if (f.custom) input.custom[name] = value;
      else {
        for (const k of input.builtin.keys()) if (k.name === name) input.builtin.delete(k);
        input.builtin.set(f.def, value);
      }
    }
  }

  private refuseInvalid(ctx: RecordContext, input: ValidatedInput): void {
    if (input.errors.length === 0) return;
    throw new AppError(
      'validation_failed',
      `Invalid ${ctx.schema.def.singular}: ${input.errors.map((e) => e.path).join(', ')}`,
      { errors: input.errors },
    );
  }

  async create(tx: Tx, actor: Actor, object: string, body: unknown): Promise<RecordData> {
    const { ctx, input } = await this.validated(tx, actor, object, body, 'create');
    const { schema } = ctx;
    await this.beforeWrite(tx, actor, ctx, input, null);
    this.refuseInvalid(ctx, input);
    const cols = this.columnsOf(schema.def.table, input);
    if (!('owner_id' in cols) && actor.userId) cols.owner_id = actor.userId;
    const id = uuidv7();
    const all: Record<string, unknown> = {
      workspace_id: actor.workspaceId,
      id,
      ...cols,
      custom: JSON.stringify(sealCustom(schema, input.custom)),
      created_by: actor.userId,
      updated_by: actor.userId,
    };
    const names = Object.keys(all);
    const fullSchema = this.fullSchema(ctx, object);
    let created: RecordData;
    let record: RecordData;
    try {
      const { rows } = await sql<Record<string, unknown>>`
        insert into ${sql.table(schema.def.table)} as t (${sql.join(names.map((n) => sql.ref(n)))})
        values (${sql.join(names.map((n) => sql`${all[n]}`))})
        returning ${selectColumns(fullSchema, undefined)}`.execute(tx);
      created = presentRow(schema, rows[0] as Record<string, unknown>);
      record = presentRow(fullSchema, rows[0] as Record<string, unknown>);
    } catch (err) {
      mapWriteError(err, schema);
    }
    await audit(tx, actor, {
      action: 'record.created',
      object,
      recordId: id,
      changes: redactSensitive(schema, diff({}, created)),
    });
    await this.emit(tx, actor, ctx, 'created', id, { record });
    if (schema.def.afterWrite)
      await schema.def.afterWrite(tx, { actor, records: this, mode: 'create', before: null, after: record });
    return created;
  }

  /** Partial update; with `ifMatch` (a version) a stale version gets 412 and changes nothing. */
  async update(tx: Tx, actor: Actor, object: string, id: string, body: unknown, ifMatch?: number): Promise<RecordData> {
    const { ctx, input } = await this.validated(tx, actor, object, body, 'update');
    const written = await this.applyUpdate(tx, actor, ctx, id, input, { ifMatch });
    return written.after;
  }

  /**
   * A change the system makes to a record (lead conversion, a consumer keeping a derived
   * field, a module touching a parent after changing its children): no permission check
   * and read-only fields may be set, but everything else is a user write's — field
   * validation and the object's rules (told `system: true`), beforeWrite, version bump,
   * audit row, `<object>.updated` event and afterWrite. `where` (on alias `t`) makes the
   * write conditional: null when the record is absent, trashed or does not match.
   * `extraChanges` are changes kept outside the record's columns (e.g. its contact list),
   * added to the audit row and the event.
   */
  async systemWrite(
    tx: Tx,
    actor: Actor,
    object: string,
    id: string,
    changes: RecordData,
    opts: { where?: Sql; detail?: Record<string, unknown>; extraChanges?: Record<string, [unknown, unknown]> } = {},
  ): Promise<RecordData | null> {
    const full = await loadSchemas(tx, this.registry);
    const schema = full.get(object);
    if (!schema) throw new AppError('route_not_found', `No object "${object}"`);
    const policy = new AccessPolicy(actor, STANDARD_PERMISSIONS.administrator, []);
    const ctx: RecordContext = { policy, schema, schemas: full, full, visible: () => undefined };
    const input = validateInput(schema, changes, 'update', '', { system: true });
    this.refuseInvalid(ctx, input);
    const written = await this.applyUpdate(tx, actor, ctx, id, input, { system: true, ...opts });
    return written?.record ?? null;
  }

  private async applyUpdate(
    tx: Tx,
    actor: Actor,
    ctx: RecordContext,
    id: string,
    input: ValidatedInput,
    opts: { ifMatch?: number },
  ): Promise<{ after: RecordData; record: RecordData }>;
  private async applyUpdate(
    tx: Tx,
    actor: Actor,
    ctx: RecordContext,
    id: string,
    input: ValidatedInput,
    opts: {
      system: true;
      where?: Sql;
      detail?: Record<string, unknown>;
      extraChanges?: Record<string, [unknown, unknown]>;
    },
  ): Promise<{ after: RecordData; record: RecordData } | null>;
  private async applyUpdate(
    tx: Tx,
    actor: Actor,
    ctx: RecordContext,
    id: string,
    input: ValidatedInput,
    opts: {
      ifMatch?: number;
      system?: boolean;
      where?: Sql;
      detail?: Record<string, unknown>;
      extraChanges?: Record<string, [unknown, unknown]>;
    },
  ): Promise<{ after: RecordData; record: RecordData } | null> {
    const { schema } = ctx;
    const object = schema.def.name;
    const fullSchema = this.fullSchema(ctx, object);
    const before = await this.fetchRow(tx, ctx, id, undefined, 'write', fullSchema, opts.where);
    if (!before) {
      if (opts.system) return null;
      return this.missingOrStale(tx, ctx, id);
    }
    if (opts.ifMatch !== undefined && before.version !== opts.ifMatch) return this.missingOrStale(tx, ctx, id);
    await this.beforeWrite(tx, actor, ctx, input, before, '', opts.system);
    this.refuseInvalid(ctx, input);
    const cols = this.columnsOf(schema.def.table, input);
    const sets: Sql[] = Object.entries(cols).map(([c, v]) => sql`${sql.ref(c)} = ${v}`);
    if (Object.keys(input.custom).length) {
      sets.push(
        sql`custom = jsonb_strip_nulls(t.custom || ${JSON.stringify(sealCustom(schema, input.custom))}::jsonb)`,
      );
    }
    sets.push(sql`version = t.version + 1`, sql`updated_at = now()`);
    // A system write without a user (a consumer, a schedule) leaves the last editor as it was.
    if (!opts.system || actor.userId) sets.push(sql`updated_by = ${actor.userId}`);
    let after: RecordData;
    let record: RecordData;
    try {
      const { rows } = await sql<Record<string, unknown>>`
        update ${sql.table(schema.def.table)} as t set ${sql.join(sets)}
        where t.id = ${id}::uuid and t.deleted_at is null
        returning ${selectColumns(fullSchema, undefined)}`.execute(tx);
      if (!rows[0]) {
        if (opts.system) return null;
        return this.missingOrStale(tx, ctx, id);
      }
      after = presentRow(schema, rows[0]);
      record = presentRow(fullSchema, rows[0]);
    } catch (err) {
      mapWriteError(err, schema);
    }
    const ignore = ['version', 'updatedAt', 'updatedBy'];
    const changes = redactSensitive(schema, {
      ...diff(presentRow(schema, before), after, ignore),
      ...opts.extraChanges,
    });
    await audit(tx, actor, { action: 'record.updated', object, recordId: id, changes, detail: opts.detail });
    const beforeRecord = presentRow(fullSchema, before);
    const allChanges = { ...diff(beforeRecord, record, ignore), ...opts.extraChanges };
    if (Object.keys(allChanges).length) await this.emit(tx, actor, ctx, 'updated', id, { record, changes: allChanges });
    if (schema.def.afterWrite)
      await schema.def.afterWrite(tx, { actor, records: this, mode: 'update', before: beforeRecord, after: record });
    return { after, record };
  }

  private async missingOrStale(tx: Tx, ctx: RecordContext, id: string): Promise<never> {
    const exists = await this.fetchRow(tx, ctx, id, [], 'write');
    if (exists) {
      throw new AppError(
        'precondition_failed',
        `This ${ctx.schema.def.singular} was changed by someone else (now version ${exists.version}); reload it and retry`,
      );
    }
    throw notFound(ctx.schema.def.label);
  }

  /** Moves a record to the trash (restorable). */
  async trash(tx: Tx, actor: Actor, object: string, id: string, ifMatch?: number): Promise<void> {
    const ctx = await this.context(tx, actor, object, 'delete');
    const { rows } = await sql`
      update ${sql.table(ctx.schema.def.table)} as t
      set deleted_at = now(), version = t.version + 1, updated_at = now(), updated_by = ${actor.userId}
      where ${and([
        sql`t.id = ${id}::uuid`,
        sql`t.deleted_at is null`,
        ifMatch === undefined ? undefined : sql`t.version = ${ifMatch}`,
        ctx.visible(object, 't', 'write'),
      ])}
      returning t.id`.execute(tx);
    if (rows.length === 0) await this.missingOrStale(tx, ctx, id);
    await audit(tx, actor, { action: 'record.trashed', object, recordId: id });
    await this.emit(tx, actor, ctx, 'deleted', id, {});
  }

  async restore(tx: Tx, actor: Actor, object: string, id: string): Promise<RecordData> {
    const ctx = await this.context(tx, actor, object, 'delete');
    try {
      const { rows } = await sql<Record<string, unknown>>`
        update ${sql.table(ctx.schema.def.table)} as t
        set deleted_at = null, version = t.version + 1, updated_at = now(), updated_by = ${actor.userId}
        where ${and([sql`t.id = ${id}::uuid`, sql`t.deleted_at is not null`, ctx.visible(object, 't', 'write')])}
        returning ${selectColumns(this.fullSchema(ctx, object), undefined)}`.execute(tx);
      if (!rows[0]) throw new AppError('not_found', `No ${ctx.schema.def.singular} with this id in the trash`);
      await audit(tx, actor, { action: 'record.restored', object, recordId: id });
      await this.emit(tx, actor, ctx, 'restored', id, { record: presentRow(this.fullSchema(ctx, object), rows[0]) });
      return presentRow(ctx.schema, rows[0]);
    } catch (err) {
      if (err instanceof AppError) throw err;
      mapWriteError(err, ctx.schema);
    }
  }

  /** Deletes for good (live or trashed). Related records keep existing; their links are cleared. */
  async purge(tx: Tx, actor: Actor, object: string, id: string): Promise<void> {
    const ctx = await this.context(tx, actor, object, 'delete');
    if (!ctx.policy.admin) throw new AppError('forbidden', 'Only administrators delete records for good');
    const { rows } = await sql`delete from ${sql.table(ctx.schema.def.table)} t
      where ${and([sql`t.id = ${id}::uuid`, ctx.visible(object, 't', 'write')])} returning id`.execute(tx);
    if (rows.length === 0) throw notFound(ctx.schema.def.label);
    // Built-in links are cleared by their foreign keys; custom relation fields here.
    for (const other of ctx.full.values()) {
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
    await audit(tx, actor, { action: 'record.purged', object, recordId: id });
    await this.emit(tx, actor, ctx, 'purged', id, {});
  }

  /**
   * Re-points every link to `loserId` (relations, child tables, polymorphic links, shares)
   * to `survivorId`, both records of `ctx`'s object (see relink.ts); the caller has checked
   * access to both (require). Returns the links moved per `table.column`.
   */
  relink(
    tx: Tx,
    actor: Actor,
    ctx: RecordContext,
    loserId: string,
    survivorId: string,
    opts: { polymorphic?: PolymorphicTable[] } = {},
  ): Promise<Record<string, number>> {
    return relinkRecord(tx, actor, ctx, loserId, survivorId, opts);
  }

  /** A whole record (as systemWrite returns it) as the caller may see it: hidden fields left out. */
  presentFor(ctx: RecordContext, record: RecordData): RecordData {
    return Object.fromEntries(Object.entries(record).filter(([name]) => ctx.schema.field(name)));
  }

  /** The object's schema with every field (events carry whole records; consumers restrict per reader). */
  fullSchema(ctx: RecordContext, object: string): ObjectSchema {
    return ctx.full.get(object) as ObjectSchema;
  }

  /**
   * The record's event (`contact.created` …) in the same transaction as the change, encrypted
   * fields' values redacted (redactEventData).
   */
  private async emit(
    tx: Tx,
    actor: Actor,
    ctx: RecordContext,
    action: 'created' | 'updated' | 'deleted' | 'restored' | 'purged',
    id: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    const { def } = ctx.schema;
    const redacted = redactEventData(this.fullSchema(ctx, def.name), data);
    await emitEvent(tx, actor, { type: `${eventName(def)}.${action}`, object: def.name, recordId: id, data: redacted });
  }

  /** Columns a batch row may carry, with their SQL types, for jsonb_to_recordset. */
  static recordsetColumns(schema: ObjectSchema, names: string[]): Sql {
    const types = new Map<string, string>([
      ['id', 'uuid'],
      ['owner_id', 'uuid'],
      ['team_id', 'uuid'],
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

/** Field → [from, to] for what differs between two presentations of a record. */
export function diff(before: RecordData, after: RecordData, ignore: string[] = []): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (ignore.includes(key)) continue;
    const a = before[key] ?? null;
    const b = after[key] ?? null;
    if (JSON.stringify(a) !== JSON.stringify(b)) out[key] = [a, b];
  }
  return out;
}

export { sql };

/** The object's name in event types: `contact` in `contact.created` (singular, snake_case). */
export function eventName(def: { singular: string }): string {
  return def.singular.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

/**
 * Memory for a count's bitmaps. A filtered count over a large table ANDs the bitmaps of
 * several indexes (a segment's country and tag) and then visits the heap pages they leave;
 * with the default 4 MB a bitmap over a million rows goes lossy (whole pages instead of
 * rows), and every row on those pages is read and rechecked. 32 MB keeps the bitmaps of a
 * table of some 3 GB exact; set for the count's statement only.
 */
const COUNT_WORK_MEM = '32MB';

/**
 * Runs `count` with COUNT_WORK_MEM, set for the session and put back after (withWorkMem): a
 * list read through `tenantRead` runs outside a transaction, where `set_config(…, true)` ended
 * with its own statement, so until 2026-12-07 the count ran at the default (at 1,000,000
 * contacts: 33,025 lossy pages and 613 ms, against 282 ms exact). Exported for its test.
 */
export async function countWithRoom(tx: Tx, count: Sql): Promise<number> {
  const c = await withWorkMem(tx, COUNT_WORK_MEM, () => sql<{ n: string }>`${count}`.execute(tx));
  return Number(c.rows[0]?.n ?? 0);
}
