-- Colleague messages can be edited and deleted by their authors (administrators may
-- delete any). A message with replies is kept as a tombstone (deleted_at, no text) so
-- the thread keeps its replies; one without is removed.
ALTER TABLE feed_entries ADD COLUMN edited_at timestamptz;
ALTER TABLE feed_entries ADD COLUMN deleted_at timestamptz;
ALTER TABLE feed_entries ADD CONSTRAINT feed_entries_deleted_has_no_text CHECK (deleted_at IS NULL OR body IS NULL);
-- The embedded engine's stream poll finds recent edits by this.
CREATE INDEX feed_entries_edited_idx ON feed_entries (workspace_id, edited_at) WHERE edited_at IS NOT NULL;
