// The API's sort parameter: comma-separated fields, "-" for descending, the record id as
// the final tie-breaker (it follows the direction of the last key).

/** The same sort, backwards (the id tie-breaker follows the last key, so the order is exactly reversed). */
export function reverseSort(sort: string): string {
  return sort
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.startsWith('-') ? s.slice(1) : `-${s.replace(/^\+/, '')}`))
    .join(',');
}
