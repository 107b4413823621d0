import type { EventConsumer } from '../../platform/events/dispatcher';
import { markMemberBounced } from './members.service';

/**
 * Campaign members follow the bounce handling (modules/bounces, which reads delivery status
 * notices and complaint reports at the inbound receiver): a hard bounce, a complaint, or the
 * soft bounce that reached the limit and suppressed the address makes the member whose mail
 * it was (by outbox id, else by address) `bounced`. A soft bounce below the limit is a
 * delivery delay, not a lost member. Through events, so the bounces module needs nothing of
 * campaigns and a bounce of a non-campaign mail changes nothing here.
 */
export function campaignBouncesConsumer(): EventConsumer {
  return {
    name: 'campaigns.bounces',
    types: ['mail.bounced', 'mail.complained'],
    async handle(tx, events) {
      let changed = 0;
      for (const event of events) {
        const data = event.data as {
          outboxId?: string | null;
          email?: string | null;
          kind?: string;
          suppressed?: boolean;
        };
        const kind = event.type === 'mail.complained' ? 'complaint' : data.kind === 'hard' ? 'hard' : 'soft';
        if (kind === 'soft' && !data.suppressed) continue;
        changed += await markMemberBounced(
          tx,
          event.workspaceId,
          { outboxId: data.outboxId ?? null, email: data.email ?? null, kind },
          event.createdAt,
        );
      }
      return changed > 0 ? undefined : 'nothing-written';
    },
  };
}
