import { describe, expect, it } from 'vitest';
import { accountsMeta } from '../../records/utils/test-objects';
import type { SavedView } from '../api/views.api';
import { differsFrom, leavesOf, stateOf, viewBody } from './view-state';

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
  it('turns "all of these" filter trees back into the builder’s conditions', () => {
    expect(leavesOf({ field: 'industry', op: 'eq', value: 'software' }, accountsMeta)).toEqual([
      { field: 'industry', op: 'eq', value: 'software' },
    ]);
    expect(
      leavesOf(
        {
          and: [
            { field: 'name', op: 'isEmpty' },
            { field: 'address.city', op: 'eq', value: 'Lyon' },
          ],
        },
        accountsMeta,
      ),
    ).toEqual([
      { field: 'name', op: 'isEmpty' },
      { field: 'address.city', op: 'eq', value: 'Lyon' },
    ]);
    // Shapes the builder cannot show, or fields this user cannot see: not applied.
    expect(leavesOf({ or: [{ field: 'name', op: 'isEmpty' }] }, accountsMeta)).toBeNull();
    expect(leavesOf({ field: 'secret', op: 'eq', value: 1 }, accountsMeta)).toBeNull();
    expect(leavesOf(null, accountsMeta)).toBeUndefined();
  });

  it('keeps only visible columns and board fields, and round-trips through the request body', () => {
    const board = view({ kind: 'board', groupBy: 'industry', sumField: 'annualRevenue', columns: ['name', 'gone'] });
    const state = stateOf(board, accountsMeta);
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
    expect(stateOf(view({ kind: 'board', groupBy: 'hiddenField' }), accountsMeta).board).toBeUndefined();
  });

  it('notices when the page no longer shows what the view saved', () => {
    const v = view({ sort: '-name', filter: { field: 'industry', op: 'eq', value: 'software' } });
    const same = stateOf(v, accountsMeta);
    expect(differsFrom(v, accountsMeta, same)).toBe(false);
    expect(differsFrom(v, accountsMeta, { ...same, sort: undefined })).toBe(true);
    expect(differsFrom(v, accountsMeta, { ...same, filter: [] })).toBe(true);
    expect(differsFrom(v, accountsMeta, { ...same, board: 'industry' })).toBe(true);
    expect(differsFrom(view(), accountsMeta, { filter: [] })).toBe(false);
  });
});
