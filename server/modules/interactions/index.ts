import { defineModule } from '../../platform/modules';
import { interactionsObject } from './interactions.object';
import { interactionRoutes } from './interactions.routes';
import { lastContactedUpdater } from './last-contacted';

export { contactedWithinCooldown, findRecentContacts, type GuardResult, type RecentContact } from './contact-guard';

/** Logged calls, emails and meetings with contacts; keeps contacts' last-contacted date; the contact guard. */
export const interactionsModule = defineModule({
  name: 'interactions',
  objects: [interactionsObject],
  routes: interactionRoutes,
  work: ({ records }) => ({ consumers: [lastContactedUpdater(records)] }),
});
