import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearRecent, forgetViewed, RECENT_PREFIX, recentRecords, rememberViewed } from './recent';

/** A minimal Web Storage for the unit run (Node has no localStorage); the code under test is unchanged. */
class MemoryStorage {
  private data = new Map<string, string>();
  get length() {
    return this.data.size;
  }
  key(i: number) {
    return [...this.data.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.data.set(k, String(v));
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

const globals = globalThis as unknown as { window?: unknown };
let storage: MemoryStorage;

beforeEach(() => {
  storage = new MemoryStorage();
  // Object.keys(localStorage) lists stored keys in browsers; a Proxy gives the same here.
  const local = new Proxy(storage, {
    ownKeys: (t) => [...Array(t.length).keys()].map((i) => t.key(i) ?? ''),
    getOwnPropertyDescriptor: (t, k) =>
      typeof k === 'string' && t.getItem(k) !== null
        ? { enumerable: true, configurable: true, value: t.getItem(k) }
        : undefined,
  });
  globals.window = { localStorage: local, addEventListener() {}, removeEventListener() {} };
});
afterEach(() => {
  delete globals.window;
});

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 9, minute));

describe('recently viewed', () => {
  it('keeps the newest first, moves a revisited record to the top, per workspace', () => {
    rememberViewed('w1', { object: 'contacts', id: 'a', title: 'Ada' }, at(1));
    rememberViewed('w1', { object: 'accounts', id: 'b', title: 'Acme' }, at(2));
    rememberViewed('w1', { object: 'contacts', id: 'a', title: 'Ada Lovelace' }, at(3));
    rememberViewed('w2', { object: 'contacts', id: 'c', title: 'Other workspace' }, at(4));
    expect(recentRecords('w1')).toEqual([
      { object: 'contacts', id: 'a', title: 'Ada Lovelace', viewedAt: '2026-01-01T09:03:00.000Z' },
      { object: 'accounts', id: 'b', title: 'Acme', viewedAt: '2026-01-01T09:02:00.000Z' },
    ]);
    expect(recentRecords('w2').map((r) => r.id)).toEqual(['c']);
    // The same array until something changes (what useSyncExternalStore needs).
    expect(recentRecords('w1')).toBe(recentRecords('w1'));
  });

  it('keeps at most 20 and forgets deleted records', () => {
    for (let i = 0; i < 25; i++) rememberViewed('w1', { object: 'contacts', id: `r${i}`, title: `R${i}` }, at(i));
    const list = recentRecords('w1');
    expect(list).toHaveLength(20);
    expect(list[0]?.id).toBe('r24');
    forgetViewed('w1', 'contacts', 'r24');
    expect(recentRecords('w1')[0]?.id).toBe('r23');
  });

  it('ignores damaged storage and clears every workspace on sign-out', () => {
    storage.setItem(`${RECENT_PREFIX}w3`, '{not json');
    expect(recentRecords('w3')).toEqual([]);
    storage.setItem(
      `${RECENT_PREFIX}w4`,
      JSON.stringify([{ id: 1 }, { object: 'x', id: 'y', title: 't', viewedAt: 'z' }]),
    );
    expect(recentRecords('w4').map((r) => r.id)).toEqual(['y']);
    rememberViewed('w1', { object: 'contacts', id: 'a', title: 'Ada' });
    storage.setItem('mantine-color-scheme-value', 'dark');
    clearRecent();
    expect(recentRecords('w1')).toEqual([]);
    expect(storage.length).toBe(1); // the theme choice stays
  });
});
