import { RecentlyViewed } from '../../offline/components/RecentlyViewed';

/** The records this browser opened last (they open offline too). */
export function RecentlyViewedCard() {
  return <RecentlyViewed limit={5} />;
}
