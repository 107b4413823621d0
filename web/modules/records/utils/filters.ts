import type { FilterNode, FilterOperator } from '../../../../common/filter';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';

/** One condition of the list's filter: `{ field, op, value }`, as the API takes it. */
export interface FilterLeaf {
  field: string;
  op: FilterOperator;
  value?: unknown;
}

export const OPERATOR_LABELS: Record<FilterOperator, string> = {
  eq: 'is',
  ne: 'is not',
  in: 'is any of',
  nin: 'is none of',
  gt: 'is greater than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  contains: 'contains',
  startsWith: 'starts with',
  endsWith: 'ends with',
  isEmpty: 'is empty',
  isNotEmpty: 'is not empty',
};

const OPERATORS = new Set(Object.keys(OPERATOR_LABELS));

/** Operators that take no value. */
export const isUnary = (op: FilterOperator) => op === 'isEmpty' || op === 'isNotEmpty';

/** Operators that take a list of values for this field (tags and multi-selects take a set for `eq` too). */
export function takesList(field: FieldMeta, op: FilterOperator): boolean {
  if (op === 'in' || op === 'nin') return true;
  return (op === 'eq' || op === 'ne') && (field.type === 'multiSelect' || field.type === 'tags');
}

/** A filterable path: a field, or one part of a composite field (`address.city`, `annualRevenue.currency`). */
export interface FilterTarget {
  path: string;
  label: string;
  field: FieldMeta;
  operators: FilterOperator[];
}

const TEXT_OPS: FilterOperator[] = [
  'eq',
  'ne',
  'in',
  'nin',
  'contains',
  'startsWith',
  'endsWith',
  'isEmpty',
  'isNotEmpty',
];

/** What the filter builder offers for an object: every field with operators, composite parts spelled out. */
export function filterTargets(meta: ObjectMeta): FilterTarget[] {
  const out: FilterTarget[] = [];
  for (const f of meta.fields) {
    if (f.filterOperators.length === 0) continue;
    if (f.type === 'address') {
      for (const [part, label] of [
        ['city', 'city'],
        ['region', 'region'],
        ['postalCode', 'postal code'],
        ['country', 'country'],
      ] as const) {
        out.push({ path: `${f.name}.${part}`, label: `${f.label}: ${label}`, field: f, operators: TEXT_OPS });
      }
      continue;
    }
    out.push({ path: f.name, label: f.label, field: f, operators: f.filterOperators });
    if (f.type === 'money') {
      out.push({ path: `${f.name}.currency`, label: `${f.label}: currency`, field: f, operators: TEXT_OPS });
    }
  }
  return out;
}

/** Reads the `filter` search param back; anything malformed is dropped rather than sent. */
export function parseFilterSearch(raw: unknown): FilterLeaf[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const leaves = raw.filter(
    (l): l is FilterLeaf =>
      typeof l === 'object' &&
      l !== null &&
      typeof (l as FilterLeaf).field === 'string' &&
      OPERATORS.has((l as FilterLeaf).op),
  );
  return leaves.length ? leaves : undefined;
}

/** The API's filter tree for a list of conditions (all must hold). */
export function toFilterNode(leaves: FilterLeaf[] | undefined): FilterNode | undefined {
  if (!leaves?.length) return undefined;
  const nodes: FilterNode[] = leaves.map((l) => (isUnary(l.op) ? { field: l.field, op: l.op } : { ...l }));
  return nodes.length === 1 ? nodes[0] : { and: nodes };
}

/** `Industry is Software`, for the chips above the list. */
export function describeLeaf(targets: FilterTarget[], leaf: FilterLeaf): string {
  const target = targets.find((t) => t.path === leaf.field);
  const label = target?.label ?? leaf.field;
  if (isUnary(leaf.op)) return `${label} ${OPERATOR_LABELS[leaf.op]}`;
  const show = (v: unknown) => {
    if (target?.field.options) return target.field.options.find((o) => o.value === v)?.label ?? String(v);
    return String(v);
  };
  const value = Array.isArray(leaf.value) ? leaf.value.map(show).join(', ') : show(leaf.value);
  return `${label} ${OPERATOR_LABELS[leaf.op]} ${value}`;
}
