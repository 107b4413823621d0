import { describe, expect, it } from 'vitest';
import { filterKind, OPS_BY_KIND } from '../../../../common/filter';
import { parseFilterSearch } from './filter-search';
import {
  describeLeaf,
  describeNode,
  filterTargets,
  findTarget,
  operatorLabel,
  startTarget,
  takesList,
  targetOptions,
} from './filters';
import { accountsMeta, contactsMeta, fieldMeta } from './test-objects';

const objects = [accountsMeta, contactsMeta];

describe('filter builder targets', () => {
  it('starts a new condition on the title field, never on the ID', () => {
    expect(startTarget(accountsMeta, filterTargets(accountsMeta))?.path).toBe('name');
    expect(startTarget(contactsMeta, filterTargets(contactsMeta, objects))?.path).toBe('firstName');
    const untitled = { ...contactsMeta, titleFields: [], subtitleFields: [] };
    expect(startTarget(untitled, filterTargets(untitled))?.path).toBe('firstName');
  });

  it('spells out every part of composite fields, with the operators the API allows for each', () => {
    const targets = filterTargets(accountsMeta);
    const paths = targets.map((t) => t.path);
    for (const part of ['street', 'city', 'region', 'postalCode', 'country', 'latitude', 'longitude']) {
      expect(paths).toContain(`address.${part}`);
    }
    expect(paths).not.toContain('address');
    expect(paths).toContain('annualRevenue');
    expect(paths).toContain('annualRevenue.currency');
    // Text parts take every operator (gt/lt included), coordinates compare as numbers.
    expect(findTarget(targets, 'address.city')?.operators).toEqual([...OPS_BY_KIND.text]);
    expect(findTarget(targets, 'address.latitude')?.operators).toEqual([...OPS_BY_KIND.number]);
    expect(findTarget(targets, 'annualRevenue.currency')?.operators).toEqual([...OPS_BY_KIND.text]);
    // Whole fields take the metadata's own list.
    expect(findTarget(targets, 'tags')?.operators).toEqual(['eq', 'contains', 'in', 'nin']);
    // The API's other spelling of the amount.
    expect(findTarget(targets, 'annualRevenue.amount')?.path).toBe('annualRevenue');
  });

  it('offers the fields of records a to-one relation points to, one hop, under both spellings', () => {
    const targets = filterTargets(contactsMeta, objects);
    const industry = findTarget(targets, 'account.industry');
    expect(industry).toMatchObject({ label: 'Account › Industry', group: 'Account' });
    expect(industry?.field.options?.map((o) => o.value)).toEqual(['software', 'retail']);
    expect(findTarget(targets, 'accountId.industry')).toBe(industry);
    expect(findTarget(targets, 'account.address.city')?.operators).toEqual([...OPS_BY_KIND.text]);
    expect(findTarget(targets, 'accountId.annualRevenue.amount')?.path).toBe('account.annualRevenue');
    // Two hops are not offered (the API refuses them).
    expect(targets.some((t) => t.path.startsWith('account.parentAccount.'))).toBe(false);
    // Without the related object's metadata (a role that cannot read accounts), none.
    expect(filterTargets(contactsMeta).some((t) => t.path.startsWith('account.'))).toBe(false);
    expect(targetOptions(targets).map((g) => g.group)).toEqual(['Contact', 'Account']);
  });

  it('takes lists for in/nin, and for eq/ne on tags, multi-selects and to-many relations', () => {
    expect(takesList(fieldMeta('name', 'text'), 'in')).toBe(true);
    expect(takesList(fieldMeta('name', 'text'), 'eq')).toBe(false);
    expect(takesList(fieldMeta('tags', 'tags'), 'eq')).toBe(true);
    expect(takesList(fieldMeta('tags', 'tags'), 'contains')).toBe(false);
    expect(takesList(fieldMeta('c', 'relation', { relation: { object: 'x', cardinality: 'many' } }), 'ne')).toBe(true);
    expect(filterKind(fieldMeta('c', 'relation', { relation: { object: 'x', cardinality: 'one' } }))).toBe('uuid');
  });

  it('labels operators by the field: dates are before/after', () => {
    const targets = filterTargets(accountsMeta);
    expect(operatorLabel(findTarget(targets, 'createdAt'), 'lt')).toBe('is before');
    expect(operatorLabel(findTarget(targets, 'score'), 'lt')).toBe('is less than');
  });
});

