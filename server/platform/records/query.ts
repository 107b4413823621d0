import { type RawBuilder, sql } from 'kysely';
import { z } from 'zod';
import { checkFieldValue } from '../../../common/fields/field-values';
import { type FilterNode, MAX_FILTER_DEPTH, MAX_FILTER_LEAVES, OPS_BY_KIND, parseSort } from '../../../common/filter';
import { humanIssueMessage } from '../../../common/validation-messages';
import { blindIndexesOf, ENCRYPTED_OPERATORS, openCustomValue, openValue } from '../crypto/field-crypto';
import { AppError, type FieldError } from '../http/errors';
import {
  defaultSub,
  type FilterKind,
  filterKind,
  fromCustom,
  fromRow,
  isEncrypted,
  isSortable,
  storageColumns,
  subFields,
  valueSchema,
} from './field-types';
import { FilterValueError, filterCondition } from './filter-conditions';
import { compileNear, compileWithin, customGeoCells, type GeoAccessor } from './geo-filter';
import type { ObjectSchema, ResolvedField } from './object-schema';
import { columnName, type FieldDef } from './types';

type Sql = RawBuilder<unknown>;

/** A field (or sub-field) as an SQL expression with its comparison kind. */
export interface Accessor {
  expr: Sql;
  kind: FilterKind;
  field: FieldDef;
  sub?: string;
  custom: boolean;
  /** Never NULL in the database (lets keyset pagination use a row comparison). */
  notNull: boolean;
  /** A whole address as a point (kind `geo`: the near / within operators). */
  geo?: GeoAccessor;
  /** An encrypted field: compared only through its blind index (`bidx`) for `table`. */
  encrypted?: { table: string; bidx: Sql };
}

const CAST: Record<FilterKind, string> = {
  text: 'text',
  number: 'numeric',
  date: 'date',
  datetime: 'timestamptz',
  boolean: 'boolean',
  uuid: 'uuid',
  array: 'text',
  multi: 'text',
  json: 'text',
  geo: 'text',
};

const NOT_NULL_SYSTEM = new Set(['id', 'createdAt', 'updatedAt', 'version', 'tags']);

function invalid(path: string, message: string): AppError {
  return new AppError('validation_failed', `${path}: ${message}`, { errors: [{ path, message }] });
}

/** Resolves `field` or `field.sub` on `schema` for table alias `alias`. */
export function directAccessor(schema: ObjectSchema, alias: string, path: string): Accessor | undefined {
  const [name = '', sub, ...rest] = path.split('.');
  const f = schema.field(name);
  if (!f || rest.length > 0) return undefined;
  const subs = subFields(f.def);
  if (sub !== undefined && !subs.includes(sub)) return undefined;
  const part = sub ?? defaultSub(f.def);
  if (subs.length > 0 && part === undefined) return undefined; // an address must be filtered by one of its parts
  const acc = accessorFor(f, alias, part);
  if (!isEncrypted(f.def)) return acc;
  const bidx = f.custom
    ? sql`(${sql.ref(`${alias}.custom`)} -> ${f.def.name} ->> 'bidx')`
    : sql.ref(`${alias}.${storageColumns(f.def).find((c) => c.blindIndex)?.column}`);
  const expr = f.custom ? sql`(${sql.ref(`${alias}.custom`)} -> ${f.def.name})` : acc.expr;
  return { ...acc, expr, encrypted: { table: schema.def.table, bidx } };
}

/** A filter on an encrypted field: equality through the blind index, or presence; any other operator is refused. */
function compileEncryptedLeaf(acc: Accessor, op: string, rawValue: unknown, path: string): Sql {
  const enc = acc.encrypted as NonNullable<Accessor['encrypted']>;
  if (!(ENCRYPTED_OPERATORS as readonly string[]).includes(op)) {
    throw invalid(
      `${path}.op`,
      `"${op}" does not apply to ${acc.field.name}: it is a sensitive field, encrypted at rest, so it can only be filtered with ${ENCRYPTED_OPERATORS.join(', ')}`,
    );
  }
  if (op === 'isEmpty' || op === 'isNotEmpty') {
    const empty = acc.custom ? sql`(${acc.expr} is null or ${acc.expr} = 'null'::jsonb)` : sql`${acc.expr} is null`;
    return op === 'isEmpty' ? empty : sql`not (${empty})`;
  }
  const vpath = `${path}.value`;
  const values = op === 'in' ? rawValue : [rawValue];
  if (!Array.isArray(values) || values.length === 0 || values.length > 1000) {
    throw invalid(vpath, 'must be a non-empty list of at most 1000 values');
  }
  const indexes: string[] = [];
  values.forEach((v, i) => {
    const checked = v == null ? undefined : checkFieldValue(acc.field, v);
    if (!checked?.ok || checked.value == null) {
      const problem = checked && !checked.ok ? checked.problems[0]?.message : 'must be a value';
      throw invalid(op === 'in' ? `${vpath}.${i}` : vpath, problem ?? 'is not valid');
    }
    indexes.push(...blindIndexesOf(enc.table, acc.field.name, checked.value));
  });
  return sql`${enc.bidx} = any(${indexes}::text[])`;
}

