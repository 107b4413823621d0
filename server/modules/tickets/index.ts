import { defineModule } from '../../platform/modules';
import { ticketsObject } from './tickets.object';
import { ticketRoutes } from './tickets.routes';

/**
 * Customer service: tickets with their conversation (replies emailed, internal notes,
 * inbound mail), SLA policies counted in business hours with a paused clock while
 * pending on the customer, SLA warnings and breaches, and email-to-ticket.
 */
export const ticketsModule = defineModule({
  name: 'tickets',
  objects: [ticketsObject],
  routes: ticketRoutes,
  permissions: {
    // Sales reps see their customers' tickets but do not work them.
    sales_rep: { tickets: { create: false, read: true, update: false, delete: false, export: false, scope: 'all' } },
    marketing_manager: {
      tickets: { create: false, read: true, update: false, delete: false, export: true, scope: 'all' },
    },
    service_rep: { tickets: { create: true, read: true, update: true, delete: false, export: false, scope: 'all' } },
  },
});
