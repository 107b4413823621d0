import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineAmounts, minorDigits, quoteTotals } from './quote-totals';

const line = (quantity: string, unitPrice: string, taxRate = '0', discountPercent = '0') => ({
  quantity,
  unitPrice,
  taxRate,
  discountPercent,
});

describe('quote arithmetic (exact, rounded per line)', () => {
  it('3 × 0.10 with 7.7 % tax: 0.30 + 0.02 = 0.32 (0.1 + 0.2 never shows up)', () => {
    const l = lineAmounts(line('3', '0.10', '7.7'), 'CHF');
    expect(l).toEqual({ gross: '0.30', discount: '0.00', net: '0.30', tax: '0.02', total: '0.32' });
    expect(quoteTotals([l], 'CHF')).toEqual({
      subtotal: '0.30',
      discountTotal: '0.00',
      taxTotal: '0.02',
      total: '0.32',
    });
  });

  it('per-line rounding: three lines of 1 × 0.10 at 7.7 % pay 0.01 tax each (0.03), not 0.02 on the total', () => {
    const lines = [1, 2, 3].map(() => lineAmounts(line('1', '0.10', '7.7'), 'CHF'));
    expect(quoteTotals(lines, 'CHF')).toEqual({
      subtotal: '0.30',
      discountTotal: '0.00',
      taxTotal: '0.03',
      total: '0.33',
    });
  });

  it('rounds half away from zero at the currency’s minor unit', () => {
    expect(lineAmounts(line('1', '0.125'), 'EUR').gross).toBe('0.13');
    expect(lineAmounts(line('1', '0.005', '0'), 'EUR').gross).toBe('0.01');
    expect(lineAmounts(line('1', '100', '10'), 'JPY')).toMatchObject({ gross: '100', tax: '10', total: '110' });
    expect(lineAmounts(line('3', '1.0005'), 'KWD').gross).toBe('3.002');
    expect(minorDigits('JPY')).toBe(0);
    expect(minorDigits('EUR')).toBe(2);
  });

  it('discount before tax: 2 × 49.99, 15 % off, 20 % VAT', () => {
    // gross 99.98; discount 14.997 → 15.00; net 84.98; tax 16.996 → 17.00; total 101.98
    expect(lineAmounts(line('2', '49.99', '20', '15'), 'EUR')).toEqual({
      gross: '99.98',
      discount: '15.00',
      net: '84.98',
      tax: '17.00',
      total: '101.98',
    });
  });

  it('large amounts stay exact (beyond float precision)', () => {
    const l = lineAmounts(line('3', '999999999999.9999', '7.7'), 'EUR');
    expect(l.gross).toBe('3000000000000.00');
    expect(l.tax).toBe('231000000000.00');
    expect(l.total).toBe('3231000000000.00');
  });

  it('totals always equal the sum of the printed lines', () => {
    const dec = (max: number, scale: number) =>
      fc
        .tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max: 10 ** scale - 1 }))
        .map(([i, f]) => `${i}.${String(f).padStart(scale, '0')}`);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(dec(50, 3), dec(10_000, 4), dec(30, 2), dec(99, 2)), { minLength: 1, maxLength: 8 }),
        (raw) => {
          const lines = raw
            .filter(([q]) => Number(q) > 0)
            .map(([q, p, tax, disc]) => lineAmounts(line(q, p, tax, disc), 'EUR'));
          const t = quoteTotals(lines, 'EUR');
          const cents = (s: string) => BigInt(s.replace('.', ''));
          const sum = lines.reduce((a, l) => a + cents(l.total), 0n);
          expect(cents(t.total)).toBe(sum);
          expect(cents(t.subtotal) - cents(t.discountTotal) + cents(t.taxTotal)).toBe(cents(t.total));
        },
      ),
      { numRuns: 300 },
    );
  });
});
