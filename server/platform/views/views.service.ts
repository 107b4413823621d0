import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TSavedView } from '../../../common/contracts/views';
import { type FilterNode, parseSort } from '../../../common/filter';
import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';
import { isPgError } from '../db/pg-errors';
import { AppError, type FieldError, notFound } from '../http/errors';
import type { ObjectSchema } from '../records/object-schema';
import { compileFilter, resolveSort } from '../records/query';
import type { RecordContext, RecordService } from '../records/records.service';
import type { FieldDef } from '../records/types';

export type ViewKind = 'list' | 'board';

/** A saved view as the API presents it, with what the caller may do with it. */
export type SavedView = TSavedView;

export interface ViewInput {
  object?: string;
  name?: string;
  shared?: boolean;
  kind?: ViewKind;
  filter?: FilterNode | null;
  sort?: string | null;
  columns?: string[] | null;
  groupBy?: string | null;
  sumField?: string | null;
}

interface ViewRow {
  id: string;
  object: string;
  name: string;
  owner_id: string;
  shared: boolean;
  kind: ViewKind;
  filter: FilterNode | null;
  sort: string | null;
  columns: string[] | null;
  group_by: string | null;
  sum_field: string | null;
  created_at: Date;
  updated_at: Date;
}

/** Field types a board can total (money is summed per currency). */
export const SUMMABLE_TYPES = new Set(['money', 'integer', 'decimal', 'percent']);

const COLUMNS = sql`id, object, name, owner_id, shared, kind, filter, sort, columns, group_by, sum_field, created_at, updated_at`;

/**
 * Saved list and board views. A view belongs to a user; shared views are seen by the
 * whole workspace but changed only by their owner or an administrator. Everything a
 * view names (filter fields, sort, columns, group-by and sum fields) is checked
 * against the object as the caller's role sees it, so a hidden field cannot be saved.
 */
export class ViewService {
  constructor(private readonly records: RecordService) {}

  /** The caller's own views of `object` and the shared ones, by name. */
  async list(tx: Tx, actor: Actor, object: string): Promise<SavedView[]> {
    const ctx = await this.records.context(tx, actor, object, 'read');
    const { rows } = await sql<ViewRow>`
      select ${COLUMNS} from saved_views
      where object = ${object} and (shared or owner_id = ${actor.userId}::uuid)
      order by lower(name), id`.execute(tx);
    return rows.map((r) => present(r, actor, ctx));
  }

  async get(tx: Tx, actor: Actor, id: string): Promise<SavedView> {
    const row = await this.visibleRow(tx, actor, id);
    const ctx = await this.records.context(tx, actor, row.object, 'read');
    return present(row, actor, ctx);
  }

  async create(tx: Tx, actor: Actor, input: ViewInput): Promise<SavedView> {
    const userId = ownerOf(actor);
    const object = input.object as string;
    const ctx = await this.records.context(tx, actor, object, 'read');
    const view = normalise({ kind: 'list', shared: false, ...input });
    check(ctx, view);
    const id = uuidv7();
    const { rows } = await sql<ViewRow>`
      insert into saved_views (workspace_id, id, object, name, owner_id, shared, kind, filter, sort, columns, group_by, sum_field)
      values (${actor.workspaceId}::uuid, ${id}::uuid, ${object}, ${view.name}, ${userId}::uuid, ${view.shared ?? false},
        ${view.kind ?? 'list'}, ${json(view.filter)}::jsonb, ${view.sort ?? null}, ${json(view.columns)}::jsonb,
        ${view.groupBy ?? null}, ${view.sumField ?? null})
      on conflict do nothing
      returning ${COLUMNS}`.execute(tx);
    if (!rows[0]) throw duplicateName();
    return present(rows[0], actor, ctx);
  }

