/**
 * One CSV cell, safe to open in a spreadsheet (OWASP "CSV injection"): a value starting
 * with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'` so it is not run as a
 * formula, and such a cell — like any holding a quote, comma or line break — is quoted.
 * Dates as ISO 8601, objects as JSON. Every CSV the server sends (record exports, the
 * audit log) is written with it.
 */
export function csvCell(v: unknown): string {
  let s = v == null ? '' : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const formula = /^[=+\-@\t\r]/.test(s);
  if (formula) s = `'${s}`;
  return formula || /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV line (no terminator) of cells. */
export const csvLine = (values: unknown[]): string => values.map(csvCell).join(',');
