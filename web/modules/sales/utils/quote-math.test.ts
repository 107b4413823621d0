import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as server from '../../../../server/modules/quotes/quote-totals';
import { lineAmounts, quoteTotals, sumDecimals } from './quote-math';

// The live totals of the quote editor must be the server's, to the cent, for any input.
const dec = (maxInt: number, scale: number) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: maxInt }),
      fc.integer({ min: 0, max: 10 ** scale - 1 }),
      fc.integer({ min: 0, max: scale }),
    )
    .map(([i, f, s]) => (s === 0 ? String(i) : `${i}.${String(f).padStart(scale, '0').slice(0, s)}`));
const percent = fc
  .tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 9999 }))
  .map(([i, f]) => `${i}.${f}`);
const line = fc.record({
  quantity: dec(100_000, 6),
  unitPrice: dec(1_000_000, 4),
  discountPercent: percent,
  taxRate: percent,
});

describe('quote math (web) against the server’s', () => {
  for (const currency of ['EUR', 'JPY', 'KWD']) {
    it(`gives the server’s line amounts and totals in ${currency}`, () => {
      fc.assert(
        fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
          const web = lines.map((l) => lineAmounts(l, currency));
          const srv = lines.map((l) => server.lineAmounts(l, currency));
          expect(web).toEqual(srv);
          expect(
            quoteTotals(
              web.filter((w) => w !== null),
              currency,
            ),
          ).toEqual(server.quoteTotals(srv, currency));
        }),
        { numRuns: 300 },
      );
    });
  }

  it('rounds half away from zero per line, then sums the rounded lines', () => {
    // 3 × 0.335 = 1.005 → 1.01; 10 % off 1.01 = 0.101 → 0.10; 19 % of 0.91 = 0.1729 → 0.17.
    const a = lineAmounts({ quantity: '3', unitPrice: '0.335', discountPercent: '10', taxRate: '19' }, 'EUR');
    expect(a).toEqual({ gross: '1.01', discount: '0.10', net: '0.91', tax: '0.17', total: '1.08' });
    const b = lineAmounts({ quantity: '1', unitPrice: '0.005', discountPercent: '0', taxRate: '0' }, 'EUR');
    expect(b?.total).toBe('0.01');
    if (!a || !b) throw new Error('valid lines have amounts');
    expect(quoteTotals([a, b], 'EUR').total).toBe('1.09');
  });

  it('waits for valid numbers instead of guessing', () => {
    expect(lineAmounts({ quantity: '1,5', unitPrice: '2', discountPercent: '', taxRate: '' }, 'EUR')).toBeNull();
    expect(lineAmounts({ quantity: '', unitPrice: '2', discountPercent: '', taxRate: '' }, 'EUR')).toBeNull();
    expect(lineAmounts({ quantity: '2', unitPrice: '2', discountPercent: '', taxRate: '' }, 'EUR')?.total).toBe('4.00');
  });

  it('adds money exactly', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals([])).toBe('0');
  });
});