/**
 * A whole address field as a point for `near` / `within` (`address`, no part); any other
 * field resolves as usual, so the operator check names the operators it does take.
 */
export function geoFieldAccessor(schema: ObjectSchema, alias: string, path: string): Accessor | undefined {
  const f = schema.field(path);
  if (f?.def.type !== 'address') return directAccessor(schema, alias, path);
  const part = (sub: string): Sql => {
    if (!f.custom) {
      const col = storageColumns(f.def).find((c) => c.sub === sub)?.column ?? '';
      return sql.ref(`${alias}.${col}`);
    }
    return sql`(${sql.ref(`${alias}.custom`)} -> ${f.def.name} ->> ${sub})`;
  };
  const coord = (sub: 'latitude' | 'longitude') => (f.custom ? sql`(${part(sub)})::float8` : part(sub));
  return {
    expr: sql`null`,
    kind: 'geo',
    field: f.def,
    custom: f.custom,
    notNull: false,
    geo: {
      lat: coord('latitude'),
      lng: coord('longitude'),
      part,
      // The latitude band of a built-in address, as its index (migration 0058) computes it;
      // a custom one's index is the grid cells in `custom` (migration 0063).
      band: f.custom ? undefined : sql`rapport_geoband(${coord('latitude')}, ${coord('longitude')})`,
      cells: f.custom ? customGeoCells(alias, f.def.name) : undefined,
    },
  };
}

function accessorFor(f: ResolvedField, alias: string, sub?: string): Accessor {
  const kind = filterKind(f.def, sub);
  if (!f.custom) {
    const cols = storageColumns(f.def);
    const col = sub ? cols.find((c) => c.sub === sub) : cols[0];
    return {
      expr: sql.ref(`${alias}.${col?.column ?? columnName(f.def.name)}`),
      kind,
      field: f.def,
      sub,
      custom: false,
      notNull: NOT_NULL_SYSTEM.has(f.def.name) || (!!f.def.required && !sub) || f.def.type === 'boolean',
    };
  }
  const custom = sql.ref(`${alias}.custom`);
  const name = f.def.name;
  let expr: Sql;
  if (kind === 'array' || kind === 'multi' || kind === 'json') expr = sql`(${custom} -> ${name})`;
  else {
    const text = sub ? sql`(${custom} -> ${name} ->> ${sub})` : sql`(${custom} ->> ${name})`;
    expr = kind === 'text' ? text : sql`(${text})::${sql.raw(CAST[kind])}`;
  }
  return { expr, kind, field: f.def, sub, custom: true, notNull: false };
}

/** The schema a single filter value must satisfy for this accessor. */
function scalarSchema(acc: Accessor): z.ZodType {
  const { field, sub, kind } = acc;
  if (sub) {
    if (kind === 'number') return z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform(String);
    return z
      .string()
      .max(500)
      .transform((s) => (sub === 'currency' || sub === 'country' ? s.toUpperCase() : s));
  }
  switch (kind) {
    case 'number':
      return z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a number')]).transform(String);
    case 'array': {
      const element =
        field.type === 'relation'
          ? z.uuid()
          : field.type === 'tags'
            ? z.string().trim().toLowerCase().min(1).max(64)
            : valueSchema({ ...field, type: 'select' });
      return element;
    }
    case 'multi':
      return z.string().trim().min(1).max(254);
    case 'uuid':
      return z.uuid();
    case 'text':
      if (field.type === 'longText' || field.type === 'text' || field.type === 'url') return z.string().max(1000);
      return valueSchema(field);
    default:
      return valueSchema(field);
  }
}

export { OPS_BY_KIND };

