/**
 * Business time: N business minutes after an instant, and the business minutes between
 * two instants, in a calendar of weekly opening hours and holidays in a time zone.
 * Pure (no clock, no database); DST-correct through Intl (a day's hours are wall-clock
 * times of that day, so a 09:00–17:00 day is 8 hours on either side of a change).
 * No calendar (null) means around the clock.
 */

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Opening hours of one day, wall-clock "HH:MM" in the calendar's zone (end "24:00" = midnight). */
export interface OpeningWindow {
  start: string;
  end: string;
}

export interface BusinessCalendar {
  /** IANA time zone, e.g. Europe/Berlin. */
  timeZone: string;
  weeklyHours: Partial<Record<Weekday, OpeningWindow[]>>;
  /** Local dates (YYYY-MM-DD) with no business hours. */
  holidays: string[];
}

export interface Pause {
  from: Date;
  to: Date;
}

const MINUTE = 60_000;
/** How far the walk looks ahead: a calendar with no hours at all never ends otherwise. */
const MAX_DAYS = 3 * 366;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `tz` is a time zone Intl knows. */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in `timeZone` at `instant`, as if it were UTC (ms). */
function wallClock(instant: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(instant))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return Date.UTC(
    parts.year as number,
    (parts.month as number) - 1,
    parts.day as number,
    parts.hour as number,
    parts.minute as number,
    parts.second as number,
  );
}

/** The instant at which the wall clock of `timeZone` shows `wall` (ms as if UTC); in a DST gap, the later side. */
function instantOf(wall: number, timeZone: string): number {
  const first = wall - (wallClock(wall, timeZone) - wall);
  const offset = wallClock(first, timeZone) - first;
  return wall - offset;
}

const minutesOf = (hhmm: string): number => {
  const [h, m] = hhmm.split(':').map(Number);
  return (h as number) * 60 + (m as number);
};

/** A local date as "YYYY-MM-DD" from a UTC-midnight ms. */
const dateKey = (dayMs: number): string => new Date(dayMs).toISOString().slice(0, 10);

/** The business intervals of one local day (UTC-midnight ms of the wall-clock date). */
function dayIntervals(dayMs: number, cal: BusinessCalendar): [number, number][] {
  if (cal.holidays.includes(dateKey(dayMs))) return [];
  const windows = cal.weeklyHours[WEEKDAYS[new Date(dayMs).getUTCDay()] as Weekday] ?? [];
  return windows
    .map(
      (w) =>
        [
          instantOf(dayMs + minutesOf(w.start) * MINUTE, cal.timeZone),
          instantOf(dayMs + minutesOf(w.end) * MINUTE, cal.timeZone),
        ] as [number, number],
    )
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
}

/** UTC-midnight ms of the local date `instant` falls on, minus a day (windows may start before it in UTC). */
const firstDay = (instant: number, cal: BusinessCalendar): number => {
  const wall = wallClock(instant, cal.timeZone);
  return wall - (wall % 86_400_000) - 86_400_000;
};

/** The instant `minutes` business minutes after `start` (start itself for 0). */
export function addBusinessMinutes(start: Date, minutes: number, cal: BusinessCalendar | null): Date {
  const t0 = start.getTime();
  if (!cal) return new Date(t0 + minutes * MINUTE);
  if (minutes <= 0) return new Date(t0);
  let remaining = minutes * MINUTE;
  let day = firstDay(t0, cal);
  for (let i = 0; i < MAX_DAYS; i++, day += 86_400_000) {
    for (const [a, b] of dayIntervals(day, cal)) {
      if (b <= t0) continue;
      const from = Math.max(a, t0);
      if (remaining <= b - from) return new Date(from + remaining);
      remaining -= b - from;
    }
  }
  throw new Error('the calendar has no business hours in the next three years');
}

/** Business minutes between two instants (0 when `to` is not after `from`). */
export function businessMinutesBetween(from: Date, to: Date, cal: BusinessCalendar | null): number {
  const a0 = from.getTime();
  const b0 = to.getTime();
  if (b0 <= a0) return 0;
  if (!cal) return (b0 - a0) / MINUTE;
  let total = 0;
  const lastDay = firstDay(b0, cal) + 2 * 86_400_000;
  for (let day = firstDay(a0, cal); day <= lastDay; day += 86_400_000) {
    for (const [a, b] of dayIntervals(day, cal)) {
      const lo = Math.max(a, a0);
      const hi = Math.min(b, b0);
      if (hi > lo) total += hi - lo;
    }
  }
  return total / MINUTE;
}

/** Business minutes between two instants that were not paused (pauses must not overlap each other). */
export function elapsedBusinessMinutes(
  from: Date,
  to: Date,
  cal: BusinessCalendar | null,
  pauses: Pause[] = [],
): number {
  let paused = 0;
  for (const p of pauses) {
    const lo = new Date(Math.max(p.from.getTime(), from.getTime()));
    const hi = new Date(Math.min(p.to.getTime(), to.getTime()));
    paused += businessMinutesBetween(lo, hi, cal);
  }
  return businessMinutesBetween(from, to, cal) - paused;
}
