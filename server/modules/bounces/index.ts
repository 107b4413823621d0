import { bareAddress, suppressionReasons } from '../../platform/mail/suppressions';
import type { SuppressionCheck } from '../../platform/mail/templates.service';
import { defineModule } from '../../platform/modules';
import { bounceMailHandler } from './bounce-mail';
import { seedBouncesDemo } from './bounces.demo';
import { suppressionRoutes } from './suppressions.routes';

export { bounceActor, bounceMailHandler, type RecordedBounce, recordReport } from './bounce-mail';

/** A template send to a suppressed address is refused up front (the dispatcher would settle it as suppressed). */
const suppressionListCheck: SuppressionCheck = async (tx, workspaceId, recipients) => {
  const listed = await suppressionReasons(
    tx,
    workspaceId,
    recipients.map((r) => r.email),
  );
  return recipients.map((r) => {
    const reason = listed.get(bareAddress(r.email));
    return reason ? `the address is on the suppression list (${reason})` : null;
  });
};

/**
 * Bounces, complaints and the suppression list: delivery reports (RFC 3464) and complaint
 * reports (ARF, RFC 5965) arriving at the workspace's bounce mailbox by VERP, matched to the
 * outbox mail, suppressing the address (hard bounce or complaint at once, soft bounces after
 * N); `mail.bounced` and `mail.complained` on the contact's timeline; the admin API.
 */
export const bouncesModule = defineModule({
  name: 'bounces',
  triggers: ['mail.bounced', 'mail.complained'],
  suppression: suppressionListCheck,
  inboundMail: bounceMailHandler,
  routes: suppressionRoutes,
  demo: seedBouncesDemo,
});
