import { defineModule, type ModuleWorkDeps } from '../../platform/modules';
import { csatConsumer } from './csat';
import { SlaSweeper } from './sla-sweeper';
import { supportMailHandler } from './support-mail';
import { autoAssignConsumer } from './ticket-assignment';
import { seedTicketsDemo } from './tickets.demo';
import { ticketsObject } from './tickets.object';
import { ticketRoutes } from './tickets.routes';

// For live chat (server/modules/chat): offline chats become tickets, business hours decide who answers.
export { type BusinessCalendar, businessMinutesBetween } from './business-time';
// For reporting (server/modules/reports): the CSAT response rate; csatReceived for chat ratings.
export { csatReceived, surveyedTickets } from './csat';
// For live chat: its ratings join the CSAT history of the single customer view, its chats the recent chats.
export { type CsatRating, type RecentChat, registerCsatSource } from './csat-sources';
export { getCalendar } from './sla-policies.service';
export { supportMailHandler } from './support-mail';
export { contentDisposition } from './ticket-attachments';
export { insertTicketMessage, systemActor } from './ticket-messages.service';

/**
 * The SLA sweep, run with the background work (tests sweep `modules.tickets.sla` with their
 * own clock), and the satisfaction survey sent when a ticket is solved (an event consumer).
 */
function ticketsWork(deps: ModuleWorkDeps) {
  const sla = new SlaSweeper({ database: deps.database, records: deps.records, log: deps.log });
  return {
    sla,
    consumers: [
      csatConsumer({ records: deps.records, baseUrl: deps.config.baseUrl }),
      autoAssignConsumer({ records: deps.records }),
    ],
    start: () => sla.start(),
    stop: () => sla.stop(),
  };
}

/**
 * Customer service: tickets with their conversation (replies emailed, internal notes,
 * inbound mail), SLA policies counted in business hours with a paused clock while
 * pending on the customer, SLA warnings and breaches, and email-to-ticket.
 */
export const ticketsModule = defineModule({
  name: 'tickets',
  /** Event types workflows may start on (each names a record). */
  triggers: ['sla.warning', 'sla.breached', 'csat.received'],
  objects: [ticketsObject],
  permissions: {
    // Sales reps see their customers' tickets but do not work them.
    sales_rep: { tickets: { create: false, read: true, update: false, delete: false, export: false, scope: 'all' } },
    marketing_manager: {
      tickets: { create: false, read: true, update: false, delete: false, export: true, scope: 'all' },
    },
    service_rep: { tickets: { create: true, read: true, update: true, delete: false, export: false, scope: 'all' } },
  },
  routes: ticketRoutes,
  inboundMail: supportMailHandler,
  work: ticketsWork,
  demo: seedTicketsDemo,
});
