-- Workflows (versioned definitions, durable runs with per-step state and logs),
-- the "don't contact twice" guards for automated email, and notification preferences.
-- See server/modules/workflows/ and server/platform/notifications/.

CREATE TABLE workflows (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text CHECK (length(description) <= 2000),
  latest_version integer NOT NULL DEFAULT 1,
  -- The version that triggers now; NULL = inactive.
  active_version integer,
  activated_at timestamptz,
  -- Whose permissions the workflow's conditions and actions run with: who activated it.
  run_as_user_id uuid,
  -- Inbound webhook trigger: POST /api/v1/workflows/{id}/hooks/{secret}.
  hook_secret text NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, run_as_user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (run_as_user_id)
);
-- The inbound webhook route knows only the workflow id.
CREATE INDEX workflows_id_idx ON workflows (id);
CREATE INDEX workflows_active_idx ON workflows (workspace_id) WHERE active_version IS NOT NULL AND deleted_at IS NULL;
ALTER TABLE workflows ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON workflows USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Every change to a workflow's definition is a new version; runs name the version they follow.
CREATE TABLE workflow_versions (
  workspace_id uuid NOT NULL,
  workflow_id uuid NOT NULL,
  version integer NOT NULL CHECK (version >= 1),
  trigger_type text NOT NULL,
  object text,
  definition jsonb NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, workflow_id, version),
  FOREIGN KEY (workspace_id, workflow_id) REFERENCES workflows (workspace_id, id) ON DELETE CASCADE
);
ALTER TABLE workflow_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON workflow_versions USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

CREATE TABLE workflow_runs (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  workflow_id uuid NOT NULL,
  version integer NOT NULL,
  -- What started the run, unique per version: a redelivered event, a rescan of dates or
  -- schedules, a replayed hook or manual request starts nothing twice.
  trigger_key text NOT NULL CHECK (length(trigger_key) <= 300),
  trigger_type text NOT NULL,
  trigger_data jsonb NOT NULL DEFAULT '{}',
  object text,
  record_id uuid,
  status text NOT NULL DEFAULT 'running'
    CHECK (status IN ('running', 'waiting', 'completed', 'failed', 'skipped', 'cancelled')),
  -- How many workflow runs led to this one (a run's changes triggering another workflow): loop guard.
  depth integer NOT NULL DEFAULT 0,
  run_as_user_id uuid,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, workflow_id, version, trigger_key),
  FOREIGN KEY (workspace_id, workflow_id, version) REFERENCES workflow_versions (workspace_id, workflow_id, version) ON DELETE CASCADE
);
CREATE INDEX workflow_runs_list_idx ON workflow_runs (workspace_id, workflow_id, created_at DESC, id DESC);
CREATE INDEX workflow_runs_record_idx ON workflow_runs (workspace_id, workflow_id, record_id, created_at DESC);
ALTER TABLE workflow_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON workflow_runs USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- One row per step a run reaches (path = position in the definition, e.g. "2.then.0"):
-- the durable state that makes every step happen once, and its log.
CREATE TABLE workflow_run_steps (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  run_id uuid NOT NULL,
  path text NOT NULL,
  step_id text NOT NULL,
  type text NOT NULL,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'running', 'waiting', 'completed', 'failed', 'skipped')),
  -- When the runner should look at it next: due time (pending, waiting) or lease expiry (running).
  wake_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  started_at timestamptz,
  finished_at timestamptz,
  output jsonb,
  error text CHECK (length(error) <= 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, run_id, path),
  FOREIGN KEY (workspace_id, run_id) REFERENCES workflow_runs (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX workflow_run_steps_due_idx ON workflow_run_steps (wake_at) WHERE status IN ('pending', 'running', 'waiting');
ALTER TABLE workflow_run_steps ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON workflow_run_steps USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Transactions in which a workflow step changed records: the events those transactions wrote
-- are attributed to the run (loop guard). Kept for a day.
CREATE TABLE workflow_tx_marks (
  workspace_id uuid NOT NULL,
  tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
  run_id uuid NOT NULL,
  workflow_id uuid NOT NULL,
  depth integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, tx)
);
ALTER TABLE workflow_tx_marks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON workflow_tx_marks USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Round robin assignment: where each assign step's rotation stands.
CREATE TABLE workflow_round_robin (
  workspace_id uuid NOT NULL,
  workflow_id uuid NOT NULL,
  step_id text NOT NULL,
  last_user_id uuid,
  PRIMARY KEY (workspace_id, workflow_id, step_id),
  FOREIGN KEY (workspace_id, workflow_id) REFERENCES workflows (workspace_id, id) ON DELETE CASCADE
);
ALTER TABLE workflow_round_robin ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON workflow_round_robin USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Workspace-wide automation settings.
CREATE TABLE automation_settings (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
  -- No automated email to the same address within this many hours (0 = no cool-down).
  email_cooldown_hours integer NOT NULL DEFAULT 24 CHECK (email_cooldown_hours BETWEEN 0 AND 8760),
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE automation_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON automation_settings USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Addresses automation must never email (unsubscribed, bounced, complained, added by hand).
CREATE TABLE email_suppressions (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email = lower(email) AND length(email) <= 320),
  reason text NOT NULL CHECK (reason IN ('unsubscribed', 'bounced', 'complained', 'manual')),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, email)
);
ALTER TABLE email_suppressions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON email_suppressions USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Automated emails sent, per address: the cool-down looks here.
CREATE TABLE automated_sends (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  email text NOT NULL,
  contact_id uuid,
  workflow_id uuid,
  run_id uuid,
  mail_id uuid NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX automated_sends_email_idx ON automated_sends (workspace_id, email, sent_at DESC);
ALTER TABLE automated_sends ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON automated_sends USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Per user and kind of notification: shown in the app, and/or emailed.
CREATE TABLE notification_preferences (
  workspace_id uuid NOT NULL,
  user_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,39}$'),
  in_app boolean NOT NULL,
  email boolean NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, user_id, kind),
  FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE
);
ALTER TABLE notification_preferences ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON notification_preferences USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Whether the email for a notification was decided: 'sent' (queued in the mail outbox,
-- with emailed_at) or 'skipped' (the user does not want this kind by email). NULL = to do.
ALTER TABLE notifications ADD COLUMN email_state text CHECK (email_state IN ('sent', 'skipped'));
CREATE INDEX notifications_email_todo_idx ON notifications (created_at) WHERE email_state IS NULL;
