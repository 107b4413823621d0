-- Own-scope lists (a sales rep's records, newest first) read an index in order
-- instead of filtering the workspace's newest records.
DROP INDEX accounts_owner_idx;
CREATE INDEX accounts_owner_idx ON accounts (workspace_id, owner_id, created_at, id);
DROP INDEX contacts_owner_idx;
CREATE INDEX contacts_owner_idx ON contacts (workspace_id, owner_id, created_at, id);
