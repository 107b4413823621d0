import Decimal from 'decimal.js';

/**
 * Quote arithmetic, exact (decimal.js, never floating point). The rule, per line:
 *   gross    = round(quantity × unit price)
 *   discount = round(gross × discount % / 100)
 *   net      = gross − discount
 *   tax      = round(net × tax rate % / 100)
 *   total    = net + tax
 * and the quote's totals are the sums of the rounded lines (so the document always
 * adds up as printed). round = half away from zero ("commercial rounding") to the
 * currency's minor unit (2 decimals for EUR/USD/CHF, 0 for JPY, 3 for KWD…).
 */
export interface LineInput {
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

export interface QuoteTotals {
  subtotal: string;
  discountTotal: string;
  taxTotal: string;
  total: string;
}

const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });

/** Decimals of a currency's minor unit (ISO 4217 as Intl knows it). */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Fixed-point string with exactly `digits` decimals. */
const fixed = (d: Decimal, digits: number) => d.toDecimalPlaces(digits, Decimal.ROUND_HALF_UP).toFixed(digits);

export function lineAmounts(line: LineInput, currency: string): LineAmounts {
  const digits = minorDigits(currency);
  const round = (d: Decimal) => d.toDecimalPlaces(digits, Decimal.ROUND_HALF_UP);
  const gross = round(new D(line.quantity).times(line.unitPrice));
  const discount = round(gross.times(line.discountPercent).dividedBy(100));
  const net = gross.minus(discount);
  const tax = round(net.times(line.taxRate).dividedBy(100));
  return {
    gross: fixed(gross, digits),
    discount: fixed(discount, digits),
    net: fixed(net, digits),
    tax: fixed(tax, digits),
    total: fixed(net.plus(tax), digits),
  };
}

export function quoteTotals(lines: LineAmounts[], currency: string): QuoteTotals {
  const digits = minorDigits(currency);
  const sum = (k: keyof LineAmounts) => lines.reduce((acc, l) => acc.plus(l[k]), new D(0));
  const subtotal = sum('gross');
  const discountTotal = sum('discount');
  const taxTotal = sum('tax');
  return {
    subtotal: fixed(subtotal, digits),
    discountTotal: fixed(discountTotal, digits),
    taxTotal: fixed(taxTotal, digits),
    total: fixed(subtotal.minus(discountTotal).plus(taxTotal), digits),
  };
}
