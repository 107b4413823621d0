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
