-- Issue 12.9: sign-up never tells whether an address is registered. A sign-up with an
-- address another account already holds creates a separate, working account whose
-- address is only *pending*: users.email (unique) keeps holding claimed addresses only;
-- the pending account's users.email is a unique placeholder that can receive no mail
-- (…@pending.rapport.invalid) and the address it asked for waits here until the emailed
-- verification link (which only the address's owner receives) claims it.
ALTER TABLE users ADD COLUMN pending_email text;
CREATE INDEX users_pending_email_idx ON users (pending_email) WHERE pending_email IS NOT NULL;
