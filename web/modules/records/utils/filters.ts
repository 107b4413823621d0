import type { ComponentType } from 'react';
import type { ADDRESS_PARTS, MONEY_PARTS } from '../../../../common/fields/field-values';
import {
  type FilterKind,
  type FilterNode,
  type FilterOperator,
  filterKind,
  OPS_BY_KIND,
} from '../../../../common/filter-ops';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';

/** One condition of a filter: `{ field, op, value }`, as the API takes it. */
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
  near: 'is near',
  within: 'is within',
};

/** Date fields read better with before/after than with greater/less. */
const DATE_LABELS: Partial<Record<FilterOperator, string>> = {
  gt: 'is after',
  gte: 'is on or after',
  lt: 'is before',
  lte: 'is on or before',
};

/** Operators that take no value. */
export const isUnary = (op: FilterOperator) => op === 'isEmpty' || op === 'isNotEmpty';

/** A filterable path: a field, a part of a composite field (`address.city`), or a field of a related record. */
export interface FilterTarget {
  /** As the API spells it: `industry`, `address.city`, `account.industry`. */
  path: string;
  /** Other spellings the API takes for the same thing (`accountId.industry`, `annualRevenue.amount`). */
  aliases?: string[];
  label: string;
  /** The object's singular label, or the relation's label for fields of related records (for grouping). */
  group: string;
  /** The field compared (on the related object for `account.industry`). */
  field: FieldMeta;
  /** The part of a composite field (`city` of an address, `currency` of money). */
  sub?: string;
  operators: FilterOperator[];
  /** Words for the operators when not the usual ones (behaviour conditions: "page contains"). */
  operatorLabels?: Partial<Record<FilterOperator, string>>;
  /** A value box of its own (behaviour conditions' `{ page, days }`), shown for every operator. */
  valueInput?: ComponentType<{ op: FilterOperator; value: unknown; onChange: (value: unknown) => void }>;
}

/** The label of an operator for this target (`is before` for dates). */
export function operatorLabel(target: FilterTarget | undefined, op: FilterOperator): string {
  const own = target?.operatorLabels?.[op];
  if (own) return own;
  const kind = target ? kindOf(target) : undefined;
  return ((kind === 'date' || kind === 'datetime') && DATE_LABELS[op]) || OPERATOR_LABELS[op];
}

/** How the target's values compare (the API's rule, from common/filter.ts). */
export const kindOf = (t: FilterTarget): FilterKind => filterKind(t.field, t.sub);

/** Operators that take a list of values for this target (tags and multi-selects take a set for `eq` too). */
export function takesList(target: FilterTarget | FieldMeta, op: FilterOperator): boolean {
  if (op === 'in' || op === 'nin') return true;
  const kind = 'path' in target ? kindOf(target) : filterKind(target);
  return (op === 'eq' || op === 'ne') && kind === 'array';
}

const ADDRESS_LABELS: Record<(typeof ADDRESS_PARTS)[number], string> = {
  street: 'street',
  city: 'city',
  region: 'region',
  postalCode: 'postal code',
  country: 'country',
  latitude: 'latitude',
  longitude: 'longitude',
  geoPrecision: 'coordinates precision',
  geoSource: 'coordinates source',
};
const MONEY_LABELS: Record<Exclude<(typeof MONEY_PARTS)[number], 'amount'>, string> = { currency: 'currency' };

/** The object's own fields with their operators, composite parts spelled out. */
function ownTargets(meta: ObjectMeta): FilterTarget[] {
  const out: FilterTarget[] = [];
  const group = meta.label;
  for (const f of meta.fields) {
    if (f.filterOperators.length === 0) continue;
    const part = (sub: string, label: string): FilterTarget => ({
      path: `${f.name}.${sub}`,
      label: `${f.label}: ${label}`,
      group,
      field: f,
      sub,
      operators: [...OPS_BY_KIND[filterKind(f, sub)]],
    });
    if (f.type === 'address') {
      for (const [sub, label] of Object.entries(ADDRESS_LABELS)) out.push(part(sub, label));
      continue;
    }
    // A bare money field compares its amount.
    const aliases = f.type === 'money' ? [`${f.name}.amount`] : undefined;
    out.push({ path: f.name, aliases, label: f.label, group, field: f, operators: f.filterOperators });
    if (f.type === 'money') for (const [sub, label] of Object.entries(MONEY_LABELS)) out.push(part(sub, label));
  }
  return out;
}

/** How a to-one relation field is named in a filter path: `accountId` → `account` (the API takes both). */
export const relationPrefix = (f: FieldMeta) =>
  f.name.length > 2 && f.name.endsWith('Id') ? f.name.slice(0, -2) : f.name;

/**
 * What the filter builder offers for an object: its own fields, then the fields of each
 * record it points to through a to-one relation (one hop, as the API allows).
 */