describe('filters in words', () => {
  const targets = filterTargets(contactsMeta, objects);

  it('describes conditions with option labels', () => {
    const own = filterTargets(accountsMeta);
    expect(describeLeaf(own, { field: 'industry', op: 'in', value: ['software', 'retail'] })).toBe(
      'Industry is any of Software, Retail',
    );
    expect(describeLeaf(own, { field: 'domain', op: 'isNotEmpty' })).toBe('Domain is not empty');
    expect(describeLeaf(targets, { field: 'accountId.industry', op: 'eq', value: 'retail' })).toBe(
      'Account › Industry is Retail',
    );
  });

  it('describes radius and area conditions on an address', () => {
    expect(describeLeaf(targets, { field: 'address', op: 'near', value: { place: 'Lyon, FR', radiusKm: 50 } })).toBe(
      'address is near Lyon, FR (50 km)',
    );
    expect(describeLeaf(targets, { field: 'address', op: 'near', value: { lat: 45.7, lng: 4.8, radiusKm: 5 } })).toBe(
      'address is near 45.7, 4.8 (5 km)',
    );
    expect(
      describeLeaf(targets, { field: 'address', op: 'within', value: { country: 'FR', postalCodePrefix: '69' } }),
    ).toBe('address is within FR, postal codes 69…');
  });

  it('describes trees with and/or, brackets for nested groups and not', () => {
    expect(
      describeNode(targets, {
        or: [
          { field: 'account.industry', op: 'eq', value: 'software' },
          { not: { field: 'lastName', op: 'startsWith', value: 'B' } },
          {
            and: [{ field: 'email', op: 'isEmpty' }, { not: { or: [{ field: 'firstName', op: 'eq', value: 'Ada' }] } }],
          },
        ],
      }),
    ).toBe('Account › Industry is Software or not LastName starts with B or (Email is empty and not FirstName is Ada)');
  });
});

describe('the filter in the URL', () => {
  it('keeps well-formed trees, drops malformed ones', () => {
    const tree = { or: [{ field: 'a', op: 'eq', value: 1 }, { not: { field: 'b', op: 'isEmpty' } }] };
    expect(parseFilterSearch(tree)).toEqual(tree);
    expect(parseFilterSearch('nonsense')).toBeUndefined();
    expect(parseFilterSearch({ or: [] })).toBeUndefined();
    expect(parseFilterSearch({ and: [{ field: 'a', op: 'drop table' }] })).toBeUndefined();
    expect(parseFilterSearch({ field: 'a', op: 'eq', value: 1, extra: true })).toBeUndefined();
    expect(
      parseFilterSearch({
        not: { not: { not: { not: { not: { not: { not: { not: { not: { field: 'a', op: 'isEmpty' } } } } } } } } },
      }),
    ).toBeUndefined();
  });

  it('still opens links from before trees: a list of conditions, all to hold', () => {
    expect(parseFilterSearch([{ field: 'a', op: 'drop table' }, { field: 'b', op: 'eq', value: 1 }, null])).toEqual({
      field: 'b',
      op: 'eq',
      value: 1,
    });
    expect(
      parseFilterSearch([
        { field: 'a', op: 'isEmpty' },
        { field: 'b', op: 'eq', value: 1 },
      ]),
    ).toEqual({
      and: [
        { field: 'a', op: 'isEmpty' },
        { field: 'b', op: 'eq', value: 1 },
      ],
    });
  });
});
