import type { FilterNode } from '../../../../common/filter';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { type FilterLeaf, toFilterNode } from '../../records/utils/filters';
import type { SavedView, ViewCreate } from '../api/views.api';

/** What a list or board shows: the part of the page a saved view captures. */
export interface ViewState {
  sort?: string;
  filter?: FilterLeaf[];
  /** Column names in order; undefined = the object's default columns. */
  columns?: string[];
  /** Set for a board: the select field whose options are the columns. */
  board?: string;
  sum?: string;
}

/**
 * A saved filter tree back as the list's conditions. The filter builder edits "all of
 * these" lists, so a tree of another shape (or naming fields this user cannot see)
 * comes back as null and the view applies without its filter.
 */
export function leavesOf(node: FilterNode | null | undefined, meta: ObjectMeta): FilterLeaf[] | undefined | null {
  if (!node) return undefined;
  const list = 'and' in node ? node.and : [node];
  const leaves: FilterLeaf[] = [];
  for (const n of list) {
    if (!('field' in n)) return null;
    const name = n.field.split('.')[0] ?? '';
    if (!meta.fields.some((f) => f.name === name)) return null;
    leaves.push(n.value === undefined ? { field: n.field, op: n.op } : { field: n.field, op: n.op, value: n.value });
  }
  return leaves.length ? leaves : undefined;
}

/** The page state a saved view stands for, keeping only fields the caller can see. */
export function stateOf(view: SavedView, meta: ObjectMeta): ViewState {
  const known = new Set(meta.fields.map((f) => f.name));
  const columns = view.columns?.filter((c) => known.has(c));
  const isBoard = view.kind === 'board' && !!view.groupBy && known.has(view.groupBy);
  return {
    sort: view.sort ?? undefined,
    filter: leavesOf(view.filter, meta) ?? undefined,
    columns: columns?.length ? columns : undefined,
    board: isBoard ? (view.groupBy as string) : undefined,
    sum: isBoard && view.sumField && known.has(view.sumField) ? view.sumField : undefined,
  };
}

/** The body that saves `state` as a view of `object`. */
export function viewBody(object: string, state: ViewState): Omit<ViewCreate, 'name'> & { object: string } {
  return {
    object,
    kind: state.board ? 'board' : 'list',
    filter: toFilterNode(state.filter) ?? null,
    sort: state.sort ?? null,
    columns: state.columns ?? null,
    groupBy: state.board ?? null,
    sumField: state.board ? (state.sum ?? null) : null,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** True when the page shows something other than what the view saved (to offer "Save changes"). */
export function differsFrom(view: SavedView, meta: ObjectMeta, state: ViewState): boolean {
  const saved = stateOf(view, meta);
  return (
    !same(saved.sort, state.sort) ||
    !same(saved.filter ?? [], state.filter ?? []) ||
    !same(saved.columns, state.columns) ||
    !same(saved.board, state.board) ||
    !same(saved.sum, state.sum)
  );
}
