import type { FilterNode, FilterOperator } from '../../../../common/filter-ops';
import { type FilterLeaf, type FilterTarget, findTarget, isUnary } from './filters';

/*
 * The filter builder edits a draft that mirrors the API's filter tree node for node, so
 * any tree the API accepts comes back out exactly as it went in (a saved view opened,
 * applied and saved again is the same tree): `{not: …}` wrappers are counted on the item
 * they wrap, and `bare` remembers that the tree had no group at its top.
 */

export type Match = 'and' | 'or';

export interface ConditionItem {
  kind: 'condition';
  id: string;
  /** How many `{not: …}` wrap this condition (the UI shows "not" when odd). */
  nots: number;
  /** The condition as the API spells it (a value the API ignores, on isEmpty, is kept). */
  leaf: FilterLeaf;
}

export interface GroupItem {
  kind: 'group';
  id: string;
  nots: number;
  match: Match;
  children: FilterItem[];
}

export type FilterItem = ConditionItem | GroupItem;

/** The builder's state: the top-level group; `bare` when the tree was a single (maybe negated) condition. */
export interface FilterDraft {
  root: GroupItem;
  bare: boolean;
}

let seq = 0;
const nextId = () => `f${++seq}`;

/** Whether an item reads as negated (an even number of nots cancels out). */
export const negated = (item: FilterItem) => item.nots % 2 === 1;

/** The item with its "not" switched (any stack of nots collapses to one or none). */
export const toggleNot = <T extends FilterItem>(item: T): T => ({ ...item, nots: negated(item) ? 0 : 1 });

export const newCondition = (target: FilterTarget | undefined): ConditionItem => ({
  kind: 'condition',
  id: nextId(),
  nots: 0,
  leaf: { field: target?.path ?? '', op: target?.operators[0] ?? 'eq' },
});

export const newGroup = (target: FilterTarget | undefined, match: Match = 'or'): GroupItem => ({
  kind: 'group',
  id: nextId(),
  nots: 0,
  match,
  children: [newCondition(target)],
});

function toItem(node: FilterNode): FilterItem {
  let nots = 0;
  let n = node;
  while ('not' in n) {
    nots++;
    n = n.not;
  }
  if ('and' in n) return { kind: 'group', id: nextId(), nots, match: 'and', children: n.and.map(toItem) };
  if ('or' in n) return { kind: 'group', id: nextId(), nots, match: 'or', children: n.or.map(toItem) };
  const leaf: FilterLeaf = { field: n.field, op: n.op };
  if ('value' in n) leaf.value = n.value;
  return { kind: 'condition', id: nextId(), nots, leaf };
}

/** The builder's draft for a filter tree (none: an empty "all of" group). */
export function toDraft(node: FilterNode | undefined): FilterDraft {
  if (!node) return { root: { kind: 'group', id: nextId(), nots: 0, match: 'and', children: [] }, bare: true };
  const item = toItem(node);
  if (item.kind === 'group') return { root: item, bare: false };
  return { root: { kind: 'group', id: nextId(), nots: 0, match: 'and', children: [item] }, bare: true };
}

function toNode(item: FilterItem): FilterNode {
  let node: FilterNode =
    item.kind === 'condition'
      ? { ...item.leaf }
      : item.match === 'and'
        ? { and: item.children.map(toNode) }
        : { or: item.children.map(toNode) };
  for (let i = 0; i < item.nots; i++) node = { not: node };
  return node;
}

/** The filter tree a draft stands for (undefined when it has no conditions). */
export function fromDraft(draft: FilterDraft): FilterNode | undefined {
  const { root, bare } = draft;
  if (root.children.length === 0) return undefined;
  const [only] = root.children;
  if (bare && only && root.children.length === 1 && root.nots === 0) return toNode(only);
  return toNode(root);
}

/** A condition the API can run: a value where the operator needs one. */
export function isComplete(leaf: FilterLeaf): boolean {
  if (!leaf.field) return false;
  if (isUnary(leaf.op)) return true;
  return leaf.value !== undefined && leaf.value !== null && !(Array.isArray(leaf.value) && leaf.value.length === 0);
}

