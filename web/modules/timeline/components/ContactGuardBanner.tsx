import { RecentContactsAlert } from './RecentContactsAlert';

/** On a contact's page: who else contacted them recently (don't contact twice). */
export function ContactGuardBanner({ object, id }: { object: string; id: string }) {
  return object === 'contacts' ? <RecentContactsAlert contactId={id} /> : null;
}
