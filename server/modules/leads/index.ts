import { defineModule } from '../../platform/modules';
import { leadsObject } from './leads.object';
import { leadRoutes } from './leads.routes';

export { findPersonByEmail } from './find-person';
export { type ConvertInput, type ConvertResult, convertLead } from './lead-converter';
export { SOURCES } from './leads.object';

/** Leads and their conversion into an account, a contact and an opportunity. */
export const leadsModule = defineModule({
  name: 'leads',
  objects: [leadsObject],
  routes: leadRoutes,
});
