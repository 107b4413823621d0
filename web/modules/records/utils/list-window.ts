import type { RecordData } from '../api/records.api';

/*
 * A long list is loaded from both ends. The API pages with a keyset cursor, so it cannot
 * jump to row 99,000; but the same list in the reverse order starts with its last record.
 * The head is read from the top, the tail from the bottom (last record first); with the
 * total known, the table is as long as the list from the start (the scrollbar says where
 * you are), rows not loaded yet show as placeholders, and End shows the last rows at once.
 * Where the list stops far from both ends (the scrollbar dragged to the middle), one page
 * is read there by offset (the island) and shown until the view moves on.
 */

/** Rows read by offset at `start`: `requested` were asked for, `rows` came (fewer at the end). */
export interface Island {
  start: number;
  requested: number;
  rows: RecordData[];
}

/** What to load next: a page of one end, or an island starting at row `at`. */
export type Load = 'head' | 'tail' | { at: number };

export interface ListParts {
  /** Records from the top, in list order. */
  head: RecordData[];
  /** The head reached the end: it is the whole list. */
  headDone: boolean;
  /** Records from the bottom, last record first. */
  tail: RecordData[];
  /** The tail reached the top: it is the whole list. */
  tailDone: boolean;
  /** How many records match (the API's count), when known. */
  total?: number;
  /** A page read by offset between the ends. */
  island?: Island;
}

export interface ListWindow {
  /** Rows in the table. */
  count: number;
  /** The record shown at a row, or undefined while it is not loaded. */
  at(index: number): RecordData | undefined;
  /** Rows [0, headEnd) are loaded from the top. */
  headEnd: number;
  /** Rows [tailStart, count) are loaded from the bottom. */
  tailStart: number;
  /** Every loaded record in list order (for "select all loaded rows"). */
  loaded: RecordData[];
  /** Every record is loaded. */
  complete: boolean;
  /** The table is as long as the list (the total is known), not just the loaded rows. */
  sized: boolean;
  /** The island shown between the ends, if any. */
  island?: Island;
}

const whole = (all: RecordData[], complete: boolean): ListWindow => ({
  sized: complete,
  count: all.length,
  at: (i) => all[i],
  headEnd: all.length,
  tailStart: all.length,
  loaded: all,
  complete,
});

/** Where each row of the table comes from, given what is loaded of both ends. */
export function listWindow(p: ListParts): ListWindow {
  // Without a total the table grows as pages arrive from the top (the tail is not used).
  if (p.headDone || p.total === undefined) return whole(p.head, p.headDone);
  const { total } = p;
  const inOrder = p.tail.slice().reverse();
  const top = p.tail[p.tail.length - 1];
  // The ends met when they share a record (or one reached the other end): then the list
  // is complete, each record once. Their lengths alone cannot tell: records added or
  // removed since the count would leave a gap or an overlap.
  const headIds = p.tailDone || p.head.length + p.tail.length >= total ? new Set(p.head.map((r) => r.id)) : undefined;
  if (p.tailDone || (top && headIds?.has(top.id))) {
    const ids = headIds ?? new Set(p.head.map((r) => r.id));
    return whole(p.head.concat(inOrder.filter((r) => !ids.has(r.id))), true);
  }
  // One row at least between the ends while they have not met, so there is always a row left to load.
  const count = Math.max(total, p.head.length + p.tail.length + 1);
  const tailStart = count - p.tail.length;
  const { head, tail, island } = p;
  const islandEnd = island ? island.start + island.rows.length : 0;
  const fromIsland = (i: number) =>
    island && i >= island.start && i < islandEnd ? island.rows[i - island.start] : undefined;
  // Every loaded record once (an island may overlap an end, or repeat a record that moved).
  const ends = head.concat(inOrder);
  const endIds = island ? new Set(ends.map((r) => r.id)) : undefined;
  const loaded = island && endIds ? ends.concat(island.rows.filter((r) => !endIds.has(r.id))) : ends;
  return {
    count,
    at: (i) => (i < head.length ? head[i] : i >= tailStart ? tail[count - 1 - i] : fromIsland(i)),
    headEnd: head.length,
    tailStart,
    loaded,
    complete: false,
    sized: true,
    island,
  };
}

/** Rows around the visible ones worth loading before they scroll into view. */
export const LOAD_AHEAD = 60;
/** A gap this small is filled at once, so a short list is soon whole ("End of the list"). */
export const FILL_GAP = 400;

/** While the list is still scrolling, only missing rows this close to a loaded end are fetched. */
export const NEAR = 1_000;

/**
 * Which end to load next while rows first…last are on screen: the head when the missing
 * rows in and around the view are closer to it, the tail when closer to the bottom, none
 * when everything near the view is loaded (and the gap is too big to be worth filling).
 * While the list is still moving (a smooth End, the scrollbar being dragged) rows far
 * from both ends wait until it stops, so a jump to the bottom does not load the middle;
 * once it stops there, an island is read where the view is, unless one was asked for there.
 */
export function nextLoad(
  w: ListWindow,
  first: number,
  last: number,
  { ahead = LOAD_AHEAD, scrolling = false }: { ahead?: number; scrolling?: boolean } = {},
): Load | null {
  if (w.complete) return null;
  const gap = w.tailStart - w.headEnd;
  const from = Math.max(0, first - ahead);
  const to = last + ahead;
  // Without a total (count = loaded rows), the list grows from the top as it nears the end.
  if (!w.sized) return to >= w.headEnd ? 'head' : null;
  if (to < w.headEnd || from >= w.tailStart) return gap <= FILL_GAP ? 'head' : null;
  const missingFrom = Math.max(from, w.headEnd);
  const missingTo = Math.min(to, w.tailStart - 1);
  const toHead = missingFrom - w.headEnd;
  const toTail = w.tailStart - 1 - missingTo;
  if (Math.min(toHead, toTail) <= NEAR) return toHead <= toTail ? 'head' : 'tail';
  if (scrolling) return null;
  // Far from both ends: the island, if it was asked for over the missing rows, is all there
  // is to read there (rows it did not bring are past a list shorter than its count).
  const { island } = w;
  const asked = island && missingFrom >= island.start && missingTo < island.start + island.requested;
  return asked ? null : { at: missingFrom };
}
