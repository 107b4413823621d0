// No zod here: the web app imports this list as a value.

/** The event types the server's modules register as workflow triggers (RapportModule.triggers),
 * offered by the workflow builder; test/trigger-events.test.ts keeps the two the same. */
export const TRIGGER_EVENTS: readonly string[] = [
  'segment.entered',
  'segment.left',
  'form.submitted',
  'consent.changed',
  'lead.mql',
  'lead.sql_accepted',
  'lead.mql_rejected',
  'sla.warning',
  'sla.breached',
  'csat.received',
  'mail.bounced',
  'mail.complained',
  'social.received',
  'meeting.replied',
];
