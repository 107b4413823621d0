-- Saved views of a list or board: a user's own (private) or shared with the workspace.
CREATE TABLE saved_views (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  object text NOT NULL CHECK (object ~ '^[a-z][a-z0-9_]{0,62}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  owner_id uuid NOT NULL,
  shared boolean NOT NULL DEFAULT false,
  kind text NOT NULL DEFAULT 'list' CHECK (kind IN ('list', 'board')),
  filter jsonb,
  sort text,
  columns jsonb,
  group_by text,
  sum_field text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  -- Leaving the workspace takes a member's views with them.
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE,
  CHECK (kind = 'list' OR group_by IS NOT NULL)
);
CREATE UNIQUE INDEX saved_views_name_key ON saved_views (workspace_id, object, owner_id, lower(name));
CREATE INDEX saved_views_shared_idx ON saved_views (workspace_id, object) WHERE shared;
ALTER TABLE saved_views ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON saved_views USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
GRANT SELECT, INSERT, UPDATE, DELETE ON saved_views TO rapport_app;
