-- Platform foundation: extensions, the application role, identity, workspaces,
-- memberships, invitations, API keys, sign-in attempts and the mail outbox.
--
-- Tenancy: every tenant table carries workspace_id in its primary key and unique
-- keys, references other tenant rows through composite (workspace_id, id) keys,
-- and has a row-level security policy keyed on rapport_workspace(), the
-- workspace set per transaction by the app (see server/platform/db/database.ts).

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;

-- The role every tenant request runs as (SET LOCAL ROLE), subject to RLS.
DO $$
BEGIN
  CREATE ROLE rapport_app NOLOGIN;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END $$;

DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT rapport_app TO %I', current_user);
  END IF;
END $$;

GRANT USAGE ON SCHEMA public TO rapport_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO rapport_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO rapport_app;

-- The workspace of the current transaction, or NULL (then every policy hides every row).
CREATE FUNCTION rapport_workspace() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.workspace_id', true), '')::uuid $$;

-- Identity (Better Auth). Users are global: one person may belong to several workspaces.
CREATE TABLE users (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  email text NOT NULL UNIQUE,
  email_verified boolean NOT NULL DEFAULT false,
  image text,
  default_workspace_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token text NOT NULL UNIQUE,
  expires_at timestamptz NOT NULL,
  ip_address text,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE auth_accounts (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  account_id text NOT NULL,
  provider_id text NOT NULL,
  access_token text,
  refresh_token text,
  id_token text,
  access_token_expires_at timestamptz,
  refresh_token_expires_at timestamptz,
  scope text,
  password text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_accounts_user_idx ON auth_accounts (user_id);

CREATE TABLE verifications (
  id uuid PRIMARY KEY,
  identifier text NOT NULL,
  value text NOT NULL,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX verifications_identifier_idx ON verifications (identifier);

-- Credentials never reach the application role.
REVOKE ALL ON sessions, auth_accounts, verifications FROM rapport_app;

CREATE TABLE sign_in_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL,
  ip text NOT NULL,
  success boolean NOT NULL,
  attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_attempts_email_idx ON sign_in_attempts (email, attempted_at);
CREATE INDEX sign_in_attempts_ip_idx ON sign_in_attempts (ip, attempted_at);
REVOKE ALL ON sign_in_attempts FROM rapport_app;

-- Workspaces: the tenant root (its id is every tenant row's workspace_id).
CREATE TABLE workspaces (
  id uuid PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE workspaces ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON workspaces USING (id = rapport_workspace()) WITH CHECK (id = rapport_workspace());

ALTER TABLE users ADD FOREIGN KEY (default_workspace_id) REFERENCES workspaces (id) ON DELETE SET NULL;

CREATE TABLE workspace_members (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('administrator', 'sales_rep', 'marketing_manager', 'service_rep', 'data_analyst')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_members_user_idx ON workspace_members (user_id);
ALTER TABLE workspace_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON workspace_members
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Inside a workspace, the app may read the profiles of that workspace's members only.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_of_workspace ON users FOR SELECT USING (
  EXISTS (SELECT 1 FROM workspace_members m WHERE m.user_id = users.id AND m.workspace_id = rapport_workspace())
);
REVOKE INSERT, UPDATE, DELETE ON users FROM rapport_app;

CREATE TABLE invitations (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  email text NOT NULL,
  role text NOT NULL CHECK (role IN ('administrator', 'sales_rep', 'marketing_manager', 'service_rep', 'data_analyst')),
  token_hash text NOT NULL,
  invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  accepted_by uuid REFERENCES users (id) ON DELETE SET NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, token_hash)
);
CREATE INDEX invitations_token_idx ON invitations (token_hash);
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON invitations
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

CREATE TABLE api_keys (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  key_prefix text NOT NULL,
  key_hash text NOT NULL,
  role text NOT NULL CHECK (role IN ('administrator', 'sales_rep', 'marketing_manager', 'service_rep', 'data_analyst')),
  scopes text[] NOT NULL DEFAULT '{}',
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, key_hash)
);
CREATE INDEX api_keys_hash_idx ON api_keys (key_hash);
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON api_keys
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Outgoing mail, written in the same transaction as the change that causes it and
-- delivered by the mail dispatcher; with no SMTP configured it stays 'held' and
-- readable in the app.
CREATE TABLE mail_outbox (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  to_address text NOT NULL,
  subject text NOT NULL,
  text_body text NOT NULL,
  html_body text,
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed', 'held')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at) WHERE status = 'queued';
ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON mail_outbox
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Per-installation settings shared by every app server (e.g. the session signing
-- secret when RAPPORT_AUTH_SECRET is not set).
CREATE TABLE instance_settings (
  key text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON instance_settings FROM rapport_app;
