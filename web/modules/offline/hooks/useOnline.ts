import { useSyncExternalStore } from 'react';
import { isReachable, subscribeReachable } from '../../../lib/connectivity';

const subscribe = (fn: () => void) => {
  window.addEventListener('online', fn);
  window.addEventListener('offline', fn);
  const stop = subscribeReachable(fn);
  return () => {
    window.removeEventListener('online', fn);
    window.removeEventListener('offline', fn);
    stop();
  };
};

/** Whether Rapport can be reached: the browser has a network and the last API call got a live answer. */
export function useOnline(): boolean {
  return useSyncExternalStore(subscribe, () => navigator.onLine && isReachable());
}