function pruneItem(item: FilterItem): FilterItem | undefined {
  if (item.kind === 'condition') return isComplete(item.leaf) ? item : undefined;
  const children = item.children.map(pruneItem).filter((c): c is FilterItem => !!c);
  return children.length ? { ...item, children } : undefined;
}

/** The draft without unfinished conditions and the groups they leave empty (what Apply sends). */
export function pruneDraft(draft: FilterDraft): FilterDraft {
  const children = draft.root.children.map(pruneItem).filter((c): c is FilterItem => !!c);
  return { ...draft, root: { ...draft.root, children } };
}

/** The group item `id` changed by `fn`, anywhere in the tree. */
export function updateItem(group: GroupItem, id: string, fn: (item: FilterItem) => FilterItem): GroupItem {
  if (group.id === id) return fn(group) as GroupItem;
  return {
    ...group,
    children: group.children.map((c) => (c.id === id ? fn(c) : c.kind === 'group' ? updateItem(c, id, fn) : c)),
  };
}

/** The group without item `id`, anywhere in the tree. */
export function removeItem(group: GroupItem, id: string): GroupItem {
  return {
    ...group,
    children: group.children.filter((c) => c.id !== id).map((c) => (c.kind === 'group' ? removeItem(c, id) : c)),
  };
}

/** Changing the field or operator: a value that no longer fits is dropped. */
export function changeLeaf(leaf: FilterLeaf, next: { field?: string; op?: FilterOperator }): FilterLeaf {
  const field = next.field ?? leaf.field;
  const op = next.op ?? leaf.op;
  if (field !== leaf.field || isUnary(op)) return { field, op };
  // Between one-value and many-value operators the value changes shape.
  const many = (o: FilterOperator) => o === 'in' || o === 'nin';
  if (many(op) !== many(leaf.op)) {
    const v = leaf.value;
    if (many(op)) return v === undefined || v === '' ? { field, op } : { field, op, value: [v] };
    return Array.isArray(v) && v.length === 1 ? { field, op, value: v[0] } : { field, op };
  }
  return { ...leaf, op };
}

/** Conditions in a tree (the count on the Filter button). */
export function countConditions(node: FilterNode | undefined): number {
  if (!node) return 0;
  if ('field' in node) return 1;
  if ('not' in node) return countConditions(node.not);
  return ('and' in node ? node.and : node.or).reduce((n, c) => n + countConditions(c), 0);
}

/** Levels of nesting, as the API counts them (it takes at most MAX_FILTER_DEPTH). */
export function treeDepth(node: FilterNode): number {
  if ('field' in node) return 0;
  if ('not' in node) return 1 + treeDepth(node.not);
  return 1 + Math.max(...('and' in node ? node.and : node.or).map(treeDepth));
}

/** Levels of groups in an item (a condition: 0), for limiting how deep the builder nests. */
export function groupDepth(item: FilterItem): number {
  if (item.kind === 'condition') return 0;
  return 1 + Math.max(0, ...item.children.map(groupDepth));
}

/** Field paths the tree names that the caller cannot filter on (hidden from them, or gone). */
export function unknownFields(node: FilterNode, targets: FilterTarget[]): string[] {
  if ('field' in node) return findTarget(targets, node.field) ? [] : [node.field];
  if ('not' in node) return unknownFields(node.not, targets);
  return ('and' in node ? node.and : node.or).flatMap((c) => unknownFields(c, targets));
}

/** Deep equality of two JSON values whatever the key order (the server stores filters as jsonb). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => k in b && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

/**
 * The parts shown as chips above the list: the top-level group's members (each removable
 * on its own), or the whole tree as one part when the top level itself is negated.
 */
export function filterParts(node: FilterNode | undefined): { match: Match; parts: FilterNode[] } {
  if (!node) return { match: 'and', parts: [] };
  if ('and' in node) return { match: 'and', parts: node.and };
  if ('or' in node) return { match: 'or', parts: node.or };
  return { match: 'and', parts: [node] };
}

/** The tree without its top-level part `i` (see filterParts). */
export function withoutPart(node: FilterNode | undefined, i: number): FilterNode | undefined {
  if (!node) return undefined;
  const draft = toDraft(node);
  const { root } = draft;
  if (draft.bare || root.nots > 0) return undefined;
  const children = root.children.filter((_, j) => j !== i);
  return fromDraft({ root: { ...root, children }, bare: true });
}
