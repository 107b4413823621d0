/**
 * Whether Rapport answered the last request itself. `navigator.onLine` only knows about
 * the network interface (and stays true on a captive or dead Wi-Fi), so the API client
 * reports each outcome here: a failed fetch, or the service worker's saved copy
 * (`Rapport-Saved-At`), means offline; a live answer means online again.
 */
let reachable = true;
let probe: ReturnType<typeof setInterval> | null = null;
const listeners = new Set<() => void>();
const PROBE_MS = 15_000;

export function reportReachable(ok: boolean): void {
  if (ok === reachable) return;
  reachable = ok;
  // While offline, ask /health now and then (and when the browser says it is back), so
  // the app notices the server again without the user having to reload.
  if (!ok && !probe && typeof window !== 'undefined') {
    probe = setInterval(check, PROBE_MS);
    window.addEventListener('online', check);
  } else if (ok && probe) {
    clearInterval(probe);
    probe = null;
    window.removeEventListener('online', check);
  }
  for (const fn of listeners) fn();
}

function check() {
  fetch('/health', { cache: 'no-store' }).then(
    (res) => res.ok && reportReachable(true),
    () => undefined,
  );
}

export const isReachable = () => reachable;

export function subscribeReachable(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
