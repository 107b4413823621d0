import { describe, expect, it } from 'vitest';
import { coalesce } from './coalesce';

describe('coalesce', () => {
  it('batches calls made together, keeps outputs in order, and batches arrivals during a flush', async () => {
    const batches: number[][] = [];
    let release: () => void = () => {};
    const double = coalesce(async (items: number[]) => {
      batches.push(items);
      if (batches.length === 1) await new Promise<void>((r) => (release = r));
      return items.map((n) => n * 2);
    });
    const first = [double(1), double(2), double(3)];
    await new Promise((r) => setImmediate(r));
    const later = [double(4), double(5)]; // arrive while the first flush is running
    release();
    expect(await Promise.all([...first, ...later])).toEqual([2, 4, 6, 8, 10]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('rejects every caller of a failed batch, and the next batch still runs', async () => {
    let fail = true;
    const f = coalesce(async (items: string[]) => {
      if (fail) throw new Error('db down');
      return items.map((s) => s.toUpperCase());
    });
    const results = await Promise.allSettled([f('a'), f('b')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await f('c')).toBe('C');
  });
});
