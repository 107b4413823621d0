import { describe, expect, it } from 'vitest';
import { formatDuration, formatSums, sumByCurrency } from './money';

describe('board money and durations', () => {
  it('sums per currency exactly', () => {
    const sums = sumByCurrency([
      { amount: '0.1', currency: 'EUR' },
      { amount: '0.2', currency: 'EUR' },
      null,
      { amount: '1000', currency: 'USD' },
    ]);
    expect(sums).toEqual([
      { amount: '0.3', currency: 'EUR' },
      { amount: '1000', currency: 'USD' },
    ]);
    expect(formatSums(sums)).toBe('0.3 EUR + 1,000 USD');
    expect(formatSums([])).toBe('—');
  });

  it('formats time in stage', () => {
    expect(formatDuration(40)).toBe('40 s');
    expect(formatDuration(5 * 3600 + 12 * 60)).toBe('5 h 12 min');
    expect(formatDuration(3 * 86_400 + 4 * 3600 + 59)).toBe('3 d 4 h');
  });
});