/**
 * The condition a new filter starts on: the record's title (a name), else its first
 * field people fill in — never the ID or another system field.
 */
export function startTarget(meta: ObjectMeta, targets: FilterTarget[]): FilterTarget | undefined {
  const own = targets.filter((t) => !t.path.includes('.') || meta.fields.some((f) => f.name === t.path.split('.')[0]));
  const byName = (name: string | undefined) => (name ? own.find((t) => t.path === name) : undefined);
  const system = new Set(['id', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy', 'teamId']);
  const filled = own.filter((t) => !system.has(t.field.name) && !t.field.hidden && !t.field.readOnly);
  return (
    meta.titleFields.map(byName).find(Boolean) ??
    byName(meta.subtitleFields[0]) ??
    filled.find((t) => ['text', 'email', 'phone', 'select'].includes(t.field.type)) ??
    filled[0] ??
    targets.find((t) => t.path !== 'id') ??
    targets[0]
  );
}

export function filterTargets(meta: ObjectMeta, objects: ObjectMeta[] = []): FilterTarget[] {
  const out = ownTargets(meta);
  for (const f of meta.fields) {
    if (f.type !== 'relation' || f.relation?.cardinality !== 'one' || f.filterOperators.length === 0) continue;
    const related = objects.find((o) => o.name === f.relation?.object);
    if (!related) continue;
    const prefix = relationPrefix(f);
    for (const t of ownTargets(related)) {
      out.push({
        ...t,
        path: `${prefix}.${t.path}`,
        aliases: [prefix, ...(prefix === f.name ? [] : [f.name])].flatMap((p) =>
          [t.path, ...(t.aliases ?? [])].map((x) => `${p}.${x}`).filter((x) => x !== `${prefix}.${t.path}`),
        ),
        label: `${f.label} › ${t.label}`,
        group: f.label,
      });
    }
  }
  return out;
}

/** The target a condition's path names, under either spelling. */
export const findTarget = (targets: FilterTarget[], path: string) =>
  targets.find((t) => t.path === path || t.aliases?.includes(path));

/** The builder's "Field" choices, grouped by object ("Contact", then "Account" for account.*). */
export function targetOptions(targets: FilterTarget[]) {
  const groups = new Map<string, { value: string; label: string }[]>();
  for (const t of targets) {
    const items = groups.get(t.group) ?? [];
    items.push({ value: t.path, label: t.label });
    groups.set(t.group, items);
  }
  return [...groups].map(([group, items]) => ({ group, items }));
}

const showValue = (target: FilterTarget | undefined, v: unknown) => {
  if (target?.field.options && !target.sub) return target.field.options.find((o) => o.value === v)?.label ?? String(v);
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  return String(v);
};

/** `Industry is Software`, for the chips above the list. */
export function describeLeaf(targets: FilterTarget[], leaf: FilterLeaf): string {
  const target = findTarget(targets, leaf.field);
  const label = target?.label ?? leaf.field;
  const op = operatorLabel(target, leaf.op);
  if (isUnary(leaf.op)) return `${label} ${op}`;
  if (leaf.op === 'near' || leaf.op === 'within') return `${label} ${op} ${geoValue(leaf.op, leaf.value)}`;
  const value = Array.isArray(leaf.value)
    ? leaf.value.map((v) => showValue(target, v)).join(', ')
    : showValue(target, leaf.value);
  return `${label} ${op} ${value}`;
}

/** A near / within value in words: "Lyon, FR (50 km)", "45.76, 4.84 (10 km)", "the drawn area", "FR, postal codes 69…". */
function geoValue(op: 'near' | 'within', value: unknown): string {
  const v = (value ?? {}) as Record<string, unknown>;
  if (op === 'near') {
    const where = typeof v.place === 'string' ? v.place : `${v.lat}, ${v.lng}`;
    return `${where} (${v.radiusKm} km)`;
  }
  if (v.polygon) return 'the drawn area';
  return [v.country, v.region, v.postalCodePrefix ? `postal codes ${v.postalCodePrefix}…` : undefined]
    .filter((x) => typeof x === 'string' && x)
    .join(', ');
}

/**
 * A whole filter tree in words: `Industry is Software or not (Name contains acme)`.
 * Groups inside groups are bracketed; a negated condition reads `not …`.
 */
export function describeNode(targets: FilterTarget[], node: FilterNode, nested = false): string {
  if ('field' in node) return describeLeaf(targets, node);
  if ('not' in node) {
    const inner = node.not;
    return `not ${'field' in inner ? describeLeaf(targets, inner) : describeNode(targets, inner, true)}`;
  }
  const [word, list] = 'and' in node ? ['and', node.and] : ['or', node.or];
  const text = list.map((n) => describeNode(targets, n, true)).join(` ${word} `);
  return nested && list.length > 1 ? `(${text})` : text;
}
