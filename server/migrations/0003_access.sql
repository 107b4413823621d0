-- Roles, teams, record sharing and the audit log.

-- Roles per workspace: the five standard ones (permissions NULL = the defaults in
-- server/platform/access/standard-roles.ts) and custom ones (permissions JSON).
CREATE TABLE roles (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{1,49}$'),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description text,
  standard boolean NOT NULL DEFAULT false,
  permissions jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, key)
);
ALTER TABLE roles ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON roles USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

INSERT INTO roles (workspace_id, key, name, standard)
SELECT w.id, r.key, r.name, true
FROM workspaces w,
  (VALUES ('administrator', 'Administrator'), ('sales_rep', 'Sales representative'),
          ('marketing_manager', 'Marketing manager'), ('service_rep', 'Customer service representative'),
          ('data_analyst', 'Data analyst')) AS r (key, name);

-- Memberships, invitations and API keys now name a role of their workspace.
ALTER TABLE workspace_members DROP CONSTRAINT workspace_members_role_check;
ALTER TABLE workspace_members ADD FOREIGN KEY (workspace_id, role) REFERENCES roles (workspace_id, key) ON UPDATE CASCADE;
ALTER TABLE invitations DROP CONSTRAINT invitations_role_check;
ALTER TABLE invitations ADD FOREIGN KEY (workspace_id, role) REFERENCES roles (workspace_id, key) ON UPDATE CASCADE ON DELETE CASCADE;
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD FOREIGN KEY (workspace_id, role) REFERENCES roles (workspace_id, key) ON UPDATE CASCADE;

CREATE TABLE teams (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, name)
);
ALTER TABLE teams ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON teams USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

CREATE TABLE team_members (
  workspace_id uuid NOT NULL,
  team_id uuid NOT NULL,
  user_id uuid NOT NULL,
  PRIMARY KEY (workspace_id, team_id, user_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX team_members_user_idx ON team_members (workspace_id, user_id);
ALTER TABLE team_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON team_members USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- The team a record belongs to (record scope "team").
ALTER TABLE accounts ADD COLUMN team_id uuid;
ALTER TABLE accounts ADD FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id);
CREATE INDEX accounts_team_idx ON accounts (workspace_id, team_id);
ALTER TABLE contacts ADD COLUMN team_id uuid;
ALTER TABLE contacts ADD FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id);
CREATE INDEX contacts_team_idx ON contacts (workspace_id, team_id);
-- Views expand * when created: recreate them so they carry the new column.
CREATE OR REPLACE VIEW accounts_scoped AS SELECT * FROM accounts WHERE workspace_id = rapport_workspace();
CREATE OR REPLACE VIEW contacts_scoped AS SELECT * FROM contacts WHERE workspace_id = rapport_workspace();

-- A record shared with a user or a team, beyond its role's record scope.
CREATE TABLE record_shares (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  object text NOT NULL,
  record_id uuid NOT NULL,
  user_id uuid,
  team_id uuid,
  access text NOT NULL DEFAULT 'read' CHECK (access IN ('read', 'edit')),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  CHECK ((user_id IS NULL) <> (team_id IS NULL)),
  FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX record_shares_record_idx ON record_shares (workspace_id, object, record_id);
CREATE UNIQUE INDEX record_shares_user_key ON record_shares (workspace_id, object, record_id, user_id) WHERE user_id IS NOT NULL;
CREATE UNIQUE INDEX record_shares_team_key ON record_shares (workspace_id, object, record_id, team_id) WHERE team_id IS NOT NULL;
ALTER TABLE record_shares ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON record_shares USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- The audit log: append-only. The app role may insert and read, never change or delete;
-- a trigger refuses updates for everyone and deletes except the retention purge.
ALTER TABLE workspaces ADD COLUMN audit_retention_days integer NOT NULL DEFAULT 365
  CHECK (audit_retention_days BETWEEN 30 AND 3650);

CREATE TABLE audit_log (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id bigint GENERATED ALWAYS AS IDENTITY,
  at timestamptz NOT NULL DEFAULT now(),
  action text NOT NULL,
  actor_user_id uuid,
  actor_api_key_id uuid,
  object text,
  record_id uuid,
  changes jsonb,
  detail jsonb,
  ip text,
  request_id text,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX audit_log_at_idx ON audit_log (workspace_id, at DESC, id DESC);
CREATE INDEX audit_log_record_idx ON audit_log (workspace_id, object, record_id);
CREATE INDEX audit_log_actor_idx ON audit_log (workspace_id, actor_user_id, at DESC);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON audit_log USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM rapport_app;

CREATE FUNCTION rapport_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('rapport.audit_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION rapport_audit_append_only();
