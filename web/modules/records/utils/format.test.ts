import { describe, expect, it } from 'vitest';
import { formatDecimal, formatValue } from './format';
import { fieldMeta } from './test-objects';

describe('formatting', () => {
  it('groups exact decimals without floating point', () => {
    expect(formatDecimal('1234567890123.4567')).toBe('1,234,567,890,123.4567');
    expect(formatDecimal('-1000')).toBe('-1,000');
    expect(formatDecimal('999')).toBe('999');
  });

  it('shows option labels, money, addresses and booleans', () => {
    const industry = fieldMeta('industry', 'select', { options: [{ value: 'software', label: 'Software' }] });
    expect(formatValue(industry, 'software')).toBe('Software');
    expect(formatValue(fieldMeta('r', 'money'), { amount: '1250000.5', currency: 'EUR' })).toBe('1,250,000.5 EUR');
    expect(formatValue(fieldMeta('a', 'address'), { city: 'Lyon', postalCode: '69001', country: 'FR' })).toBe(
      '69001 Lyon, FR',
    );
    expect(formatValue(fieldMeta('b', 'boolean'), false)).toBe('No');
    expect(formatValue(fieldMeta('t', 'text'), null)).toBe('');
  });
});
