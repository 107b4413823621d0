import { AgentDesktop } from '../modules/telephony/components/AgentDesktop';

/** /contact-centre: the agent desktop (presence, screen-pop, wrap-up, queues). */
export function ContactCentrePage() {
  return <AgentDesktop />;
}
