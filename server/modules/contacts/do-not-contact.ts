import type { SuppressionCheck } from '../../platform/mail/templates.service';

/** Mail to a contact flagged "do not contact" does not go out (the contacts module's suppression rule). */
export const doNotContactCheck: SuppressionCheck = async (_tx, _workspaceId, recipients) =>
  recipients.map((r) => (r.recipient?.doNotContact === true ? 'the contact asked not to be contacted' : null));
