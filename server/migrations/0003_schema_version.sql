-- Bumped whenever a workspace's custom fields change, so app servers can cache
-- object schemas and still see a change on the very next request.
ALTER TABLE workspaces ADD COLUMN schema_version bigint NOT NULL DEFAULT 0;
