import Decimal from 'decimal.js';

/*
 * The quote arithmetic of the server (server/modules/quotes/quote-totals.ts), for live
 * totals while typing. Per line: gross = round(qty × unit price), discount =
 * round(gross × discount % / 100), net = gross − discount, tax = round(net × tax % / 100),
 * total = net + tax; the quote's totals are sums of the rounded lines. round = half
 * away from zero to the currency's minor unit. quote-math.test.ts checks it gives the
 * server's results on random inputs.
 */

export interface LineDraft {
  quantity: string;
  unitPrice: string;
  discountPercent: string;
  taxRate: string;
}

export interface LineAmounts {
  gross: string;
  discount: string;
  net: string;
  tax: string;
  total: string;
}

export interface Totals {
  subtotal: string;
  discountTotal: string;
  taxTotal: string;
  total: string;
}

const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

/** Decimals of the currency's minor unit (2 for EUR, 0 for JPY, 3 for KWD). */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

const DECIMAL = /^\d{1,15}(\.\d+)?$/;

/** A typed decimal, or null while it is not one yet (empty, "1,5", "-2"…). */
export function parseDecimal(s: string): Decimal | null {
  const t = s.trim();
  return DECIMAL.test(t) ? new D(t) : null;
}

/** The amounts of one line, or null while one of its numbers is not a valid decimal. */
export function lineAmounts(line: LineDraft, currency: string): LineAmounts | null {
  const q = parseDecimal(line.quantity);
  const p = parseDecimal(line.unitPrice);
  const d = parseDecimal(line.discountPercent || '0');
  const t = parseDecimal(line.taxRate || '0');
  if (!q || !p || !d || !t) return null;
  const digits = minorDigits(currency);
  const round = (x: Decimal) => x.toDecimalPlaces(digits, Decimal.ROUND_HALF_UP);
  const gross = round(q.times(p));
  const discount = round(gross.times(d).dividedBy(100));
  const net = gross.minus(discount);
  const tax = round(net.times(t).dividedBy(100));
  const f = (x: Decimal) => x.toFixed(digits);
  return { gross: f(gross), discount: f(discount), net: f(net), tax: f(tax), total: f(net.plus(tax)) };
}

/** The quote's totals: sums of the rounded line amounts. */
export function quoteTotals(lines: LineAmounts[], currency: string): Totals {
  const digits = minorDigits(currency);
  const sum = (k: keyof LineAmounts) => lines.reduce((acc, l) => acc.plus(l[k]), new D(0));
  const subtotal = sum('gross');
  const discountTotal = sum('discount');
  const taxTotal = sum('tax');
  const f = (x: Decimal) => x.toFixed(digits);
  return {
    subtotal: f(subtotal),
    discountTotal: f(discountTotal),
    taxTotal: f(taxTotal),
    total: f(subtotal.minus(discountTotal).plus(taxTotal)),
  };
}

/** Exact sum of decimal strings (money is never added as floats). */
export function sumDecimals(values: string[]): string {
  return values.reduce((acc, v) => acc.plus(v), new D(0)).toFixed();
}