/** Escapes LIKE wildcards so user text matches literally. */
export const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function parseValue(acc: Accessor, value: unknown, path: string, many: boolean): unknown {
  const schema = many ? z.array(scalarSchema(acc)).min(1).max(1000) : scalarSchema(acc);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(
      path,
      `${many ? 'must be a non-empty list; ' : ''}${issue ? humanIssueMessage(issue) : 'is not valid'}`,
    );
  }
  return parsed.data;
}

function compileLeaf(acc: Accessor, op: string, rawValue: unknown, path: string, distance?: DistanceSlot): Sql {
  if (acc.encrypted) return compileEncryptedLeaf(acc, op, rawValue, path);
  const { expr, kind, custom } = acc;
  if (!(OPS_BY_KIND[kind] as readonly string[]).includes(op)) {
    throw invalid(
      `${path}.op`,
      `"${op}" does not apply to ${acc.field.name} (${acc.field.type}); use one of ${OPS_BY_KIND[kind].join(', ')}`,
    );
  }
  const vpath = `${path}.value`;
  if (acc.geo) {
    if (distance && acc.geo.band) distance.indexed = true;
    if (op === 'within') return compileWithin(acc.geo, rawValue, vpath);
    const near = compileNear(acc.geo, rawValue, vpath);
    if (distance && !distance.sql) distance.sql = near.distance;
    return near.cond;
  }
  if (op === 'isEmpty' || op === 'isNotEmpty') {
    let empty: Sql;
    if (kind === 'text') empty = sql`(${expr} is null or ${expr} = '')`;
    else if (kind === 'array' && !custom) empty = sql`coalesce(cardinality(${expr}), 0) = 0`;
    else if (kind === 'array' || kind === 'multi') empty = sql`coalesce(jsonb_array_length(${expr}), 0) = 0`;
    else if (kind === 'json') empty = sql`(${expr} is null or ${expr} in ('null'::jsonb, '{}'::jsonb, '[]'::jsonb))`;
    else empty = sql`${expr} is null`;
    return op === 'isEmpty' ? empty : sql`not (${empty})`;
  }
  const cast = sql.raw(CAST[kind]);
  if (kind === 'array') {
    const arrType = sql.raw(acc.field.type === 'relation' ? 'uuid[]' : 'text[]');
    // contains takes one element; in / nin / eq (same set) / ne take a list.
    const v = parseValue(acc, rawValue, vpath, op !== 'contains');
    if (custom) {
      const list = (Array.isArray(v) ? v : [v]).map(String);
      if (op === 'contains') return sql`coalesce(${expr} ? ${String(v)}, false)`;
      if (op === 'in') return sql`coalesce(${expr} ?| ${list}::text[], false)`;
      if (op === 'nin') return sql`not coalesce(${expr} ?| ${list}::text[], false)`;
      const set = sql`${JSON.stringify(list)}::jsonb`;
      const same = sql`coalesce(${expr} @> ${set} and ${expr} <@ ${set}, false)`;
      return op === 'eq' ? same : sql`not ${same}`;
    }
    if (op === 'contains') return sql`${expr} @> array[${v}]::${arrType}`;
    if (op === 'in') return sql`${expr} && ${v}::${arrType}`;
    if (op === 'nin') return sql`not (coalesce(${expr}, '{}') && ${v}::${arrType})`;
    const same = sql`(${expr} @> ${v}::${arrType} and ${expr} <@ ${v}::${arrType})`;
    return op === 'eq' ? same : sql`not ${same}`;
  }
  if (kind === 'multi') {
    const v = String(parseValue(acc, rawValue, vpath, false));
    if (op === 'eq') return sql`coalesce(${expr} @> jsonb_build_array(jsonb_build_object('value', ${v}::text)), false)`;
    return sql`exists (select 1 from jsonb_array_elements(coalesce(${expr}, '[]')) e where e ->> 'value' ilike ${`%${likeEscape(v)}%`})`;
  }
  if (op === 'in' || op === 'nin') {
    const v = parseValue(acc, rawValue, vpath, true);
    const any = sql`${expr} = any(${v}::${cast}[])`;
    return op === 'in' ? any : sql`(${expr} is null or not (${any}))`;
  }
  if (op === 'contains' || op === 'startsWith' || op === 'endsWith') {
    if (typeof rawValue !== 'string' || rawValue.length === 0 || rawValue.length > 1000) {
      throw invalid(vpath, 'must be a non-empty string of at most 1000 characters');
    }
    const body = likeEscape(rawValue);
    const pattern = op === 'contains' ? `%${body}%` : op === 'startsWith' ? `${body}%` : `%${body}`;
    return sql`${expr} ilike ${pattern}`;
  }
  const v = parseValue(acc, rawValue, vpath, false);
  const param = sql`${v}::${cast}`;
  switch (op) {
    case 'eq':
      return sql`${expr} = ${param}`;
    case 'ne':
      return sql`${expr} is distinct from ${param}`;
    case 'gt':
      return sql`${expr} > ${param}`;
    case 'gte':
      return sql`${expr} >= ${param}`;
    case 'lt':
      return sql`${expr} < ${param}`;
    default:
      return sql`${expr} <= ${param}`;
  }
}

