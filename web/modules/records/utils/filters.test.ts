import { describe, expect, it } from 'vitest';
import { describeLeaf, filterTargets, parseFilterSearch, takesList, toFilterNode } from './filters';
import { accountsMeta, fieldMeta } from './test-objects';

describe('filter builder helpers', () => {
  it('spells out the parts of composite fields', () => {
    const paths = filterTargets(accountsMeta).map((t) => t.path);
    expect(paths).toContain('address.city');
    expect(paths).toContain('address.country');
    expect(paths).not.toContain('address');
    expect(paths).toContain('annualRevenue');
    expect(paths).toContain('annualRevenue.currency');
  });

  it('sends one condition as a leaf and several under "and"; empty operators carry no value', () => {
    expect(toFilterNode(undefined)).toBeUndefined();
    expect(toFilterNode([{ field: 'name', op: 'contains', value: 'acme' }])).toEqual({
      field: 'name',
      op: 'contains',
      value: 'acme',
    });
    expect(
      toFilterNode([
        { field: 'industry', op: 'in', value: ['software'] },
        { field: 'domain', op: 'isEmpty', value: 'ignored' },
      ]),
    ).toEqual({
      and: [
        { field: 'industry', op: 'in', value: ['software'] },
        { field: 'domain', op: 'isEmpty' },
      ],
    });
  });

  it('keeps only well-formed conditions from the URL', () => {
    expect(parseFilterSearch('nonsense')).toBeUndefined();
    expect(parseFilterSearch([{ field: 'a', op: 'drop table' }, { field: 'b', op: 'eq', value: 1 }, null])).toEqual([
      { field: 'b', op: 'eq', value: 1 },
    ]);
  });

  it('takes lists for in/nin, and for eq on tags and multi-selects', () => {
    expect(takesList(fieldMeta('name', 'text'), 'in')).toBe(true);
    expect(takesList(fieldMeta('name', 'text'), 'eq')).toBe(false);
    expect(takesList(fieldMeta('tags', 'tags'), 'eq')).toBe(true);
  });

  it('describes conditions with option labels', () => {
    const targets = filterTargets(accountsMeta);
    expect(describeLeaf(targets, { field: 'industry', op: 'in', value: ['software', 'retail'] })).toBe(
      'Industry is any of Software, Retail',
    );
    expect(describeLeaf(targets, { field: 'domain', op: 'isNotEmpty' })).toBe('Domain is not empty');
  });
});
