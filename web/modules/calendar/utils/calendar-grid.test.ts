import { describe, expect, it } from 'vitest';
import { byDay, dayKey, monthDays, weekDays } from './calendar-grid';

describe('calendar grid', () => {
  it('covers a month in whole weeks starting on Monday', () => {
    const days = monthDays(new Date(2026, 1, 14)); // February 2026: Sunday the 1st
    expect(days.length % 7).toBe(0);
    expect(dayKey(days[0] as Date)).toBe('2026-01-26');
    expect(dayKey(days.at(-1) as Date)).toBe('2026-03-01');
    expect(days.every((d, i) => i === 0 || d.getTime() > (days[i - 1] as Date).getTime())).toBe(true);
  });
  it('gives a week from Monday to Sunday', () => {
    expect(weekDays(new Date(2026, 11, 3)).map(dayKey)).toEqual([
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
      '2026-12-05',
      '2026-12-06',
    ]);
  });
  it('groups items by local day', () => {
    const a = new Date(2026, 11, 3, 9).toISOString();
    const b = new Date(2026, 11, 3, 17).toISOString();
    const grouped = byDay([{ at: a }, { at: b }, { at: null }], (x) => x.at);
    expect(grouped.get('2026-12-03')).toHaveLength(2);
  });
});