/** Filled by compileFilter with the distance (km) to the first `near` point on the record's own address. */
export interface DistanceSlot {
  sql?: Sql;
  /** Set when the filter holds a near / within on one of the record's own built-in addresses (the band index). */
  indexed?: boolean;
}

export interface FilterContext {
  schemas: Map<string, ObjectSchema>;
  /** Receives the record's distance in km when the filter holds a `near` on one of its address fields. */
  distance?: DistanceSlot;
  /** Extra condition a related record (alias) of `object` must meet to be visible to the caller. */
  visible?: (object: string, alias: string) => Sql | undefined;
}

/**
 * Compiles a filter tree into a parameterised SQL condition on alias `t`.
 * Field paths may go through one to-one relation (`account.industry`).
 */
export function compileFilter(
  schema: ObjectSchema,
  filter: FilterNode,
  ctx: FilterContext,
  basePath = 'filter',
  alias = 't',
): Sql {
  const rel = `${alias}r`;
  let leaves = 0;
  const walk = (node: FilterNode, path: string, depth: number): Sql => {
    if (depth > MAX_FILTER_DEPTH) throw invalid(path, `filters nest at most ${MAX_FILTER_DEPTH} levels`);
    if ('and' in node)
      return sql`(${sql.join(
        node.and.map((n, i) => walk(n, `${path}.and.${i}`, depth + 1)),
        sql` and `,
      )})`;
    if ('or' in node)
      return sql`(${sql.join(
        node.or.map((n, i) => walk(n, `${path}.or.${i}`, depth + 1)),
        sql` or `,
      )})`;
    if ('not' in node) return sql`not coalesce(${walk(node.not, `${path}.not`, depth + 1)}, false)`;
    if (++leaves > MAX_FILTER_LEAVES) throw invalid(path, `at most ${MAX_FILTER_LEAVES} conditions`);
    if (node.field.startsWith('@')) return compileCondition(schema.def.name, node, path, alias);
    // A whole address takes near / within; its parts (address.city) compare as usual.
    const resolve = geoFieldAccessor;
    const direct = resolve(schema, alias, node.field);
    if (direct) return compileLeaf(direct, node.op, node.value, path, ctx.distance);
    const [relName = '', ...restPath] = node.field.split('.');
    const relation = restPath.length > 0 ? schema.toOneRelation(relName) : undefined;
    const target = relation?.def.relation ? ctx.schemas.get(relation.def.relation.object) : undefined;
    const inner = target ? resolve(target, rel, restPath.join('.')) : undefined;
    if (!relation || !target || !inner)
      throw invalid(`${path}.field`, `unknown field "${node.field}" on ${schema.def.name}`);
    const cond = compileLeaf(inner, node.op, node.value, path);
    const fk = relation.custom
      ? sql`(${sql.ref(`${alias}.custom`)} ->> ${relation.def.name})::uuid`
      : sql.ref(`${alias}.${columnName(relation.def.name)}`);
    // The related record must be one the caller may see, or the filter would probe it.
    const visible = ctx.visible?.(target.def.name, rel);
    return sql`exists (select 1 from ${sql.table(`${target.def.table}_scoped`)} ${sql.raw(rel)}
      where ${sql.ref(`${rel}.id`)} = ${fk} and ${sql.ref(`${rel}.deleted_at`)} is null and ${cond}${visible ? sql` and ${visible}` : sql``})`;
  };
  return walk(filter, basePath, 0);
}

/** A behaviour condition (`@visited`…) registered by a module: see filter-conditions.ts. */
function compileCondition(
  object: string,
  node: { field: string; op: string; value?: unknown },
  path: string,
  alias: string,
): Sql {
  const c = filterCondition(node.field);
  if (!c?.objects.includes(object)) throw invalid(`${path}.field`, `unknown condition "${node.field}" on ${object}`);
  const op = node.op as (typeof c.ops)[number];
  if (!c.ops.includes(op))
    throw invalid(`${path}.op`, `"${node.op}" does not apply to ${node.field}; use one of ${c.ops.join(', ')}`);
  try {
    return c.compile({ object, alias, op, value: node.value });
  } catch (err) {
    if (err instanceof FilterValueError) throw invalid(`${path}.value${err.sub ? `.${err.sub}` : ''}`, err.message);
    throw err;
  }
}

