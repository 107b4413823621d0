-- Issue 17 leftovers: files in live chat (both ways), and support mailboxes that route new
-- tickets to a team.

-- A chat message may carry files (listed on the message with their ids); a message that is
-- only a file has no text.
ALTER TABLE chat_messages ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]'::jsonb;
ALTER TABLE chat_messages DROP CONSTRAINT chat_messages_body_check;
ALTER TABLE chat_messages ADD CONSTRAINT chat_messages_body_check
  CHECK (length(body) <= 4000 AND (length(body) >= 1 OR attachments <> '[]'::jsonb));

-- Stored like ticket attachments: the bytes in the database, the type sniffed from them.
CREATE TABLE chat_attachments (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  conversation_id uuid NOT NULL,
  message_id uuid NOT NULL,
  filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 255),
  content_type text NOT NULL,
  size integer NOT NULL CHECK (size >= 0),
  content bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, message_id) REFERENCES chat_messages (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, conversation_id) REFERENCES chat_conversations (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX chat_attachments_message_idx ON chat_attachments (workspace_id, message_id);
CREATE INDEX chat_attachments_conversation_idx ON chat_attachments (workspace_id, conversation_id);
ALTER TABLE chat_attachments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON chat_attachments USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- The team a support address routes its new tickets to (round robin within it); null: no team.
ALTER TABLE mailboxes ADD COLUMN team_id uuid;
ALTER TABLE mailboxes ADD CONSTRAINT mailboxes_team_fk
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id);
