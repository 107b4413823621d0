import { defineModule } from '../../platform/modules';
import { seedDemoIfEmpty } from './demo-seed';

export { DEMO_EMAIL } from './demo-seed';

/**
 * The demo workspace, seeded on the first start of an empty installation. One script
 * rather than a part per module: the sample accounts, contacts, leads, products,
 * opportunities and quotes refer to each other's ids, in one transaction.
 */
export const demoModule = defineModule({
  name: 'demo',
  demo: seedDemoIfEmpty,
});
