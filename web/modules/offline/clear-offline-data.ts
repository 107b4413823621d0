import { chooseWorkspace } from '../../lib/workspace';
import { clearNavFolds } from '../shell/nav-folds';
import { clearRecent } from './recent';

const DATA_PREFIX = 'rapport-data-';

/**
 * Removes everything this browser kept of the workspace's data: the service worker's saved
 * API answers (records, metadata, members) and the recently viewed list. Called on sign-out
 * and when the session turns out to be gone, so nothing stays behind on a shared device.
 */
export async function clearOfflineData(): Promise<void> {
  clearRecent();
  clearNavFolds();
  chooseWorkspace(null);
  const worker = typeof navigator !== 'undefined' ? navigator.serviceWorker?.controller : null;
  if (worker) {
    // The worker also stops saving answers that were in flight.
    await new Promise<void>((resolve) => {
      const channel = new MessageChannel();
      const timer = setTimeout(resolve, 2000);
      channel.port1.onmessage = () => {
        clearTimeout(timer);
        resolve();
      };
      worker.postMessage({ type: 'clear-data' }, [channel.port2]);
    });
  }
  if (typeof caches === 'undefined') return;
  for (const name of await caches.keys()) if (name.startsWith(DATA_PREFIX)) await caches.delete(name);
}
