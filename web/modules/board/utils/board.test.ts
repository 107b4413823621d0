import { describe, expect, it } from 'vitest';
import { accountsMeta } from '../../records/utils/test-objects';
import { columnFilter, columnId, columnValue, formatSum, groupFields, sumFields } from './board';

describe('board helpers', () => {
  it('offers select fields, the owner and to-one relations to group by, and money or number fields to total', () => {
    expect(groupFields(accountsMeta).map((f) => f.name)).toEqual(['industry', 'ownerId', 'parentAccountId']);
    expect(sumFields(accountsMeta).map((f) => f.name)).toEqual(['annualRevenue', 'score']);
  });

  it('names columns so that an option called like the empty column cannot clash', () => {
    expect(columnValue(columnId('customer'))).toBe('customer');
    expect(columnValue(columnId(null))).toBeNull();
    expect(columnValue(columnId('__none__'))).toBe('__none__');
  });

  it('adds the column condition to the board filter', () => {
    expect(columnFilter('type', null, undefined)).toEqual({ field: 'type', op: 'isEmpty' });
    expect(columnFilter('type', 'customer', { field: 'name', op: 'contains', value: 'a' })).toEqual({
      and: [
        { field: 'name', op: 'contains', value: 'a' },
        { field: 'type', op: 'eq', value: 'customer' },
      ],
    });
  });

  it('formats totals exactly, per currency', () => {
    expect(formatSum('1234567.5')).toBe('1,234,567.5');
    expect(
      formatSum([
        { currency: 'EUR', amount: '1250.5' },
        { currency: 'USD', amount: '30' },
      ]),
    ).toBe('1,250.5 EUR · 30 USD');
    expect(formatSum(null)).toBe('');
  });
});
