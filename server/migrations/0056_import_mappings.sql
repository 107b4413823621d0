-- Saved import mappings (issue 18): a column → field mapping kept under a name for the next
-- import of the same object, shared by the workspace (whoever may import the object uses
-- it). `columns` are the file's headers the mapping names, so a new file's header finds the
-- saved mapping that fits it.
CREATE TABLE import_mappings (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  object text NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  mapping jsonb NOT NULL,
  columns text[] NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX import_mappings_name_key ON import_mappings (workspace_id, object, lower(name));
ALTER TABLE import_mappings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON import_mappings
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
