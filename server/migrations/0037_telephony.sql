-- Contact centre (server/modules/telephony): calls (a record object; "from" and "to" are
-- SQL keywords, quoted by hand after `npm run db:ddl -- calls`), the workspace's IVR flows
-- with their versions, and the phone numbers the provider sends calls for.

-- Calls: generated from server/modules/telephony/calls.object.ts by `npm run db:ddl -- calls`
CREATE TABLE calls (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  direction text NOT NULL,
  caller_name text,
  "from" text NOT NULL,
  "to" text NOT NULL,
  status text,
  contact_id uuid,
  lead_id uuid,
  account_id uuid,
  agent_id uuid,
  queue text,
  started_at timestamptz,
  answered_at timestamptz,
  ended_at timestamptz,
  duration_seconds bigint,
  disposition text,
  notes text,
  recording_url text,
  ivr_path jsonb,
  provider_call_id text,
  interaction_id text,
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
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(caller_name, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(notes, ''))), 'C') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(caller_name, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE SET NULL (contact_id),
  FOREIGN KEY (workspace_id, lead_id) REFERENCES leads (workspace_id, id) ON DELETE SET NULL (lead_id),
  FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE SET NULL (account_id)
);
CREATE INDEX calls_from_idx ON calls (workspace_id, "from", id);
CREATE INDEX calls_status_idx ON calls (workspace_id, status, id);
CREATE INDEX calls_contact_id_idx ON calls (workspace_id, contact_id);
CREATE INDEX calls_lead_id_idx ON calls (workspace_id, lead_id);
CREATE INDEX calls_account_id_idx ON calls (workspace_id, account_id);
CREATE INDEX calls_agent_id_idx ON calls (workspace_id, agent_id, id);
CREATE INDEX calls_started_at_idx ON calls (workspace_id, started_at, id);
CREATE UNIQUE INDEX calls_provider_call_id_key ON calls (workspace_id, provider_call_id) WHERE deleted_at IS NULL;
CREATE INDEX calls_created_idx ON calls (workspace_id, created_at, id);
CREATE INDEX calls_updated_idx ON calls (workspace_id, updated_at, id);
CREATE INDEX calls_owner_idx ON calls (workspace_id, owner_id, created_at, id);
CREATE INDEX calls_team_idx ON calls (workspace_id, team_id);
CREATE INDEX calls_trash_idx ON calls (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX calls_tags_idx ON calls USING gin (tags);
CREATE INDEX calls_custom_idx ON calls USING gin (custom jsonb_path_ops);
CREATE INDEX calls_search_idx ON calls USING gin (search_vector);
CREATE INDEX calls_trgm_idx ON calls USING gin (search_text gin_trgm_ops);
ALTER TABLE calls ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON calls USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW calls_scoped AS SELECT * FROM calls WHERE workspace_id = rapport_workspace();
GRANT SELECT ON calls_scoped TO rapport_app;

-- IVR flows: a name and the current version; every save adds a version (calls log the one they took).
CREATE TABLE telephony_flows (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- The flow new numbers answer with (one per workspace).
  is_default boolean NOT NULL DEFAULT false,
  current_version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX telephony_flows_default_key ON telephony_flows (workspace_id) WHERE is_default;
ALTER TABLE telephony_flows ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON telephony_flows USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

CREATE TABLE telephony_flow_versions (
  workspace_id uuid NOT NULL,
  flow_id uuid NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  -- The flow's nodes as common/contracts/telephony.ts IvrDefinitionSchema describes them.
  definition jsonb NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, flow_id, version),
  FOREIGN KEY (workspace_id, flow_id) REFERENCES telephony_flows (workspace_id, id) ON DELETE CASCADE
);
ALTER TABLE telephony_flow_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON telephony_flow_versions USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- A number the provider sends calls for. The webhooks carry the number's id in their path
-- (found across workspaces by id alone); the auth token that signs them is sealed with the
-- instance's SecretBox, bound to its row.
CREATE TABLE telephony_numbers (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  provider text NOT NULL CHECK (provider IN ('twilio')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  phone_number text NOT NULL CHECK (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  account_sid text NOT NULL,
  auth_token text NOT NULL,
  flow_id uuid NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (id),
  UNIQUE (workspace_id, phone_number),
  FOREIGN KEY (workspace_id, flow_id) REFERENCES telephony_flows (workspace_id, id)
);
ALTER TABLE telephony_numbers ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON telephony_numbers USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Agents of the contact centre: presence (set in the agent desktop), the phone their calls ring,
-- the queues they take (skills; empty: every queue) and when they last finished a call — routing
-- gives a queued call to the available agent with the skill who has been idle longest.
CREATE TABLE telephony_agents (
  workspace_id uuid NOT NULL,
  user_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'offline' CHECK (status IN ('available', 'busy', 'wrap_up', 'offline')),
  phone text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  skills text[] NOT NULL DEFAULT '{}',
  -- The call they are on (busy) or wrapping up.
  call_id uuid,
  idle_since timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, user_id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX telephony_agents_routing_idx ON telephony_agents (workspace_id, status, idle_since);
ALTER TABLE telephony_agents ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON telephony_agents USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
