import { defineModule } from '../../platform/modules';
import { collectRoutes } from './collect.routes';
import { trackingConsumer } from './tracking.consumer';
import { seedTrackingDemo } from './tracking.demo';
import { trackingRoutes } from './tracking.routes';
import { listVisits } from './tracking.service';

export { getSettings as trackingSettings, identifyVisitor } from './tracking.service';

/**
 * Website tracking: the first-party script (`GET /t.js`), what it reports (`POST /t/collect`),
 * the workspace's site key and allowed sites, visitors identified as leads and contacts (form
 * submissions; tracked email links through identifyVisitor) and their visits on the record.
 */
export const trackingModule = defineModule({
  name: 'tracking',
  routes: (deps) => {
    const collect = collectRoutes(deps);
    const api = trackingRoutes(deps);
    return async (app) => {
      await app.register(collect);
      await app.register(api);
    };
  },
  // `GET /{leads|contacts}/{id}?include=visits`: the newest page views of the record's visitors.
  sections: [
    {
      name: 'visits',
      label: 'Website visits',
      objects: ['leads', 'contacts'],
      async load(tx, { actor }, { object, id }, limit) {
        const page = await listVisits(tx, actor.workspaceId, object as 'leads' | 'contacts', id, limit);
        return { items: page.data, count: page.total };
      },
    },
  ],
  work: () => ({ consumers: [trackingConsumer()] }),
  demo: seedTrackingDemo,
});
