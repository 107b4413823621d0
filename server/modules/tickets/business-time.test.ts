import { describe, expect, it } from 'vitest';
import {
  addBusinessMinutes,
  type BusinessCalendar,
  businessMinutesBetween,
  elapsedBusinessMinutes,
} from './business-time';

const nineToFive = [{ start: '09:00', end: '17:00' }];
const berlin: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  weeklyHours: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive },
  holidays: ['2026-12-25'],
};
const iso = (d: Date) => d.toISOString();

describe('business time', () => {
  it('around the clock without a calendar', () => {
    const start = new Date('2026-03-07T22:00:00Z');
    expect(iso(addBusinessMinutes(start, 90, null))).toBe('2026-03-07T23:30:00.000Z');
    expect(businessMinutesBetween(start, new Date('2026-03-08T00:00:00Z'), null)).toBe(120);
  });

  it('within one business day', () => {
    // Monday 2026-12-07 10:00 Berlin (CET, UTC+1) = 09:00Z.
    expect(iso(addBusinessMinutes(new Date('2026-12-07T09:00:00Z'), 60, berlin))).toBe('2026-12-07T10:00:00.000Z');
  });

  it('starting outside hours begins at the next opening', () => {
    // Monday 06:00 Berlin → starts 09:00 Berlin (08:00Z), 30 minutes later.
    expect(iso(addBusinessMinutes(new Date('2026-12-07T05:00:00Z'), 30, berlin))).toBe('2026-12-07T08:30:00.000Z');
  });

  it('skips the weekend', () => {
    // Friday 2026-12-04 16:00 Berlin (15:00Z) + 120 min: 60 on Friday, 60 on Monday from 09:00 → 10:00 Berlin.
    const friday = new Date('2026-12-04T15:00:00Z');
    const due = addBusinessMinutes(friday, 120, berlin);
    expect(iso(due)).toBe('2026-12-07T09:00:00.000Z');
    expect(businessMinutesBetween(friday, due, berlin)).toBe(120);
  });

  it('skips a holiday', () => {
    // Thursday 2026-12-24 16:30 Berlin + 60: 30 that day, Friday 25th is a holiday, weekend, Monday 28th 09:30.
    const due = addBusinessMinutes(new Date('2026-12-24T15:30:00Z'), 60, berlin);
    expect(iso(due)).toBe('2026-12-28T08:30:00.000Z');
    expect(businessMinutesBetween(new Date('2026-12-24T15:30:00Z'), due, berlin)).toBe(60);
  });

  it('is DST-correct: a business day is 8 hours on both sides of the spring change', () => {
    // Friday 2026-03-27 09:00 CET (08:00Z); clocks go forward on Sunday 29th; Monday 09:00 CEST = 07:00Z.
    const due = addBusinessMinutes(new Date('2026-03-27T08:00:00Z'), 8 * 60 + 30, berlin);
    expect(iso(due)).toBe('2026-03-30T07:30:00.000Z');
    // New York across the autumn change (1 Nov 2026): Friday 16:00 EDT (20:00Z) + 120 → Monday 10:00 EST (15:00Z).
    const ny: BusinessCalendar = { ...berlin, timeZone: 'America/New_York', holidays: [] };
    expect(iso(addBusinessMinutes(new Date('2026-10-30T20:00:00Z'), 120, ny))).toBe('2026-11-02T15:00:00.000Z');
  });

  it('takes paused business time off the elapsed time', () => {
    const from = new Date('2026-12-07T08:00:00Z'); // Monday 09:00 Berlin
    const to = new Date('2026-12-08T16:00:00Z'); // Tuesday 17:00 Berlin
    expect(businessMinutesBetween(from, to, berlin)).toBe(16 * 60);
    // Paused from Monday 15:00 to Tuesday 11:00 Berlin: 2 h Monday + 2 h Tuesday of business time.
    const pause = { from: new Date('2026-12-07T14:00:00Z'), to: new Date('2026-12-08T10:00:00Z') };
    expect(elapsedBusinessMinutes(from, to, berlin, [pause])).toBe(12 * 60);
  });

  it('splits days with several windows (a lunch break)', () => {
    const cal: BusinessCalendar = {
      timeZone: 'UTC',
      weeklyHours: {
        mon: [
          { start: '13:00', end: '17:00' },
          { start: '09:00', end: '12:00' },
        ],
      },
      holidays: [],
    };
    expect(iso(addBusinessMinutes(new Date('2026-12-07T11:00:00Z'), 120, cal))).toBe('2026-12-07T14:00:00.000Z');
  });
});