/** `sort=distance`: by the distance to the `near` filter's point (nearest first). */
export const DISTANCE_SORT = 'distance';

export interface SortKey {
  acc: Accessor;
  desc: boolean;
  path: string;
}

/** Parses and checks a sort string; the id tie-breaker is added by the pager. */
export function resolveSort(schema: ObjectSchema, sort: string | undefined, distance?: Sql): SortKey[] {
  const given = sort ? parseSort(sort).filter((k) => k.field) : [];
  const keys = given.length > 0 ? given : parseSort(schema.def.defaultSort ?? '-createdAt');
  if (keys.length > 5) throw invalid('sort', 'sort by at most 5 fields');
  return keys.map((k) => {
    if (k.field === DISTANCE_SORT && !schema.field(DISTANCE_SORT)) {
      if (!distance) throw invalid('sort', 'sort by distance needs a "near" filter on an address field');
      const address = schema.fields().find((f) => f.def.type === 'address')?.def as FieldDef;
      return {
        acc: { expr: distance, kind: 'number', field: address, custom: false, notNull: false },
        ...k,
        path: k.field,
      };
    }
    const direct = directAccessor(schema, 't', k.field);
    if (!direct) throw invalid('sort', `unknown field "${k.field}" on ${schema.def.name}`);
    if (direct.encrypted)
      throw invalid('sort', `cannot sort by ${k.field}: it is a sensitive field, encrypted at rest`);
    const acc = direct.field.type === 'tags' && !direct.custom ? tagsSortAccessor(direct) : direct;
    if (!isSortable(acc.kind)) throw invalid('sort', `cannot sort by ${k.field} (${acc.field.type})`);
    return { acc, desc: k.desc, path: k.field };
  });
}

/**
 * A record's tags sort as their alphabetical list ("customer, vip" before "partner");
 * records without tags last (ascending), like any empty value.
 */
function tagsSortAccessor(acc: Accessor): Accessor {
  const list = sql`(select string_agg(x, ',' order by x) from unnest(${acc.expr}) x)`;
  return { ...acc, expr: list, kind: 'text', notNull: false };
}

/** The ORDER BY clause: PostgreSQL's default null placement (nulls sort as the largest value), id last. */
export function orderBy(keys: SortKey[]): Sql {
  const last = keys[keys.length - 1];
  const parts = keys
    .filter((k) => !(k.path === 'id'))
    .map((k) => sql`${k.acc.expr} ${sql.raw(k.desc ? 'desc' : 'asc')}`);
  parts.push(sql`t.id ${sql.raw(last?.desc ? 'desc' : 'asc')}`);
  return sql.join(parts, sql`, `);
}

/** Extra select columns holding each sort key as exact text, for the next cursor. */
export function sortKeySelect(keys: SortKey[]): Sql[] {
  return keys.map((k, i) => sql`(${k.acc.expr})::text as ${sql.ref(`_k${i}`)}`);
}

interface CursorPayload {
  s: string;
  k: (string | null)[];
  id: string;
}

/** What a sort key's text may look like in a cursor, per kind (a forged cursor must not reach a cast). */
const CURSOR_VALUE: Record<FilterKind, (v: string) => boolean> = {
  text: (v) => v.length <= 10_000,
  number: (v) => /^-?\d{1,30}(\.\d{1,30})?$/.test(v),
  date: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)) && !v.startsWith('0000'),
  datetime: (v) => /^\d{4}-\d{2}-\d{2}[ T][\d:.]+([+-]\d{2}(:?\d{2})?|Z)?$/.test(v) && !v.startsWith('0000'),
  boolean: (v) => v === 'true' || v === 'false',
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  array: () => false,
  multi: () => false,
  json: () => false,
  geo: () => false,
};

const CursorSchema = z.object({ s: z.string(), k: z.array(z.string().nullable()), id: z.uuid() });

const sortSignature = (keys: SortKey[]) => keys.map((k) => `${k.desc ? '-' : ''}${k.path}`).join(',');

