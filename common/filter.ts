import { z } from 'zod';

/** The filter tree every list endpoint accepts (API.md), shared by server and web app. */
export const FILTER_OPERATORS = [
  'eq',
  'ne',
  'in',
  'nin',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'startsWith',
  'endsWith',
  'isEmpty',
  'isNotEmpty',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** How a field (or sub-field) is compared in filters and sorts. */
export type FilterKind = 'text' | 'number' | 'date' | 'datetime' | 'boolean' | 'uuid' | 'array' | 'multi' | 'json';

/**
 * The operators each kind of field accepts: the record engine refuses any other, the
 * metadata lists them per field, and the web app's filter builder offers exactly these.
 */
export const OPS_BY_KIND: Record<FilterKind, readonly FilterOperator[]> = {
  text: FILTER_OPERATORS,
  number: ['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'isEmpty', 'isNotEmpty'],
  date: ['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'isEmpty', 'isNotEmpty'],
  datetime: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'isEmpty', 'isNotEmpty'],
  boolean: ['eq', 'ne', 'isEmpty', 'isNotEmpty'],
  uuid: ['eq', 'ne', 'in', 'nin', 'isEmpty', 'isNotEmpty'],
  array: ['eq', 'ne', 'contains', 'in', 'nin', 'isEmpty', 'isNotEmpty'],
  multi: ['eq', 'contains', 'isEmpty', 'isNotEmpty'],
  json: ['isEmpty', 'isNotEmpty'],
};

/** What `filterKind` needs of a field: its declaration on the server, its metadata in the web app. */
export interface FilterableField {
  name: string;
  type: string;
  relation?: { cardinality: 'one' | 'many' } | null;
  /** Set when the object keeps its own text ids (then `id` compares as text). */
  customId?: string;
}

/** The comparison kind of a field, or of one of its sub-fields (`address.city`, `amount.currency`). */
export function filterKind(field: FilterableField, sub?: string): FilterKind {
  if (field.name === 'id' && !field.customId) return 'uuid';
  switch (field.type) {
    case 'money':
      return sub === 'currency' ? 'text' : 'number';
    case 'address':
      return sub === 'latitude' || sub === 'longitude' ? 'number' : 'text';
    case 'integer':
    case 'decimal':
    case 'percent':
      return 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'boolean':
      return 'boolean';
    case 'user':
      return 'uuid';
    case 'relation':
      return field.relation?.cardinality === 'many' ? 'array' : 'uuid';
    case 'multiSelect':
    case 'tags':
      return 'array';
    case 'emails':
    case 'phones':
      return 'multi';
    case 'json':
      return 'json';
    default:
      return 'text';
  }
}

export type FilterNode =
  | { and: FilterNode[] }
  | { or: FilterNode[] }
  | { not: FilterNode }
  | { field: string; op: FilterOperator; value?: unknown };

export const MAX_FILTER_DEPTH = 8;
export const MAX_FILTER_LEAVES = 100;

export const FilterNodeSchema: z.ZodType<FilterNode> = z.lazy(() =>
  z.union([
    z.object({ and: z.array(FilterNodeSchema).min(1).max(MAX_FILTER_LEAVES) }).strict(),
    z.object({ or: z.array(FilterNodeSchema).min(1).max(MAX_FILTER_LEAVES) }).strict(),
    z.object({ not: FilterNodeSchema }).strict(),
    z
      .object({
        field: z.string().min(1).max(200),
        op: z.enum(FILTER_OPERATORS),
        value: z.unknown().optional(),
      })
      .strict(),
  ]),
);

/** Parses `sort=-createdAt,lastName` into keys. */
export function parseSort(sort: string): { field: string; desc: boolean }[] {
  return sort
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.startsWith('-') ? { field: s.slice(1), desc: true } : { field: s.replace(/^\+/, ''), desc: false }));
}

const LeafSchema = z
  .object({ field: z.string().min(1).max(200), op: z.enum(FILTER_OPERATORS), value: z.unknown().optional() })
  .strict();

/**
 * Checks a filter tree and reports problems at their exact place
 * (e.g. "filter.and.1.op"), which a plain union schema cannot do.
 */
export function checkFilterTree(json: unknown, path = 'filter', depth = 0): { path: string; message: string }[] {
  if (depth > MAX_FILTER_DEPTH) return [{ path, message: `filters nest at most ${MAX_FILTER_DEPTH} levels` }];
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return [{ path, message: 'must be an object: {and: [...]}, {or: [...]}, {not: ...} or {field, op, value}' }];
  }
  const node = json as Record<string, unknown>;
  const keys = Object.keys(node);
  for (const group of ['and', 'or'] as const) {
    if (group in node) {
      if (keys.length !== 1) return [{ path, message: `"${group}" must be the only key of its object` }];
      const list = node[group];
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_FILTER_LEAVES) {
        return [{ path: `${path}.${group}`, message: `must be a list of 1 to ${MAX_FILTER_LEAVES} filters` }];
      }
      return list.flatMap((n, i) => checkFilterTree(n, `${path}.${group}.${i}`, depth + 1));
    }
  }
  if ('not' in node) {
    if (keys.length !== 1) return [{ path, message: '"not" must be the only key of its object' }];
    return checkFilterTree(node.not, `${path}.not`, depth + 1);
  }
  if (!('field' in node) && !('op' in node)) {
    return [{ path, message: 'must be {and: [...]}, {or: [...]}, {not: ...} or {field, op, value}' }];
  }
  const parsed = LeafSchema.safeParse(node);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => ({
    path: [path, ...i.path, ...(i.code === 'unrecognized_keys' ? i.keys : [])].join('.'),
    message: i.message,
  }));
}
