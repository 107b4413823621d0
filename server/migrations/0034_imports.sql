-- Imports (server/modules/imports): a streamed CSV/XLSX file imported into one object by a
-- background job, in batches through the record engine. The upload is kept in chunks so the
-- job can read it again after a crash; `checkpoint` is the number of data rows whose batch
-- has committed (the batch's records, its errors and the checkpoint commit together), so a
-- resumed run skips exactly those rows and nothing is written twice or lost.

CREATE TABLE imports (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  created_by uuid,
  object text NOT NULL,
  file_name text NOT NULL DEFAULT '',
  format text NOT NULL CHECK (format IN ('csv', 'xlsx', 'vcard')),
  preset text CHECK (preset IN ('hubspot', 'salesforce')),
  mode text NOT NULL CHECK (mode IN ('create', 'update', 'upsert')),
  match_on text,
  dry_run boolean NOT NULL DEFAULT false,
  create_missing boolean NOT NULL DEFAULT true,
  mapping jsonb NOT NULL DEFAULT '{}',
  -- Who the job acts as (kind, userId, apiKeyId, scopes): the role is read again when it runs.
  actor jsonb NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  size_bytes bigint NOT NULL DEFAULT 0,
  -- Rows the file holds, counted at upload for a progress bar (CSV: lines less the header; vCard: cards).
  estimated_rows integer,
  checkpoint integer NOT NULL DEFAULT 0,
  read_rows integer NOT NULL DEFAULT 0,
  created_rows integer NOT NULL DEFAULT 0,
  updated_rows integer NOT NULL DEFAULT 0,
  failed_rows integer NOT NULL DEFAULT 0,
  accounts_created integer NOT NULL DEFAULT 0,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX imports_recent_idx ON imports (workspace_id, created_at DESC);
ALTER TABLE imports ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON imports USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- The uploaded file, in order, at most 1 MiB a chunk (streamed in, streamed out).
CREATE TABLE import_chunks (
  workspace_id uuid NOT NULL,
  import_id uuid NOT NULL,
  seq integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (workspace_id, import_id, seq),
  FOREIGN KEY (workspace_id, import_id) REFERENCES imports (workspace_id, id) ON DELETE CASCADE
);
ALTER TABLE import_chunks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON import_chunks USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Per-row errors: the file's row number (the header is row 1), the column, the message.
CREATE TABLE import_errors (
  workspace_id uuid NOT NULL,
  import_id uuid NOT NULL,
  row_number integer NOT NULL,
  seq integer NOT NULL DEFAULT 0,
  column_name text NOT NULL DEFAULT '',
  message text NOT NULL,
  PRIMARY KEY (workspace_id, import_id, row_number, seq),
  FOREIGN KEY (workspace_id, import_id) REFERENCES imports (workspace_id, id) ON DELETE CASCADE
);
ALTER TABLE import_errors ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON import_errors USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- The source system's record ids (HubSpot "Record ID", Salesforce "Contact ID"…) per object:
-- a second import of the same file updates instead of duplicating, and relations between
-- imported objects (contact → account) are resolved through them.
CREATE TABLE import_external_ids (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  object text NOT NULL,
  source text NOT NULL,
  external_id text NOT NULL,
  record_id uuid NOT NULL,
  import_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, object, source, external_id)
);
CREATE INDEX import_external_ids_record_idx ON import_external_ids (workspace_id, object, record_id);
ALTER TABLE import_external_ids ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON import_external_ids USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
