import { FeedView } from '../modules/feed/components/FeedView';

/** The workspace's activity feed and colleague messages. */
export function FeedPage() {
  return <FeedView />;
}
