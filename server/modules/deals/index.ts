import { defineModule } from '../../platform/modules';
import { dealRoutes } from './deals.routes';

/** Deals: the won/lost view of opportunities, with win rate and sales cycle. */
export const dealsModule = defineModule({
  name: 'deals',
  routes: dealRoutes,
});