  /** Changes the given properties; the rest stay. Only the owner (or an administrator, for shared views). */
  async update(tx: Tx, actor: Actor, id: string, input: ViewInput): Promise<SavedView> {
    const row = await this.visibleRow(tx, actor, id, true);
    const ctx = await this.records.context(tx, actor, row.object, 'read');
    assertMayChange(row, actor, ctx);
    if (input.object !== undefined && input.object !== row.object) {
      throw new AppError('validation_failed', 'A view cannot move to another object', {
        errors: [{ path: 'object', message: 'cannot be changed' }],
      });
    }
    const next = normalise({
      name: row.name,
      shared: row.shared,
      kind: row.kind,
      filter: row.filter,
      sort: row.sort,
      columns: row.columns,
      groupBy: row.group_by,
      sumField: row.sum_field,
      ...stripUndefined(input),
    });
    // Only what the caller sends is checked against their metadata: a shared view may name a field
    // an administrator sees and the caller does not, and renaming it must not fail on that field.
    check(ctx, next, new Set(Object.keys(stripUndefined(input))));
    if (next.shared && !row.shared && row.owner_id !== actor.userId) {
      throw new AppError('forbidden', 'Only the owner of a private view may share it');
    }
    const { rows } = await uniqueName(
      sql<ViewRow>`
      update saved_views set name = ${next.name}, shared = ${next.shared ?? false}, kind = ${next.kind ?? 'list'},
        filter = ${json(next.filter)}::jsonb, sort = ${next.sort ?? null}, columns = ${json(next.columns)}::jsonb,
        group_by = ${next.groupBy ?? null}, sum_field = ${next.sumField ?? null}, updated_at = now()
      where id = ${id}::uuid
        and not exists (select 1 from saved_views o where o.id <> ${id}::uuid and o.object = ${row.object}
          and o.owner_id = ${row.owner_id}::uuid and lower(o.name) = lower(${next.name ?? ''}))
      returning ${COLUMNS}`.execute(tx),
    );
    if (!rows[0]) throw duplicateName();
    return present(rows[0], actor, ctx);
  }

  async delete(tx: Tx, actor: Actor, id: string): Promise<void> {
    const row = await this.visibleRow(tx, actor, id, true);
    const ctx = await this.records.context(tx, actor, row.object, 'read');
    assertMayChange(row, actor, ctx);
    await sql`delete from saved_views where id = ${id}::uuid`.execute(tx);
  }

  /** A view the caller may see (their own or a shared one), else 404 — never confirm another's private view. */
  private async visibleRow(tx: Tx, actor: Actor, id: string, lock = false): Promise<ViewRow> {
    const { rows } = await sql<ViewRow>`
      select ${COLUMNS} from saved_views
      where id = ${id}::uuid and (shared or owner_id = ${actor.userId}::uuid)
      ${lock ? sql`for update` : sql``}`.execute(tx);
    if (!rows[0]) throw notFound('View');
    return rows[0];
  }
}

function ownerOf(actor: Actor): string {
  if (!actor.userId) throw new AppError('forbidden', 'Saved views belong to a user; this API key has none');
  return actor.userId;
}

function assertMayChange(row: ViewRow, actor: Actor, ctx: RecordContext): void {
  if (row.owner_id === actor.userId) return;
  if (ctx.policy.admin) return;
  throw new AppError('forbidden', 'Only the owner of a shared view or an administrator may change it');
}

const duplicateName = () =>
  new AppError('already_exists', 'You already have a view with this name for this object', {
    errors: [{ path: 'name', message: 'already used by another of your views' }],
  });

/** A race on the unique name index (two saves at once) is the same 409 as the checked case. */
async function uniqueName<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (isPgError(err, 'uniqueViolation')) throw duplicateName();
    throw err;
  }
}

const json = (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v));

const stripUndefined = (input: ViewInput): ViewInput =>
  Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as ViewInput;

/** Empty values mean "none"; list views carry no board settings. */
function normalise(v: ViewInput): ViewInput {
  const out = { ...v };
  if (out.sort === '') out.sort = null;
  if (out.columns?.length === 0) out.columns = null;
  if (out.kind === 'list') {
    out.groupBy = null;
    out.sumField = null;
  }
  return out;
}

/**
 * Every field the view names must exist on the object as the caller sees it; errors
 * name the property (`filter.and.0.field`, `sort`, `columns.2`, `groupBy`, `sumField`).
 * `only` limits the check to the properties being changed.
 */
