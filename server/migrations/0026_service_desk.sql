-- Service desk (server/modules/tickets): attachments kept with their bytes, macros (canned
-- replies), agents' capacity and the team rotation for round-robin assignment, who is
-- viewing or replying to a ticket (collision warning), and attachments on outgoing mail.

-- The bytes of a message's attachments (inbound mail and public replies). The content type
-- is the one sniffed from the bytes (platform/mail/inbound-sniff.ts), never the sender's.
CREATE TABLE ticket_attachments (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  ticket_id uuid NOT NULL,
  message_id uuid NOT NULL,
  filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
  content_type text NOT NULL,
  size integer NOT NULL CHECK (size >= 0),
  content bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, message_id) REFERENCES ticket_messages (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX ticket_attachments_message_idx ON ticket_attachments (workspace_id, message_id);
ALTER TABLE ticket_attachments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON ticket_attachments USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Macros: a canned reply or note with {{ variables }} (the mail template syntax), and
-- optionally the status and priority the ticket takes when it is applied.
CREATE TABLE ticket_macros (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind text NOT NULL DEFAULT 'reply' CHECK (kind IN ('reply', 'note')),
  body text NOT NULL,
  set_status text,
  set_priority text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX ticket_macros_name_key ON ticket_macros (workspace_id, lower(name));
ALTER TABLE ticket_macros ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON ticket_macros USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- How many open tickets an agent may hold before round robin passes them by (no row: no limit).
CREATE TABLE service_agents (
  workspace_id uuid NOT NULL,
  user_id uuid NOT NULL,
  capacity integer CHECK (capacity IS NULL OR capacity BETWEEN 0 AND 10000),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, user_id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE
);
ALTER TABLE service_agents ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON service_agents USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- The last member of a team given a ticket by round robin (the next one follows in user id order).
CREATE TABLE ticket_round_robin (
  workspace_id uuid NOT NULL,
  team_id uuid NOT NULL,
  last_user_id uuid,
  PRIMARY KEY (workspace_id, team_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE CASCADE
);
ALTER TABLE ticket_round_robin ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON ticket_round_robin USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Who has a ticket open and whether they are writing a reply; a row older than a minute is stale.
CREATE TABLE ticket_presence (
  workspace_id uuid NOT NULL,
  ticket_id uuid NOT NULL,
  user_id uuid NOT NULL,
  state text NOT NULL CHECK (state IN ('viewing', 'replying')),
  seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, ticket_id, user_id),
  FOREIGN KEY (workspace_id, ticket_id) REFERENCES tickets (workspace_id, id) ON DELETE CASCADE
);
ALTER TABLE ticket_presence ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON ticket_presence USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Attachments of outgoing mail: [{ filename, contentType, content (base64) }].
ALTER TABLE mail_outbox ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]';
