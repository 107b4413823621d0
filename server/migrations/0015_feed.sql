-- The workspace activity feed (server/modules/feed): what happened to records (written by
-- the feed's event consumer, one entry per feed-worthy event, id = the event's id) and
-- colleague messages with their replies (written by POST /api/v1/feed).
-- A table of its own rather than a read of `events`: the feed shows a few kinds of
-- events among millions (every field change of every activity), newest first, filtered
-- by type, person and team; reading `events` would scan and drop most rows per page.
CREATE TABLE feed_entries (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  -- contact.created, opportunity.won, comment.created, message.posted …
  type text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  actor_user_id uuid,
  -- The record it is about (record events, comments), which the reader must be able to read.
  object text CHECK (object ~ '^[a-z][a-z0-9_]{0,62}$'),
  record_id uuid,
  -- Updates: the names of the fields changed (never their values; cut to the reader's fields).
  fields text[] NOT NULL DEFAULT '{}',
  -- Messages and comments.
  body text CHECK (length(body) BETWEEN 1 AND 10000),
  mentions uuid[] NOT NULL DEFAULT '{}',
  -- Messages: records mentioned as @[Title](<object>:<id>), [{ object, id }].
  record_mentions jsonb NOT NULL DEFAULT '[]',
  -- A message to a team is shown to its members only.
  team_id uuid,
  parent_id uuid,
  reply_count integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, parent_id) REFERENCES feed_entries (workspace_id, id) ON DELETE CASCADE
);
-- The stream, newest first (keyset on created_at, id), whole and by person and by type.
CREATE INDEX feed_entries_recent_idx ON feed_entries (workspace_id, created_at DESC, id DESC) WHERE parent_id IS NULL;
CREATE INDEX feed_entries_actor_idx ON feed_entries (workspace_id, actor_user_id, created_at DESC, id DESC)
  WHERE parent_id IS NULL;
CREATE INDEX feed_entries_type_idx ON feed_entries (workspace_id, type, created_at DESC, id DESC) WHERE parent_id IS NULL;
CREATE INDEX feed_entries_team_idx ON feed_entries (workspace_id, team_id, created_at DESC, id DESC)
  WHERE team_id IS NOT NULL;
-- A record's entries (the consumer folds a person's run of edits to one record into one entry).
CREATE INDEX feed_entries_record_idx ON feed_entries (workspace_id, object, record_id, created_at DESC)
  WHERE record_id IS NOT NULL;
-- A thread's replies, oldest first.
CREATE INDEX feed_entries_replies_idx ON feed_entries (workspace_id, parent_id, created_at, id) WHERE parent_id IS NOT NULL;
ALTER TABLE feed_entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON feed_entries USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
