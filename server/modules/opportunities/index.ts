import { defineModule } from '../../platform/modules';
import { opportunitiesObject } from './opportunities.object';
import { opportunityRoutes } from './opportunities.routes';

// For reporting (server/modules/reports): time in stage on the sales dashboard.
export { stageReport } from './opportunity-extras.service';

/** Opportunities: deals in progress through a pipeline's stages. */
export const opportunitiesModule = defineModule({
  name: 'opportunities',
  objects: [opportunitiesObject],
  // Service reps see no deal values.
  permissions: { service_rep: { opportunities: { fields: { amount: 'hidden' } } } },
  routes: opportunityRoutes,
});
