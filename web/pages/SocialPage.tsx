import { SocialInbox } from '../modules/social/components/SocialInbox';

/** /social: the social inbox. */
export function SocialPage() {
  return <SocialInbox />;
}
