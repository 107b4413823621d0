-- Data-subject requests and retention policies (issue 23, points 3–4; server/modules/privacy).

-- A request from a person about their data: access, erasure, rectification, opt-out of
-- sale/sharing, restriction of processing. `email` is the person's address until an erasure
-- completes; then it is cleared and only `subject_hash` (the salted hash the suppression list
-- keeps) says whom the request was about.
CREATE TABLE privacy_requests (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  type text NOT NULL CHECK (type IN ('access', 'erasure', 'rectification', 'opt_out', 'restriction')),
  email text CHECK (email IS NULL OR length(email) BETWEEN 3 AND 320),
  subject_hash text,
  regime text NOT NULL DEFAULT 'gdpr' CHECK (regime IN ('gdpr', 'ccpa')),
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('unverified', 'pending', 'in_progress', 'completed', 'rejected')),
  source text NOT NULL DEFAULT 'admin' CHECK (source IN ('admin', 'public', 'api')),
  details text NOT NULL DEFAULT '' CHECK (length(details) <= 5000),
  mode text NOT NULL DEFAULT 'delete' CHECK (mode IN ('delete', 'anonymise')),
  due_at timestamptz NOT NULL,
  extended_reason text CHECK (extended_reason IS NULL OR length(extended_reason) <= 2000),
  assignee_id uuid,
  verified_at timestamptz,
  verification_hash text,
  result jsonb NOT NULL DEFAULT '{}',
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, assignee_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (assignee_id)
);
CREATE INDEX privacy_requests_queue_idx ON privacy_requests (workspace_id, status, due_at);
CREATE UNIQUE INDEX privacy_requests_verification_idx ON privacy_requests (verification_hash)
  WHERE verification_hash IS NOT NULL;
ALTER TABLE privacy_requests ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON privacy_requests
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Retention policies: per object, records matching a filter and untouched for `months`
-- are deleted or anonymised by the daily `privacy.retention` job (dry run: a report only).
CREATE TABLE retention_policies (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  object text NOT NULL,
  filter jsonb,
  months integer NOT NULL CHECK (months BETWEEN 1 AND 1200),
  action text NOT NULL CHECK (action IN ('delete', 'anonymise')),
  active boolean NOT NULL DEFAULT true,
  last_run_at timestamptz,
  last_result jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
ALTER TABLE retention_policies ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON retention_policies
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- The salt of each workspace's erased-address hashes (kept on the suppression list as
-- `erased:<hex HMAC-SHA256(salt, address)>`, so an erased person is not mailed or
-- re-imported while their address is not kept).
CREATE TABLE mail_suppression_salts (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
  salt bytea NOT NULL DEFAULT gen_random_bytes(32)
);
ALTER TABLE mail_suppression_salts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON mail_suppression_salts
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
ALTER TABLE mail_suppressions DROP CONSTRAINT mail_suppressions_reason_check;
ALTER TABLE mail_suppressions ADD CONSTRAINT mail_suppressions_reason_check
  CHECK (reason IN ('hard_bounce', 'complaint', 'soft_bounce_limit', 'manual', 'erasure'));

-- An erasure (run as the owner, `rapport.privacy_erasure` set for its transaction only)
-- may rewrite audit entries' values and remove a person's consent history: the two
-- append-only tables let it, and nothing else.
CREATE OR REPLACE FUNCTION rapport_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('rapport.audit_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  IF current_setting('rapport.privacy_erasure', true) = 'on' AND current_user <> 'rapport_app' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'the audit log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE OR REPLACE FUNCTION consents_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- A workspace's deletion cascades here: its rows may go with it.
  IF TG_OP = 'DELETE' AND NOT EXISTS (SELECT 1 FROM workspaces w WHERE w.id = OLD.workspace_id) THEN
    RETURN OLD;
  END IF;
  IF current_setting('rapport.privacy_erasure', true) = 'on' AND current_user <> 'rapport_app' THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'consents are append-only: record a new row instead of changing one' USING ERRCODE = 'P0001';
END $$;
