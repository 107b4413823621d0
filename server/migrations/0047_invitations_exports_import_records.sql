-- iTIP invitations for meetings (issue 18, point 4; RFC 5546 over email, RFC 6047).
--
-- A meeting with attendees sends each attendee a METHOD:REQUEST (an update again, with a
-- higher SEQUENCE), METHOD:CANCEL when the meeting is deleted or the attendee removed; an
-- attendee's METHOD:REPLY comes back through the inbound SMTP receiver to the workspace's
-- calendar mailbox, calendar-<last 12 hex digits of its id>+<the invitation's token>@<domain>
-- (the ORGANIZER address of that attendee's invitation), and sets their PARTSTAT.

ALTER TABLE mailboxes DROP CONSTRAINT mailboxes_kind_check;
ALTER TABLE mailboxes ADD CONSTRAINT mailboxes_kind_check CHECK (kind IN ('support', 'bounces', 'calendar'));

-- The iCalendar object an outgoing mail carries as its text/calendar part ({ method, content }).
ALTER TABLE mail_outbox ADD COLUMN calendar jsonb;

-- One row per meeting and attendee address: what was last sent them and what they answered.
CREATE TABLE meeting_invitations (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  meeting_id uuid NOT NULL,
  -- Lower-cased; the ATTENDEE's mailto.
  email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  name text CHECK (length(name) <= 300),
  contact_id uuid,
  user_id uuid,
  -- Secret: the +tag of the ORGANIZER address this attendee replies to (only they can answer for themselves).
  token text NOT NULL CHECK (token ~ '^[0-9a-f]{32}$'),
  partstat text NOT NULL DEFAULT 'NEEDS-ACTION'
    CHECK (partstat IN ('NEEDS-ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE', 'DELEGATED')),
  -- The SEQUENCE of the last REQUEST or CANCEL sent.
  sequence integer NOT NULL DEFAULT 0,
  status text NOT NULL DEFAULT 'invited' CHECK (status IN ('invited', 'cancelled')),
  replied_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, meeting_id, email),
  FOREIGN KEY (workspace_id, meeting_id) REFERENCES meetings (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX meeting_invitations_token_key ON meeting_invitations (workspace_id, token);
ALTER TABLE meeting_invitations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON meeting_invitations USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Whole-workspace exports (issue 18, point 2): every object the requester may export, as a
-- ZIP of CSV and JSON, built by a job (server/modules/imports/workspace-export.ts). Each
-- object's files are kept as they are written, so a crashed run goes on from the next object.
CREATE TABLE workspace_exports (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  requested_by uuid,
  -- Who the job acts as (kind, userId, apiKeyId, scopes, role): their role as it is when it runs.
  actor jsonb NOT NULL,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
  -- The objects to write, in order, and per object its rows once written.
  objects text[] NOT NULL,
  counts jsonb NOT NULL DEFAULT '{}',
  size_bytes bigint,
  error text CHECK (length(error) <= 1000),
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX workspace_exports_created_idx ON workspace_exports (workspace_id, created_at);
ALTER TABLE workspace_exports ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON workspace_exports USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- The export's files: <object>.csv and <object>.json per object, then the ZIP itself (name '').
CREATE TABLE workspace_export_files (
  workspace_id uuid NOT NULL,
  export_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) <= 200),
  data bytea NOT NULL,
  PRIMARY KEY (workspace_id, export_id, name),
  FOREIGN KEY (workspace_id, export_id) REFERENCES workspace_exports (workspace_id, id) ON DELETE CASCADE
);
ALTER TABLE workspace_export_files ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON workspace_export_files USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- The records each import created or updated (issue 18): the import's one summary event
-- (`import.completed`) names the import, and the consumers that react to record changes
-- (segments, geocoding, sequences) read the ids from here; the timeline shows "imported from".
CREATE TABLE import_records (
  workspace_id uuid NOT NULL,
  import_id uuid NOT NULL,
  record_id uuid NOT NULL,
  result text NOT NULL CHECK (result IN ('created', 'updated')),
  -- The import's row number (1 = the first data row) the record came from.
  row_number integer NOT NULL,
  PRIMARY KEY (workspace_id, import_id, record_id),
  FOREIGN KEY (workspace_id, import_id) REFERENCES imports (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX import_records_record_idx ON import_records (workspace_id, record_id);
ALTER TABLE import_records ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON import_records USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
