-- App passwords (CardDAV/CalDAV sign-in) and what phones sent that Rapport keeps beside its records.

-- One app password per device: a generated username and password, shown once; only the
-- argon2id hash of the password is kept. Revoked rows stay (listed as revoked) until the
-- member leaves the workspace.
CREATE TABLE app_passwords (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  username text NOT NULL,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE
);
-- A DAV request is looked up by its username before the workspace is known.
CREATE UNIQUE INDEX app_passwords_username_idx ON app_passwords (username);
CREATE INDEX app_passwords_user_idx ON app_passwords (workspace_id, user_id, created_at DESC);
ALTER TABLE app_passwords ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON app_passwords USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- A record as a DAV resource: the file name a client chose for it (PUT to a new name) and
-- the client's last text, whose properties Rapport has no field for are served back.
CREATE TABLE dav_resources (
  workspace_id uuid NOT NULL,
  object text NOT NULL CHECK (object IN ('contacts', 'meetings', 'tasks')),
  record_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
  original text NOT NULL DEFAULT '' CHECK (length(original) <= 1048576),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, object, record_id),
  UNIQUE (workspace_id, object, name)
);
ALTER TABLE dav_resources ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON dav_resources USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
