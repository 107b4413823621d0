import { SocialDashboard } from '../modules/social/components/SocialDashboard';
import { SocialInbox } from '../modules/social/components/SocialInbox';

/** /social: the social inbox. */
export function SocialPage() {
  return <SocialInbox />;
}

/** /social/dashboard: the brand mentions dashboard. */
export function SocialDashboardPage() {
  return <SocialDashboard />;
}
