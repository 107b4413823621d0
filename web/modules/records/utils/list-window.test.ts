import { describe, expect, it } from 'vitest';
import type { RecordData } from '../api/records.api';
import { FILL_GAP, type ListParts, listWindow, nextLoad } from './list-window';

const rec = (i: number): RecordData => ({ id: `r${i}`, version: 1, n: i });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => rec(from + k));
/** The last `n` of `total` records, as the reversed sort returns them (last first). */
const tailOf = (total: number, n: number) => range(total - n, total).reverse();
/** A list of 100,000 with its first 300 rows loaded, nothing else: `parts` changes that. */
const longList = (parts: Partial<ListParts> = {}) =>
  listWindow({ head: range(0, 300), headDone: false, tail: [], tailDone: false, total: 100_000, ...parts });
const ids = (w: ReturnType<typeof listWindow>, from: number, to: number) =>
  Array.from({ length: to - from }, (_, k) => w.at(from + k)?.id ?? null);

describe('a list loaded from both ends', () => {
  it('grows with the head while the total is unknown (or the head is the whole list)', () => {
    const w = listWindow({ head: range(0, 100), headDone: false, tail: [], tailDone: false });
    expect(w).toMatchObject({ count: 100, complete: false, sized: false });
    expect(nextLoad(w, 0, 30)).toBeNull();
    expect(nextLoad(w, 30, 50)).toBe('head'); // within LOAD_AHEAD of the end
    const done = listWindow({ head: range(0, 42), headDone: true, tail: [], tailDone: false, total: 9999 });
    expect(done).toMatchObject({ count: 42, complete: true });
    expect(nextLoad(done, 30, 41)).toBeNull();
  });

  it('is as long as the total from the start; rows between the ends are placeholders', () => {
    const w = longList({ head: range(0, 100), tail: tailOf(100_000, 100) });
    expect(w).toMatchObject({ count: 100_000, headEnd: 100, tailStart: 99_900, sized: true, complete: false });
    expect(ids(w, 98, 102)).toEqual(['r98', 'r99', null, null]);
    expect(ids(w, 99_898, 99_902)).toEqual([null, null, 'r99900', 'r99901']);
    expect(w.at(99_999)?.id).toBe('r99999');
    expect(w.loaded.map((r) => r.id).slice(98, 102)).toEqual(['r98', 'r99', 'r99900', 'r99901']);
  });

  it('loads the end nearest to what is on screen', () => {
    const head = longList();
    expect(nextLoad(head, 0, 20)).toBeNull(); // all loaded near the top, and the gap is large
    expect(nextLoad(head, 250, 270)).toBe('head');
    expect(nextLoad(head, 99_980, 99_999)).toBe('tail'); // End, or the scrollbar dragged to the bottom
    expect(nextLoad(head, 1_200, 1_220)).toBe('head'); // within NEAR of the head
    expect(nextLoad(head, 30_000, 30_020)).toEqual({ at: 29_940 }); // far from both ends: an island there
    const both = longList({ tail: tailOf(100_000, 600) });
    expect(nextLoad(both, 99_980, 99_999)).toBeNull();
    expect(nextLoad(both, 99_300, 99_420)).toBe('tail');
    expect(nextLoad(both, 98_600, 98_620)).toBe('tail');
    expect(nextLoad(both, 80_000, 80_020)).toEqual({ at: 79_940 });
  });

  it('waits for the list to stop before loading far from both ends', () => {
    const w = longList();
    expect(nextLoad(w, 30_000, 30_020, { scrolling: true })).toBeNull(); // passing through the middle
    expect(nextLoad(w, 30_000, 30_020, { scrolling: false })).toEqual({ at: 29_940 }); // stopped there
    expect(nextLoad(w, 280, 300, { scrolling: true })).toBe('head'); // scrolling on from the loaded rows
    expect(nextLoad(w, 99_980, 99_999, { scrolling: true })).toBe('tail'); // arriving at the bottom
  });

  it('shows an island read by offset between the ends, and asks for no other while the view is in it', () => {
    const island = { start: 50_000, requested: 500, rows: range(50_000, 50_500) };
    const w = longList({ tail: tailOf(100_000, 100), island });
    expect(ids(w, 49_999, 50_002)).toEqual([null, 'r50000', 'r50001']);
    expect(ids(w, 50_498, 50_501)).toEqual(['r50498', 'r50499', null]);
    expect(w.loaded).toHaveLength(300 + 100 + 500);
    expect(nextLoad(w, 50_100, 50_120)).toBeNull(); // all in the island, with LOAD_AHEAD around it
    // Moving past its end: the next island starts where the view (with LOAD_AHEAD) does, so
    // it alone covers the view once it replaces this one.
    expect(nextLoad(w, 50_450, 50_470)).toEqual({ at: 50_390 });
    expect(nextLoad(w, 49_990, 50_010)).toEqual({ at: 49_930 }); // moving up past its start
    // Rows the island did not bring (the list is shorter than its count) are not asked for again.
    const short = longList({ island: { start: 60_000, requested: 500, rows: range(60_000, 60_010) } });
    expect(nextLoad(short, 60_060, 60_080)).toBeNull(); // the view it was asked for
    // An island that overlaps an end counts each record once.
    const overlap = longList({ island: { start: 250, requested: 500, rows: range(250, 750) } });
    expect(new Set(overlap.loaded.map((r) => r.id)).size).toBe(overlap.loaded.length);
    expect(overlap.loaded).toHaveLength(750);
  });

  it('fills a small gap at once, so a short list soon ends', () => {
    const w = longList({ head: range(0, 100), tail: tailOf(251, 100), total: 251 });
    expect(w.tailStart - w.headEnd).toBeLessThanOrEqual(FILL_GAP);
    expect(nextLoad(w, 231, 250)).toBe('head');
  });

  it('is whole when the ends share a record, each record once', () => {
    const w = longList({ head: range(0, 600), tail: tailOf(1000, 500), total: 1000 });
    expect(w).toMatchObject({ count: 1000, complete: true });
    expect(ids(w, 0, 1000)).toEqual(range(0, 1000).map((r) => r.id));
    expect(nextLoad(w, 500, 520)).toBeNull();
  });

  it('does not take the ends as met when only the stale total says so', () => {
    // Five records were added after the count: 500 + 500 = the total, but r500..r504 are between them.
    const w = longList({ head: range(0, 500), tail: tailOf(1005, 500), total: 1000 });
    expect(w.complete).toBe(false);
    expect(w.count).toBe(1001);
    expect(w.at(500)).toBeUndefined();
    expect(nextLoad(w, 490, 510)).toBe('head');
    // The tail reaching the top is the whole list too.
    const all = listWindow({ head: range(0, 3), headDone: false, tail: tailOf(40, 40), tailDone: true, total: 50 });
    expect(all).toMatchObject({ count: 40, complete: true });
    expect(ids(all, 0, 40)).toEqual(range(0, 40).map((r) => r.id));
  });
});
