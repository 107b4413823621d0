/** `-createdAt,lastName` → keys (the API's sort syntax; mirrors parseSort in common/filter.ts without pulling zod into the bundle). */
export function sortKeys(sort: string): { field: string; desc: boolean }[] {
  return sort
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.startsWith('-') ? { field: s.slice(1), desc: true } : { field: s.replace(/^\+/, ''), desc: false }));
}
