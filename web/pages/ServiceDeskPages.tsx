import { MacrosView } from '../modules/tickets/components/MacrosView';
import { SlaPoliciesView } from '../modules/tickets/components/SlaPoliciesView';
import { TicketQueuesView } from '../modules/tickets/components/TicketQueuesView';

/** /service/queues: my tickets, unassigned, breaching soon. */
export function TicketQueuesPage() {
  return <TicketQueuesView />;
}

/** /service/macros: canned replies. */
export function MacrosPage() {
  return <MacrosView />;
}

/** /service/sla-policies: targets per priority, business-hours calendar. */
export function SlaPoliciesPage() {
  return <SlaPoliciesView />;
}
