-- Social CRM (issue 21, server/modules/social): connections to social networks, every
-- webhook payload as received (replayable), and social messages (a record object).

-- A connected Facebook Page, Instagram account, X account or generic source. The id is in
-- the public webhook URL (/social/webhooks/<id>) and finds the workspace, so it is unique
-- on its own. Secrets are sealed with the instance SecretBox (bound to workspace and id).
CREATE TABLE social_connections (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL UNIQUE,
  network text NOT NULL CHECK (network IN ('facebook', 'instagram', 'x', 'generic')),
  -- The Page id, Instagram account id, X user id, or a generic source's name.
  external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 200),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  app_secret text NOT NULL,
  verify_token text,
  access_token text,
  -- ok, expired or revoked (the provider said so when a reply was sent): shown to administrators.
  token_status text NOT NULL DEFAULT 'ok' CHECK (token_status IN ('ok', 'expired', 'revoked')),
  token_error text,
  token_failed_at timestamptz,
  last_event_at timestamptz,
  active boolean NOT NULL DEFAULT true,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, network, external_id)
);
ALTER TABLE social_connections ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON social_connections USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- The brand names and keywords flagged in social messages, per workspace.
CREATE TABLE social_settings (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
  keywords text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE social_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON social_settings USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Every accepted webhook item, stored before processing (the networks keep no copy):
-- one row per provider event (a Messenger message, a comment, a tweet, a DM), unique by
-- the provider's id, so a retried delivery adds nothing. Processed by the social.process
-- job; a payload of the wrong shape is kept as rejected with the reason.
CREATE TABLE social_events (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  connection_id uuid NOT NULL,
  provider_event_id text NOT NULL,
  -- The item as the provider sent it (JSON text), or the whole body when it could not be read.
  payload text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'ignored', 'rejected')),
  reason text,
  message_id uuid,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, connection_id, provider_event_id),
  FOREIGN KEY (workspace_id, connection_id) REFERENCES social_connections (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX social_events_status_idx ON social_events (workspace_id, status, received_at);
ALTER TABLE social_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON social_events USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Social messages: generated from server/modules/social_messages/social_messages.object.ts by `npm run db:ddl -- social_messages`
CREATE TABLE social_messages (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  network text NOT NULL,
  kind text NOT NULL,
  direction text,
  text text,
  author_handle text,
  author_name text,
  author_id text,
  author_url text,
  permalink text,
  media_urls jsonb,
  sent_at timestamptz,
  thread_id text,
  external_id text,
  connection_id text,
  sentiment bigint,
  language text,
  flagged_keywords jsonb,
  priority text,
  status text,
  assignee_id uuid,
  contact_id uuid,
  lead_id uuid,
  delivery_status text,
  delivery_error text,
  reply_to_id uuid,
  owner_id uuid,
  team_id uuid,
  tags text[] NOT NULL DEFAULT '{}',
  custom jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  deleted_at timestamptz,
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(text, ''))), 'B') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(author_handle, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(author_name, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(author_handle, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE SET NULL (contact_id),
  FOREIGN KEY (workspace_id, lead_id) REFERENCES leads (workspace_id, id) ON DELETE SET NULL (lead_id),
  FOREIGN KEY (workspace_id, reply_to_id) REFERENCES social_messages (workspace_id, id) ON DELETE SET NULL (reply_to_id)
);
CREATE INDEX social_messages_network_idx ON social_messages (workspace_id, network, id);
CREATE INDEX social_messages_author_id_idx ON social_messages (workspace_id, author_id, id);
CREATE INDEX social_messages_sent_at_idx ON social_messages (workspace_id, sent_at, id);
CREATE INDEX social_messages_thread_id_idx ON social_messages (workspace_id, thread_id, id);
CREATE UNIQUE INDEX social_messages_external_id_key ON social_messages (workspace_id, external_id) WHERE deleted_at IS NULL;
CREATE INDEX social_messages_sentiment_idx ON social_messages (workspace_id, sentiment, id);
CREATE INDEX social_messages_priority_idx ON social_messages (workspace_id, priority, id);
CREATE INDEX social_messages_status_idx ON social_messages (workspace_id, status, id);
CREATE INDEX social_messages_assignee_id_idx ON social_messages (workspace_id, assignee_id, id);
CREATE INDEX social_messages_contact_id_idx ON social_messages (workspace_id, contact_id);
CREATE INDEX social_messages_lead_id_idx ON social_messages (workspace_id, lead_id);
CREATE INDEX social_messages_reply_to_id_idx ON social_messages (workspace_id, reply_to_id);
CREATE INDEX social_messages_created_idx ON social_messages (workspace_id, created_at, id);
CREATE INDEX social_messages_updated_idx ON social_messages (workspace_id, updated_at, id);
CREATE INDEX social_messages_owner_idx ON social_messages (workspace_id, owner_id, created_at, id);
CREATE INDEX social_messages_team_idx ON social_messages (workspace_id, team_id);
CREATE INDEX social_messages_trash_idx ON social_messages (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX social_messages_tags_idx ON social_messages USING gin (tags);
CREATE INDEX social_messages_custom_idx ON social_messages USING gin (custom jsonb_path_ops);
CREATE INDEX social_messages_search_idx ON social_messages USING gin (search_vector);
CREATE INDEX social_messages_trgm_idx ON social_messages USING gin (search_text gin_trgm_ops);
ALTER TABLE social_messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON social_messages USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW social_messages_scoped AS SELECT * FROM social_messages WHERE workspace_id = rapport_workspace();
GRANT SELECT ON social_messages_scoped TO rapport_app;
