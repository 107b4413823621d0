/**
 * The filter tree's vocabulary (operators, node shapes, limits, operators per field kind),
 * free of zod so the web app's first chunk can read filters from the URL without it.
 * common/filter.ts adds the zod schemas and re-exports all of this.
 */

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
  'near',
  'within',
] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** How a field (or sub-field) is compared in filters and sorts. */
export type FilterKind =
  | 'text'
  | 'number'
  | 'date'
  | 'datetime'
  | 'boolean'
  | 'uuid'
  | 'array'
  | 'multi'
  | 'json'
  | 'geo';

/**
 * The operators each kind of field accepts: the record engine refuses any other, the
 * metadata lists them per field, and the web app's filter builder offers exactly these.
 */
export const OPS_BY_KIND: Record<FilterKind, readonly FilterOperator[]> = {
  text: [
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
  ],
  number: ['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'isEmpty', 'isNotEmpty'],
  date: ['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'isEmpty', 'isNotEmpty'],
  datetime: ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'isEmpty', 'isNotEmpty'],
  boolean: ['eq', 'ne', 'isEmpty', 'isNotEmpty'],
  uuid: ['eq', 'ne', 'in', 'nin', 'isEmpty', 'isNotEmpty'],
  array: ['eq', 'ne', 'contains', 'in', 'nin', 'isEmpty', 'isNotEmpty'],
  multi: ['eq', 'contains', 'isEmpty', 'isNotEmpty'],
  json: ['isEmpty', 'isNotEmpty'],
  /** A whole address: its point within a radius of a place (`near`) or inside an area (`within`). */
  geo: ['near', 'within'],
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
      if (sub === undefined) return 'geo';
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
