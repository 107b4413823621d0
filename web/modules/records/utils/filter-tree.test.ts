import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkFilterTree, FILTER_OPERATORS, type FilterNode } from '../../../../common/filter';
import {
  changeLeaf,
  countConditions,
  filterParts,
  fromDraft,
  type GroupItem,
  negated,
  newCondition,
  newGroup,
  pruneDraft,
  removeItem,
  sameJson,
  toDraft,
  toggleNot,
  treeDepth,
  unknownFields,
  updateItem,
  withoutPart,
} from './filter-tree';
import { filterTargets } from './filters';
import { accountsMeta, contactsMeta } from './test-objects';

/** Any tree the API's own check accepts: every node shape, nots on anything, values or none. */
const leafArb = fc.record(
  {
    field: fc.constantFrom('name', 'industry', 'address.city', 'account.industry', 'accountId.name', 'score'),
    op: fc.constantFrom(...FILTER_OPERATORS),
    value: fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.string(), { minLength: 1, maxLength: 3 })),
  },
  { requiredKeys: ['field', 'op'] },
) as fc.Arbitrary<FilterNode>;

const treeArb: fc.Arbitrary<FilterNode> = fc
  .letrec<{ node: FilterNode }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leafArb,
      fc.record({ and: fc.array(tie('node'), { minLength: 1, maxLength: 4 }) }),
      fc.record({ or: fc.array(tie('node'), { minLength: 1, maxLength: 4 }) }),
      fc.record({ not: tie('node') }),
    ),
  }))
  .node.filter((t) => checkFilterTree(t).length === 0);

describe('filter tree ↔ builder draft', () => {
  it('gives back exactly the tree it was given, for any tree the API accepts', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        expect(fromDraft(toDraft(tree))).toEqual(tree);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps a tree with values everywhere unchanged through Apply (pruning drops nothing complete)', () => {
    fc.assert(
      fc.property(treeArb, (tree) => {
        const withValues = JSON.parse(JSON.stringify(tree), (_k, v) =>
          v && typeof v === 'object' && 'field' in v && !('value' in v) ? { ...v, value: 'x' } : v,
        ) as FilterNode;
        expect(fromDraft(pruneDraft(toDraft(withValues)))).toEqual(withValues);
      }),
      { numRuns: 300 },
    );
  });

  it('shows the top level as a group: a bare condition, an explicit group, a negated whole', () => {
    const leaf: FilterNode = { field: 'name', op: 'eq', value: 'Acme' };
    expect(toDraft(leaf)).toMatchObject({ bare: true, root: { match: 'and', nots: 0, children: [{ leaf }] } });
    expect(toDraft({ and: [leaf] })).toMatchObject({ bare: false, root: { match: 'and', children: [{ leaf }] } });
    expect(toDraft({ not: leaf })).toMatchObject({ bare: true, root: { nots: 0, children: [{ nots: 1, leaf }] } });
    const d = toDraft({ not: { or: [leaf, { not: { not: leaf } }] } });
    expect(d).toMatchObject({ bare: false, root: { match: 'or', nots: 1 } });
    expect(negated(d.root)).toBe(true);
    expect(d.root.children.map((c) => c.nots)).toEqual([0, 2]);
    expect(d.root.children.map(negated)).toEqual([false, false]);
    expect(toDraft(undefined)).toMatchObject({ bare: true, root: { children: [] } });
    expect(fromDraft(toDraft(undefined))).toBeUndefined();
  });

  it('edits: add an OR group with a NOT condition, change match, remove, toggle', () => {
    const targets = filterTargets(accountsMeta);
    const industry = targets.find((t) => t.path === 'industry');
    let d = toDraft({ field: 'name', op: 'startsWith', value: 'A' });
    const group = newGroup(industry);
    let root: GroupItem = { ...d.root, children: [...d.root.children, group] };
    const [cond] = group.children;
    if (cond?.kind !== 'condition') throw new Error('a new group starts with a condition');
    root = updateItem(root, cond.id, (c) =>
      c.kind === 'condition' ? toggleNot({ ...c, leaf: { ...c.leaf, value: 'software' } }) : c,
    );
    const second = newCondition(targets.find((t) => t.path === 'domain'));
    root = updateItem(root, group.id, (g) => (g.kind === 'group' ? { ...g, children: [...g.children, second] } : g));
    root = updateItem(root, second.id, (c) =>
      c.kind === 'condition' ? { ...c, leaf: changeLeaf(c.leaf, { op: 'isEmpty' }) } : c,
    );
    d = { ...d, root };
    expect(fromDraft(pruneDraft(d))).toEqual({
      and: [
        { field: 'name', op: 'startsWith', value: 'A' },
        { or: [{ not: { field: 'industry', op: 'eq', value: 'software' } }, { field: 'domain', op: 'isEmpty' }] },
      ],
    });
    // Top level "any", and the group gone again: back to a bare condition.
    d = { ...d, root: removeItem({ ...d.root, match: 'or' }, group.id) };
    expect(fromDraft(d)).toEqual({ field: 'name', op: 'startsWith', value: 'A' });
    // A negated top level wraps the whole group.
    expect(fromDraft({ ...d, root: toggleNot(d.root) })).toEqual({
      not: { or: [{ field: 'name', op: 'startsWith', value: 'A' }] },
    });
  });

  it('drops unfinished conditions and the groups they leave empty when applying', () => {
    const d = toDraft({
      and: [{ field: 'name', op: 'eq', value: 'x' }, { or: [{ field: 'industry', op: 'eq', value: 'software' }] }],
    });
    const inner = d.root.children[1] as GroupItem;
    const cleared = updateItem(d.root, (inner.children[0] as { id: string }).id, (c) =>
      c.kind === 'condition' ? { ...c, leaf: { field: c.leaf.field, op: 'in' } } : c,
    );
    expect(fromDraft(pruneDraft({ ...d, root: cleared }))).toEqual({ and: [{ field: 'name', op: 'eq', value: 'x' }] });
    expect(fromDraft(pruneDraft(toDraft({ field: 'name', op: 'contains' } as FilterNode)))).toBeUndefined();
  });

  it('reshapes a value when the operator changes between one value and a list, and drops it for empty checks', () => {
    expect(changeLeaf({ field: 'a', op: 'eq', value: 'x' }, { op: 'in' })).toEqual({
      field: 'a',
      op: 'in',
      value: ['x'],
    });
    expect(changeLeaf({ field: 'a', op: 'in', value: ['x'] }, { op: 'ne' })).toEqual({
      field: 'a',
      op: 'ne',
      value: 'x',
    });
    expect(changeLeaf({ field: 'a', op: 'in', value: ['x', 'y'] }, { op: 'eq' })).toEqual({ field: 'a', op: 'eq' });
    expect(changeLeaf({ field: 'a', op: 'eq', value: 'x' }, { op: 'isEmpty' })).toEqual({ field: 'a', op: 'isEmpty' });
    expect(changeLeaf({ field: 'a', op: 'eq', value: 'x' }, { op: 'contains' })).toEqual({
      field: 'a',
      op: 'contains',
      value: 'x',
    });
  });
});