export function encodeCursor(keys: SortKey[], row: Record<string, unknown>): string {
  const payload: CursorPayload = {
    s: sortSignature(keys),
    k: keys.map((_, i) => (row[`_k${i}`] as string | null) ?? null),
    id: String(row.id),
  };
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

/** The keyset condition "after the cursor's row" for these sort keys. */
export function afterCursor(keys: SortKey[], cursor: string): Sql {
  let payload: CursorPayload;
  try {
    if (cursor.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('shape');
    payload = CursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw invalid('cursor', 'is malformed; pass back the nextCursor of a previous page unchanged');
  }
  if (payload.s !== sortSignature(keys) || payload.k.length !== keys.length) {
    throw invalid('cursor', 'belongs to another sort order; restart without a cursor');
  }
  keys.forEach((k, i) => {
    const v = payload.k[i];
    if (v != null && !CURSOR_VALUE[k.acc.kind](v))
      throw invalid('cursor', 'is malformed; pass back the nextCursor of a previous page unchanged');
  });
  const last = keys[keys.length - 1];
  const idDesc = !!last?.desc;
  const idCond = sql`t.id ${sql.raw(idDesc ? '<' : '>')} ${payload.id}::uuid`;
  const uniform = keys.every((k) => k.desc === idDesc && k.acc.notNull) && payload.k.every((v) => v !== null);
  if (uniform) {
    const left = sql.join([...keys.map((k) => k.acc.expr), sql`t.id`]);
    const right = sql.join([
      ...keys.map((k, i) => sql`${payload.k[i]}::${sql.raw(CAST[k.acc.kind])}`),
      sql`${payload.id}::uuid`,
    ]);
    return sql`(${left}) ${sql.raw(idDesc ? '<' : '>')} (${right})`;
  }
  // General case, null-aware: nulls sort last ascending and first descending.
  let cond: Sql = idCond;
  for (let i = keys.length - 1; i >= 0; i--) {
    const k = keys[i] as SortKey;
    const v = payload.k[i] ?? null;
    const e = k.acc.expr;
    const typed = sql`${v}::${sql.raw(CAST[k.acc.kind])}`;
    const after =
      v === null
        ? k.desc
          ? sql`${e} is not null`
          : sql`false`
        : k.desc
          ? sql`${e} < ${typed}`
          : sql`(${e} > ${typed} or ${e} is null)`;
    const equal = v === null ? sql`${e} is null` : sql`${e} = ${typed}`;
    cond = sql`(${after} or (${equal} and ${cond}))`;
  }
  return cond;
}

/** Columns to select for the requested fields (all when `fields` is absent). */
export function selectColumns(schema: ObjectSchema, fields: string[] | undefined): Sql {
  const wanted = fields ? new Set(['id', 'version', ...fields]) : undefined;
  const cols = new Set<string>(['id', 'version']);
  let custom = false;
  for (const f of schema.fields()) {
    if (wanted && !wanted.has(f.def.name)) continue;
    if (f.custom) custom = true;
    else for (const c of storageColumns(f.def)) cols.add(c.column);
  }
  if (custom) cols.add('custom');
  return sql.join([...cols].map((c) => sql.ref(`t.${c}`)));
}

/** Checks a `fields=` list; returns undefined for "all fields". */
export function resolveFields(schema: ObjectSchema, fields: string | undefined): string[] | undefined {
  if (!fields) return undefined;
  const list = fields
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const errors: FieldError[] = list
    .filter((f) => !schema.field(f))
    .map((f) => ({ path: 'fields', message: `unknown field "${f}"` }));
  if (errors.length) throw new AppError('validation_failed', errors.map((e) => e.message).join('; '), { errors });
  return list;
}

/** A database row → the API record (custom fields flattened beside built-in ones). */
export function presentRow(
  schema: ObjectSchema,
  row: Record<string, unknown>,
  fields?: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const wanted = fields ? new Set(['id', 'version', ...fields]) : undefined;
  const custom = (row.custom ?? {}) as Record<string, unknown>;
  for (const f of schema.fields()) {
    if (wanted && !wanted.has(f.def.name)) continue;
    if (isEncrypted(f.def)) {
      out[f.def.name] = f.custom
        ? fromCustom(f.def, openCustomValue(schema.def.table, f.def.name, custom[f.def.name]))
        : fromRow(f.def, {
            [columnName(f.def.name)]: openValue(schema.def.table, f.def.name, row[columnName(f.def.name)]),
          });
      continue;
    }
    out[f.def.name] = f.custom ? fromCustom(f.def, custom[f.def.name]) : fromRow(f.def, row);
  }
  return out;
}
