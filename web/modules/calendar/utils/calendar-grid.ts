/** Local-time day helpers for the calendar grid (weeks start on Monday). */

export const dayKey = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

export const startOfDay = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate());

export const addDays = (d: Date, n: number) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);

/** The Monday on or before `d`. */
export function startOfWeek(d: Date): Date {
  const day = (d.getDay() + 6) % 7; // Monday = 0
  return addDays(startOfDay(d), -day);
}

/** The days shown for `d`'s month: whole weeks from the Monday before the 1st, through the week of the last day. */
export function monthDays(d: Date): Date[] {
  const first = new Date(d.getFullYear(), d.getMonth(), 1);
  const last = new Date(d.getFullYear(), d.getMonth() + 1, 0);
  const start = startOfWeek(first);
  const end = addDays(startOfWeek(last), 7);
  const out: Date[] = [];
  for (let x = start; x < end; x = addDays(x, 1)) out.push(x);
  return out;
}

export const weekDays = (d: Date): Date[] => Array.from({ length: 7 }, (_, i) => addDays(startOfWeek(d), i));

/** Groups items by the local day of `at(item)`. */
export function byDay<T>(items: T[], at: (item: T) => string | null | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const v = at(item);
    if (!v) continue;
    const key = dayKey(new Date(v));
    out.set(key, [...(out.get(key) ?? []), item]);
  }
  return out;
}