describe('filter tree helpers', () => {
  const tree: FilterNode = {
    or: [
      { field: 'account.industry', op: 'eq', value: 'software' },
      {
        not: {
          and: [
            { field: 'lastName', op: 'isEmpty' },
            { field: 'secret', op: 'eq', value: 1 },
          ],
        },
      },
    ],
  };

  it('counts conditions and levels as the API does', () => {
    expect(countConditions(tree)).toBe(3);
    expect(countConditions(undefined)).toBe(0);
    expect(treeDepth(tree)).toBe(3);
    expect(treeDepth({ field: 'a', op: 'isEmpty' })).toBe(0);
  });

  it('finds fields the caller cannot filter on, relation paths included', () => {
    expect(unknownFields(tree, filterTargets(contactsMeta, [accountsMeta]))).toEqual(['secret']);
    expect(unknownFields(tree, filterTargets(contactsMeta))).toEqual(['account.industry', 'secret']);
  });

  it('splits the top level into removable chips', () => {
    expect(filterParts(tree)).toEqual({ match: 'or', parts: tree.or });
    expect(withoutPart(tree, 1)).toEqual({ field: 'account.industry', op: 'eq', value: 'software' });
    const three: FilterNode = {
      and: [
        { field: 'a', op: 'isEmpty' },
        { field: 'b', op: 'isEmpty' },
        { field: 'c', op: 'isEmpty' },
      ],
    };
    expect(withoutPart(three, 0)).toEqual({
      and: [
        { field: 'b', op: 'isEmpty' },
        { field: 'c', op: 'isEmpty' },
      ],
    });
    // A negated whole is one chip; removing it clears the filter.
    expect(filterParts({ not: tree }).parts).toEqual([{ not: tree }]);
    expect(withoutPart({ not: tree }, 0)).toBeUndefined();
  });

  it('compares trees whatever the key order (jsonb reorders keys)', () => {
    expect(
      sameJson({ op: 'eq', field: 'a', value: [1, { x: 2 }] }, { field: 'a', op: 'eq', value: [1, { x: 2 }] }),
    ).toBe(true);
    expect(sameJson({ field: 'a', op: 'eq', value: [1, 2] }, { field: 'a', op: 'eq', value: [2, 1] })).toBe(false);
    expect(sameJson({ field: 'a', op: 'isEmpty' }, { field: 'a', op: 'isEmpty', value: null })).toBe(false);
  });
});
