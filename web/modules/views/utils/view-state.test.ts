import { describe, expect, it } from 'vitest';
import type { FilterNode } from '../../../../common/filter';
import { accountsMeta, contactsMeta } from '../../records/utils/test-objects';
import type { SavedView } from '../api/views.api';
import { differsFrom, filterOf, stateOf, viewBody } from './view-state';

const objects = [accountsMeta, contactsMeta];

const view = (over: Partial<SavedView> = {}): SavedView => ({
  id: 'v1',
  object: 'accounts',
  name: 'Mine',
  ownerId: 'u1',
  shared: false,
  kind: 'list',
  filter: null,
  sort: null,
  columns: null,
  groupBy: null,
  sumField: null,
  createdAt: '',
  updatedAt: '',
  permissions: { update: true, delete: true },
  ...over,
});

describe('saved view ↔ page state', () => {
  it('applies a saved filter tree of any shape as it is, unless it names a field the user cannot see', () => {
    const tree = {
      or: [
        { field: 'industry', op: 'eq', value: 'software' },
        {
          not: {
            and: [
              { field: 'name', op: 'isEmpty' },
              { field: 'address.city', op: 'eq', value: 'Lyon' },
            ],
          },
        },
      ],
    } satisfies FilterNode;
    expect(filterOf(tree, accountsMeta, objects)).toBe(tree);
    expect(filterOf({ field: 'account.industry', op: 'eq', value: 'retail' }, contactsMeta, objects)).toEqual({
      field: 'account.industry',
      op: 'eq',
      value: 'retail',
    });
    // Fields this user cannot see (or a related object they cannot read): not applied.
    expect(filterOf({ or: [{ field: 'secret', op: 'eq', value: 1 }, tree] }, accountsMeta, objects)).toBeNull();
    expect(filterOf({ field: 'account.industry', op: 'eq', value: 'x' }, contactsMeta, [contactsMeta])).toBeNull();
    expect(filterOf({ bogus: true } as never, accountsMeta, objects)).toBeNull();
    expect(filterOf(null, accountsMeta, objects)).toBeUndefined();
  });

  it('saves the very tree it applied (open → save gives the same filter)', () => {
    const tree: FilterNode = {
      not: {
        or: [
          { field: 'industry', op: 'in', value: ['retail'] },
          { field: 'score', op: 'gt', value: 3 },
        ],
      },
    };
    const state = stateOf(view({ filter: tree }), accountsMeta, objects);
    expect(viewBody('accounts', state).filter).toEqual(tree);
  });

  it('keeps only visible columns and board fields, and round-trips through the request body', () => {
    const board = view({ kind: 'board', groupBy: 'industry', sumField: 'annualRevenue', columns: ['name', 'gone'] });
    const state = stateOf(board, accountsMeta, objects);
    expect(state).toEqual({
      sort: undefined,
      filter: undefined,
      columns: ['name'],
      board: 'industry',
      sum: 'annualRevenue',
    });
    expect(viewBody('accounts', state)).toEqual({
      object: 'accounts',
      kind: 'board',
      filter: null,
      sort: null,
      columns: ['name'],
      groupBy: 'industry',
      sumField: 'annualRevenue',
    });
    expect(stateOf(view({ kind: 'board', groupBy: 'hiddenField' }), accountsMeta, objects).board).toBeUndefined();
  });

  it('notices when the page no longer shows what the view saved', () => {
    const v = view({ sort: '-name', filter: { field: 'industry', op: 'eq', value: 'software' } });
    const same = stateOf(v, accountsMeta, objects);
    expect(differsFrom(v, accountsMeta, objects, same)).toBe(false);
    expect(differsFrom(v, accountsMeta, objects, { ...same, sort: undefined })).toBe(true);
    expect(differsFrom(v, accountsMeta, objects, { ...same, filter: undefined })).toBe(true);
    // The server's jsonb puts keys in its own order: still the same filter.
    expect(
      differsFrom(v, accountsMeta, objects, { ...same, filter: { value: 'software', op: 'eq', field: 'industry' } }),
    ).toBe(false);
    expect(
      differsFrom(v, accountsMeta, objects, {
        ...same,
        filter: { or: [{ field: 'industry', op: 'eq', value: 'software' }] },
      }),
    ).toBe(true);
    expect(differsFrom(v, accountsMeta, objects, { ...same, board: 'industry' })).toBe(true);
    expect(differsFrom(view(), accountsMeta, objects, { filter: undefined })).toBe(false);
  });
});
