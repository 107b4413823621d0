-- The consent ledger (server/modules/consents) and web forms (server/modules/forms).

-- Purposes a workspace adds to the built-in ones (marketing_email, tracking, profiling,
-- sale_sharing, which need no row).
CREATE TABLE consent_purposes (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  key text NOT NULL CHECK (key ~ '^[a-z][a-z0-9_]{1,62}$'),
  label text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, key)
);
ALTER TABLE consent_purposes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON consent_purposes USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Every change of a person's consent, append-only: the current status of a purpose is
-- its newest row. Rows are never updated or deleted (the trigger below), except when
-- their workspace goes.
CREATE TABLE consents (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  object text NOT NULL CHECK (object IN ('contacts', 'leads')),
  record_id uuid NOT NULL,
  purpose text NOT NULL CHECK (purpose ~ '^[a-z][a-z0-9_]{1,62}$'),
  status text NOT NULL CHECK (status IN ('granted', 'withdrawn', 'unknown')),
  lawful_basis text NOT NULL DEFAULT 'consent'
    CHECK (lawful_basis IN ('consent', 'contract', 'legal_obligation', 'vital_interests', 'public_task', 'legitimate_interests')),
  source text NOT NULL CHECK (source IN ('form', 'import', 'api', 'user', 'chat')),
  -- The form and its version ("<form id>@<version>"), an import's id …
  source_ref text CHECK (length(source_ref) <= 200),
  -- The exact words the person agreed to.
  wording text CHECK (length(wording) <= 5000),
  proof jsonb NOT NULL DEFAULT '{}',
  recorded_at timestamptz NOT NULL DEFAULT now(),
  recorded_by uuid,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX consents_record_idx ON consents (workspace_id, object, record_id, purpose, recorded_at DESC, id DESC);
ALTER TABLE consents ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON consents USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

CREATE FUNCTION consents_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A workspace's deletion cascades here: its rows may go with it.
  IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM workspaces w WHERE w.id = OLD.workspace_id) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'consents are append-only: record a new row instead of changing one' USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER consents_append_only BEFORE UPDATE OR DELETE ON consents
  FOR EACH ROW EXECUTE FUNCTION consents_append_only();

-- Web forms: a form and its versions (every edit is a new version; submissions keep theirs).
CREATE TABLE forms (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  object text NOT NULL CHECK (object IN ('contacts', 'leads')),
  version integer NOT NULL DEFAULT 1,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (workspace_id, id)
);
-- The hosted page finds a form by id alone, before its workspace is known.
CREATE UNIQUE INDEX forms_id_idx ON forms (id);
ALTER TABLE forms ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON forms USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

CREATE TABLE form_versions (
  workspace_id uuid NOT NULL,
  form_id uuid NOT NULL,
  version integer NOT NULL,
  -- { fields, consents, thankYouMessage, redirectUrl, doubleOptIn, allowedOrigins }
  definition jsonb NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, form_id, version),
  FOREIGN KEY (workspace_id, form_id) REFERENCES forms (workspace_id, id) ON DELETE CASCADE
);
ALTER TABLE form_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON form_versions USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

CREATE TABLE form_submissions (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  form_id uuid NOT NULL,
  form_version integer NOT NULL,
  -- The lead or contact it created or updated.
  object text NOT NULL CHECK (object IN ('contacts', 'leads')),
  record_id uuid NOT NULL,
  -- Every submitted field, by its name on the form.
  data jsonb NOT NULL,
  page_url text CHECK (length(page_url) <= 2000),
  referrer text CHECK (length(referrer) <= 2000),
  -- HMAC of the client address with a server secret: never the address itself.
  ip_hash text,
  visitor_id text CHECK (length(visitor_id) <= 100),
  -- Double opt-in: the consents waiting for the click, and when it came.
  pending_consents jsonb NOT NULL DEFAULT '[]',
  confirmed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, form_id) REFERENCES forms (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX form_submissions_form_idx ON form_submissions (workspace_id, form_id, created_at DESC);
CREATE INDEX form_submissions_record_idx ON form_submissions (workspace_id, object, record_id, created_at DESC);
CREATE UNIQUE INDEX form_submissions_id_idx ON form_submissions (id);
ALTER TABLE form_submissions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON form_submissions USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
