import type { FilterNode } from '../../../../common/filter';

/** TanStack Query keys for records: invalidating `all(object)` refreshes its lists and pages. */
export const recordKeys = {
  all: (object: string) => ['records', object] as const,
  list: (object: string, params: { sort?: string; filter?: FilterNode }) =>
    ['records', object, 'list', params] as const,
  /** Outside `list`, whose entries are all pages of records (useRecordCache rewrites them). */
  count: (object: string, params: { filter?: FilterNode }) => ['records', object, 'count', params] as const,
  one: (object: string, id: string) => ['records', object, 'one', id] as const,
};
