import { useSyncExternalStore } from 'react';
import { type RecentRecord, recentRecords, subscribeRecent } from '../recent';

/** The workspace's recently viewed records, newest first; re-renders when the list changes. */
export function useRecentlyViewed(workspaceId: string): RecentRecord[] {
  return useSyncExternalStore(subscribeRecent, () => recentRecords(workspaceId));
}
