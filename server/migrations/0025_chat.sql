-- Live chat (server/modules/chat): the workspace's widget settings, agents' presence and
-- capacity, conversations between a website visitor and an agent, and their messages.

-- One row per workspace. widget_key is public (it is in every page embedding widget.js) and
-- unique across workspaces: the public endpoints find the workspace by it.
CREATE TABLE chat_settings (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
  widget_key text NOT NULL UNIQUE CHECK (widget_key ~ '^[A-Za-z0-9_-]{16,64}$'),
  enabled boolean NOT NULL DEFAULT false,
  colour text NOT NULL DEFAULT '#1864ab' CHECK (colour ~ '^#[0-9a-fA-F]{6}$'),
  greeting text NOT NULL DEFAULT 'Hi! How can we help?' CHECK (length(greeting) BETWEEN 1 AND 300),
  -- The sites (scheme://host[:port]) allowed to open the chat; empty: any site.
  allowed_origins text[] NOT NULL DEFAULT '{}',
  -- Business hours (null: around the clock); outside them the widget offers the offline form.
  calendar_id uuid,
  -- The team whose agents answer (null: every agent of the workspace).
  team_id uuid,
  require_verification boolean NOT NULL DEFAULT false,
  -- The identity-verification secret, sealed with the instance's SecretBox (it is read back to check HMACs).
  identity_secret text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (workspace_id, calendar_id) REFERENCES business_calendars (workspace_id, id) ON DELETE SET NULL (calendar_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id)
);
ALTER TABLE chat_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON chat_settings USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- An agent's presence (online, away, offline) and how many chats they take at once.
CREATE TABLE chat_agents (
  workspace_id uuid NOT NULL,
  user_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'away', 'offline')),
  capacity integer NOT NULL DEFAULT 3 CHECK (capacity BETWEEN 1 AND 20),
  -- When they last took a chat: routing picks the least recently served agent first.
  last_assigned_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, user_id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE
);
ALTER TABLE chat_agents ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON chat_agents USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- A conversation: waiting in the queue, active with an agent, ended; or turned into a ticket
-- (nobody available). The visitor holds a random token (stored hashed) to resume it.
CREATE TABLE chat_conversations (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  visitor_token_hash text NOT NULL,
  visitor_name text,
  visitor_email text,
  -- True only when the site vouched for the identity with a valid HMAC.
  verified boolean NOT NULL DEFAULT false,
  contact_id uuid,
  status text NOT NULL CHECK (status IN ('waiting', 'active', 'ended', 'ticket')),
  agent_user_id uuid,
  team_id uuid,
  ticket_id uuid,
  origin text,
  page_url text,
  visitor_read_at timestamptz,
  agent_read_at timestamptz,
  csat_rating smallint CHECK (csat_rating BETWEEN 1 AND 5),
  csat_comment text,
  -- The transcript on the contact's timeline (an interaction, channel chat), written when the chat ends.
  interaction_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  assigned_at timestamptz,
  ended_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (visitor_token_hash),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE SET NULL (contact_id),
  FOREIGN KEY (workspace_id, agent_user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (agent_user_id)
);
CREATE INDEX chat_conversations_status_idx ON chat_conversations (workspace_id, status, created_at);
CREATE INDEX chat_conversations_agent_idx ON chat_conversations (workspace_id, agent_user_id, status);
CREATE INDEX chat_conversations_contact_idx ON chat_conversations (workspace_id, contact_id);
ALTER TABLE chat_conversations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON chat_conversations USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

CREATE TABLE chat_messages (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  conversation_id uuid NOT NULL,
  author text NOT NULL CHECK (author IN ('visitor', 'agent', 'system')),
  author_user_id uuid,
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, conversation_id) REFERENCES chat_conversations (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX chat_messages_conversation_idx ON chat_messages (workspace_id, conversation_id, created_at, id);
ALTER TABLE chat_messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON chat_messages USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