function check(ctx: RecordContext, view: ViewInput, only?: Set<string>): void {
  const { schema } = ctx;
  const errors: FieldError[] = [];
  const checking = (p: string) => !only || only.has(p) || (p === 'groupBy' && only.has('kind'));
  const attempt = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof AppError && err.errors.length) errors.push(...err.errors);
      else throw err;
    }
  };
  if (checking('filter') && view.filter)
    attempt(() => compileFilter(schema, view.filter as FilterNode, { schemas: ctx.schemas }, 'filter'));
  if (checking('sort') && view.sort) attempt(() => resolveSort(schema, view.sort as string));
  if (checking('columns') && view.columns) {
    view.columns.forEach((name, i) => {
      if (!schema.field(name)) errors.push({ path: `columns.${i}`, message: `unknown field "${name}"` });
    });
    if (new Set(view.columns).size !== view.columns.length)
      errors.push({ path: 'columns', message: 'lists a field twice' });
  }
  if (view.kind === 'board') {
    if (checking('groupBy')) {
      const e = boardFieldError(
        schema,
        view.groupBy,
        (t, f) => t === 'select' || t === 'user' || (t === 'relation' && f.relation?.cardinality === 'one'),
        'a select field, a person or a to-one relation',
      );
      if (e) errors.push({ path: 'groupBy', message: e });
    }
    if (checking('sumField') && view.sumField) {
      const e = boardFieldError(schema, view.sumField, (t) => SUMMABLE_TYPES.has(t), 'a money or number field');
      if (e) errors.push({ path: 'sumField', message: e });
    }
  }
  if (errors.length) {
    throw new AppError('validation_failed', `Invalid view: ${errors.map((e) => e.path).join(', ')}`, { errors });
  }
}

/** Why `name` cannot group or total a board, or undefined when it can. */
export function boardFieldError(
  schema: ObjectSchema,
  name: string | null | undefined,
  accepts: (type: string, field: FieldDef) => boolean,
  what: string,
): string | undefined {
  if (!name) return `is required: ${what}`;
  const f = schema.field(name);
  if (!f) return `unknown field "${name}" on ${schema.def.name}`;
  if (!accepts(f.def.type, f.def)) return `"${name}" is ${f.def.type}; it must be ${what}`;
  return undefined;
}

/**
 * A filter as the caller may see it: conditions on fields their role cannot see (hidden
 * fields, fields of objects it does not read) are left out, so a shared view shows neither
 * the hidden field's name nor the value it is compared with. The stored view is unchanged.
 */
function visibleFilter(ctx: RecordContext, node: FilterNode): FilterNode | null {
  if ('and' in node || 'or' in node) {
    const key = 'and' in node ? 'and' : 'or';
    const kids = ((node as Record<string, FilterNode[]>)[key] ?? [])
      .map((n) => visibleFilter(ctx, n))
      .filter((n): n is FilterNode => n !== null);
    return kids.length === 0 ? null : ({ [key]: kids } as FilterNode);
  }
  if ('not' in node) {
    const kid = visibleFilter(ctx, node.not);
    return kid ? { not: kid } : null;
  }
  try {
    compileFilter(ctx.schema, node, { schemas: ctx.schemas });
    return node;
  } catch (err) {
    if (err instanceof AppError) return null;
    throw err;
  }
}

function visibleSort(ctx: RecordContext, sort: string | null): string | null {
  if (!sort) return null;
  const kept = parseSort(sort).filter((k) => {
    try {
      resolveSort(ctx.schema, k.field);
      return true;
    } catch {
      return false;
    }
  });
  return kept.length ? kept.map((k) => `${k.desc ? '-' : ''}${k.field}`).join(',') : null;
}

function present(r: ViewRow, actor: Actor, ctx: RecordContext): SavedView {
  const mine = r.owner_id === actor.userId;
  const mayChange = mine || ctx.policy.admin;
  const sees = (name: string | null) => (name && ctx.schema.field(name) ? name : null);
  const columns = r.columns?.filter((c) => ctx.schema.field(c)) ?? null;
  return {
    id: r.id,
    object: r.object,
    name: r.name,
    ownerId: r.owner_id,
    shared: r.shared,
    kind: r.kind,
    filter: r.filter ? visibleFilter(ctx, r.filter) : null,
    sort: visibleSort(ctx, r.sort),
    columns: columns?.length ? columns : null,
    groupBy: sees(r.group_by),
    sumField: sees(r.sum_field),
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.updated_at).toISOString(),
    permissions: { update: mayChange, delete: mayChange },
  };
}
