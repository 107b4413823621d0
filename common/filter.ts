import { z } from 'zod';
import { FILTER_OPERATORS, type FilterNode, MAX_FILTER_DEPTH, MAX_FILTER_LEAVES } from './filter-ops';
import { humanIssueMessage } from './validation-messages';

export {
  FILTER_OPERATORS,
  type FilterableField,
  type FilterKind,
  type FilterNode,
  type FilterOperator,
  filterKind,
  MAX_FILTER_DEPTH,
  MAX_FILTER_LEAVES,
  OPS_BY_KIND,
} from './filter-ops';

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
    message: humanIssueMessage(i),
  }));
}

/**
 * A filter tree in a request body (workflow conditions, scoring rules, SLA policies…):
 * checked as list filters are, and documented as free-form JSON, because the recursive
 * FilterNodeSchema has no OpenAPI form (it would leave an unresolvable $ref).
 */
export const FilterTreeInput = z
  .unknown()
  .superRefine((v, ctx) => {
    for (const e of checkFilterTree(v, '')) {
      ctx.addIssue({ code: 'custom', message: e.message, path: e.path ? e.path.split('.').filter(Boolean) : [] });
    }
  })
  .describe('A filter tree: { and | or: [...] }, { not }, { field, op, value }') as unknown as z.ZodType<FilterNode>;
