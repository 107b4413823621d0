-- A workspace's unsubscribe address (unsubscribe-<last 12 hex digits of its id>@<mail domain>):
-- the mailto: of campaign mail's List-Unsubscribe header (RFC 2369 / RFC 8058). Mail to it whose
-- subject carries a message's signed unsubscribe token unsubscribes that message's person
-- (server/modules/campaigns/unsubscribe-mail.ts).
ALTER TABLE mailboxes DROP CONSTRAINT mailboxes_kind_check;
ALTER TABLE mailboxes ADD CONSTRAINT mailboxes_kind_check CHECK (kind IN ('support', 'bounces', 'calendar', 'unsubscribe'));
