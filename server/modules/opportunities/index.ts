import { defineModule } from '../../platform/modules';
import { opportunitiesObject } from './opportunities.object';
import { opportunityRoutes } from './opportunities.routes';

/** Opportunities: deals in progress through a pipeline's stages. */
export const opportunitiesModule = defineModule({
  name: 'opportunities',
  objects: [opportunitiesObject],
  // Service reps see no deal values.
  permissions: { service_rep: { opportunities: { fields: { amount: 'hidden' } } } },
  routes: opportunityRoutes,
});
