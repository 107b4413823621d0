import type { FilterNode } from '../../../../common/filter-ops';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { isFilterTree } from '../../records/utils/filter-search';
import { sameJson, unknownFields } from '../../records/utils/filter-tree';
import { filterTargets } from '../../records/utils/filters';
import type { SavedView, ViewCreate } from '../api/views.api';

/** What a list or board shows: the part of the page a saved view captures. */
export interface ViewState {
  sort?: string;
  /** The filter tree, exactly as the API takes it. */
  filter?: FilterNode;
  /** Column names in order; undefined = the object's default columns. */
  columns?: string[];
  /** Set for a board: the select field whose options are the columns. */
  board?: string;
  sum?: string;
}

/**
 * A saved view's filter tree as the page will apply it: the very tree (the builder edits
 * any shape), or null when it names a field this user cannot see (then the view applies
 * without its filter, rather than failing).
 */
export function filterOf(
  node: FilterNode | null | undefined,
  meta: ObjectMeta,
  objects: ObjectMeta[],
): FilterNode | undefined | null {
  if (!node) return undefined;
  if (!isFilterTree(node)) return null;
  return unknownFields(node, filterTargets(meta, objects)).length ? null : node;
}

/** The page state a saved view stands for, keeping only fields the caller can see. */
export function stateOf(view: SavedView, meta: ObjectMeta, objects: ObjectMeta[]): ViewState {
  const known = new Set(meta.fields.map((f) => f.name));
  const columns = view.columns?.filter((c) => known.has(c));
  const isBoard = view.kind === 'board' && !!view.groupBy && known.has(view.groupBy);
  return {
    sort: view.sort ?? undefined,
    filter: filterOf(view.filter as FilterNode | null, meta, objects) ?? undefined,
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
    filter: state.filter ?? null,
    sort: state.sort ?? null,
    columns: state.columns ?? null,
    groupBy: state.board ?? null,
    sumField: state.board ? (state.sum ?? null) : null,
  };
}

const same = (a: unknown, b: unknown) => sameJson(a ?? null, b ?? null);

/** True when the page shows something other than what the view saved (to offer "Save changes"). */
export function differsFrom(view: SavedView, meta: ObjectMeta, objects: ObjectMeta[], state: ViewState): boolean {
  const saved = stateOf(view, meta, objects);
  return (
    !same(saved.sort, state.sort) ||
    !same(saved.filter, state.filter) ||
    !same(saved.columns, state.columns) ||
    !same(saved.board, state.board) ||
    !same(saved.sum, state.sum)
  );
}
