import { defineModule } from '../../platform/modules';
import { seedDemoIfEmpty } from './demo-seed';

export { backdate, daysAgo } from './backdate';
export { DEMO_EMAIL } from './demo-seed';
export { DEMO_PEOPLE } from './demo-team';

/**
 * The demo workspace, seeded on the first start of an empty installation: its people in
 * roles and teams (DEMO_PEOPLE, one password), their book of business, today's tasks and
 * meetings, a year of deals, interactions, notes and comments with mentions, mail
 * templates and an active workflow. One script rather than a part per module: the
 * records refer to each other's ids and people, in one transaction.
 */
export const demoModule = defineModule({
  name: 'demo',
  demo: seedDemoIfEmpty,
});
