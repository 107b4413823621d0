-- The Citus-ready key rule (test/schema-keys.test.ts, docs/ARCHITECTURE.md "Running on Citus")
-- for the tables this batch added alongside it: every unique key of a tenant table includes
-- workspace_id. Random public identifiers that a request knows without its workspace
-- (an app password's username, a privacy confirmation token's hash, the id in a social or
-- telephony webhook URL) keep a plain index for the lookup; uniqueness across workspaces is
-- their randomness (uuidv7, or 10+ random characters), as for the tracking site key.

DROP INDEX app_passwords_username_idx;
CREATE UNIQUE INDEX app_passwords_username_idx ON app_passwords (workspace_id, username);
CREATE INDEX app_passwords_username_lookup_idx ON app_passwords (username);

DROP INDEX privacy_requests_verification_idx;
CREATE UNIQUE INDEX privacy_requests_verification_idx ON privacy_requests (workspace_id, verification_hash)
  WHERE verification_hash IS NOT NULL;
CREATE INDEX privacy_requests_verification_lookup_idx ON privacy_requests (verification_hash)
  WHERE verification_hash IS NOT NULL;

ALTER TABLE social_connections DROP CONSTRAINT social_connections_id_key;
CREATE INDEX social_connections_id_idx ON social_connections (id);

ALTER TABLE telephony_numbers DROP CONSTRAINT telephony_numbers_id_key;
CREATE INDEX telephony_numbers_id_idx ON telephony_numbers (id);
