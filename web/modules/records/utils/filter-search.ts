import { FILTER_OPERATORS, type FilterNode, MAX_FILTER_DEPTH, MAX_FILTER_LEAVES } from '../../../../common/filter-ops';

const OPERATORS = new Set<string>(FILTER_OPERATORS);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether `json` has the shape of a filter tree the API takes (values are the API's to judge). */
export function isFilterTree(json: unknown): json is FilterNode {
  let leaves = 0;
  const walk = (n: unknown, depth: number): boolean => {
    if (depth > MAX_FILTER_DEPTH || !isObject(n)) return false;
    const keys = Object.keys(n);
    if (keys.length === 1 && (keys[0] === 'and' || keys[0] === 'or')) {
      const list = n[keys[0]];
      return Array.isArray(list) && list.length > 0 && list.every((c) => walk(c, depth + 1));
    }
    if (keys.length === 1 && keys[0] === 'not') return walk(n.not, depth + 1);
    leaves++;
    return (
      typeof n.field === 'string' &&
      n.field.length > 0 &&
      typeof n.op === 'string' &&
      OPERATORS.has(n.op) &&
      keys.every((k) => k === 'field' || k === 'op' || k === 'value')
    );
  };
  return walk(json, 0) && leaves <= MAX_FILTER_LEAVES;
}

/**
 * Reads the list's `filter` search param: a filter tree; links from before trees (a list
 * of conditions, all to hold) still open. Anything malformed is dropped rather than sent.
 */
export function parseFilterSearch(raw: unknown): FilterNode | undefined {
  if (Array.isArray(raw)) {
    const leaves = raw.filter((l) => isFilterTree(l) && 'field' in l) as FilterNode[];
    if (leaves.length === 0) return undefined;
    return leaves.length === 1 ? leaves[0] : { and: leaves };
  }
  return isFilterTree(raw) ? raw : undefined;
}
