/**
 * "Recently viewed": the records this browser opened, newest first, per workspace, kept in
 * localStorage so the list (and, through the service worker, the records) work offline.
 * Cleared on sign-out with the rest of the offline data (clear-offline-data.ts).
 */
export interface RecentRecord {
  object: string;
  id: string;
  title: string;
  /** ISO time of the last visit. */
  viewedAt: string;
}

export const RECENT_PREFIX = 'rapport.recent.';
const MAX = 20;
const listeners = new Set<() => void>();
const snapshots = new Map<string, { raw: string | null; list: RecentRecord[] }>();

const storage = () => {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
};

const isRecent = (v: unknown): v is RecentRecord => {
  const r = v as RecentRecord;
  return (
    typeof r === 'object' &&
    r !== null &&
    typeof r.object === 'string' &&
    typeof r.id === 'string' &&
    typeof r.title === 'string' &&
    typeof r.viewedAt === 'string'
  );
};

/** The workspace's recently viewed records, newest first (a stable array until it changes). */
export function recentRecords(workspaceId: string): RecentRecord[] {
  const raw = storage()?.getItem(RECENT_PREFIX + workspaceId) ?? null;
  const cached = snapshots.get(workspaceId);
  if (cached && cached.raw === raw) return cached.list;
  let list: RecentRecord[] = [];
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    list = Array.isArray(parsed) ? parsed.filter(isRecent) : [];
  } catch {
    list = [];
  }
  snapshots.set(workspaceId, { raw, list });
  return list;
}

/** Puts a record at the top of the list (moving it if it was there already). */
export function rememberViewed(workspaceId: string, entry: Omit<RecentRecord, 'viewedAt'>, now = new Date()): void {
  const rest = recentRecords(workspaceId).filter((r) => !(r.object === entry.object && r.id === entry.id));
  const next = [{ ...entry, viewedAt: now.toISOString() }, ...rest].slice(0, MAX);
  try {
    storage()?.setItem(RECENT_PREFIX + workspaceId, JSON.stringify(next));
  } catch {
    return; // storage full or disabled: the list is a convenience
  }
  notify();
}

/** Forgets a record (it was deleted or is no longer visible). */
export function forgetViewed(workspaceId: string, object: string, id: string): void {
  const list = recentRecords(workspaceId);
  const next = list.filter((r) => !(r.object === object && r.id === id));
  if (next.length === list.length) return;
  storage()?.setItem(RECENT_PREFIX + workspaceId, JSON.stringify(next));
  notify();
}

/** Removes every workspace's list (sign-out). */
export function clearRecent(): void {
  const s = storage();
  if (!s) return;
  for (const key of Object.keys(s)) if (key.startsWith(RECENT_PREFIX)) s.removeItem(key);
  notify();
}

export function subscribeRecent(fn: () => void): () => void {
  listeners.add(fn);
  const onStorage = (e: StorageEvent) => {
    if (e.key === null || e.key.startsWith(RECENT_PREFIX)) fn();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('storage', onStorage);
  };
}

function notify() {
  for (const fn of listeners) fn();
}
