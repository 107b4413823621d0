-- Background jobs: a PostgreSQL queue (claims with FOR UPDATE SKIP LOCKED, leases,
-- attempts with exponential back-off, dead letter = state 'failed') and cron
-- schedules that fire once per tick across every app server and restart.
--
-- A job may belong to a workspace (workspace_id set: enqueued in a tenant
-- transaction, visible to that workspace's administrators) or to the platform
-- (workspace_id NULL: housekeeping, schedules). Because platform jobs have no
-- workspace, the key is the job id alone; row-level security still scopes what
-- the application role can see and insert to its own workspace. Workers run as
-- the owner (system access).

CREATE TABLE jobs (
  id uuid PRIMARY KEY,
  workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE,
  queue text NOT NULL CHECK (queue ~ '^[a-z0-9][a-z0-9_.:-]{0,99}$'),
  payload jsonb NOT NULL DEFAULT '{}',
  -- Idempotent enqueue: one job per (workspace, queue, key) while the row exists.
  key text CHECK (length(key) BETWEEN 1 AND 300),
  state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  priority integer NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 5 CHECK (max_attempts BETWEEN 1 AND 1000),
  run_at timestamptz NOT NULL DEFAULT now(),
  -- Retry until this moment at the latest (NULL: max_attempts alone decides).
  retry_until timestamptz,
  locked_until timestamptz,
  locked_by text,
  last_error text,
  result jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX jobs_due_idx ON jobs (queue, priority DESC, run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_lease_idx ON jobs (locked_until) WHERE state = 'running';
CREATE INDEX jobs_workspace_idx ON jobs (workspace_id, state, created_at DESC);
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE state IN ('completed', 'failed', 'cancelled');
CREATE UNIQUE INDEX jobs_key_idx ON jobs (workspace_id, queue, key) NULLS NOT DISTINCT WHERE key IS NOT NULL;
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON jobs
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Cron schedules, declared in code and synchronised at start. next_run_at is
-- advanced in the same transaction that enqueues the tick's job (whose key names
-- the tick), under a row lock: each tick fires once, however many servers run.
CREATE TABLE job_schedules (
  name text PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 200),
  cron text NOT NULL,
  timezone text NOT NULL DEFAULT 'UTC',
  queue text NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}',
  workspace_id uuid REFERENCES workspaces (id) ON DELETE CASCADE,
  next_run_at timestamptz NOT NULL,
  last_fired_at timestamptz,
  last_job_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON job_schedules FROM rapport_app;

-- Outbound webhooks. A subscription's payloads are shaped by its role's field
-- permissions; its secret signs every delivery (HMAC-SHA256) and is shown once.
CREATE TABLE webhook_subscriptions (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  url text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
  description text CHECK (length(description) <= 500),
  event_types text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 50),
  secret text NOT NULL,
  role text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  -- Administrator override of the SSRF guard (private, loopback, link-local addresses).
  allow_private_network boolean NOT NULL DEFAULT false,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
  -- role: no foreign key, so a role can be deleted; a subscription whose role is gone
  -- receives nothing (no permissions = nothing readable).
);
CREATE INDEX webhook_subscriptions_active_idx ON webhook_subscriptions (workspace_id) WHERE active;
ALTER TABLE webhook_subscriptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON webhook_subscriptions
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- One delivery per subscription and event (the fan-out writes it exactly once, in the
-- event consumer's transaction); the body is the exact signed JSON.
CREATE TABLE webhook_deliveries (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  subscription_id uuid NOT NULL,
  event_id text NOT NULL,
  event_type text NOT NULL,
  body text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_error text,
  last_duration_ms integer,
  next_attempt_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  delivered_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, subscription_id, event_id),
  FOREIGN KEY (workspace_id, subscription_id) REFERENCES webhook_subscriptions (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_log_idx ON webhook_deliveries (workspace_id, subscription_id, id DESC);
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON webhook_deliveries
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Every attempt of a delivery: when, how long, the response code and the start of the body.
CREATE TABLE webhook_attempts (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  delivery_id uuid NOT NULL,
  attempted_at timestamptz NOT NULL,
  status_code integer,
  duration_ms integer NOT NULL,
  response_body text,
  error text,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, delivery_id) REFERENCES webhook_deliveries (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (workspace_id, delivery_id, attempted_at);
ALTER TABLE webhook_attempts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON webhook_attempts
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Mail templates: subject, HTML and text bodies with {{ variables }} (server/platform/mail/template.ts).
CREATE TABLE mail_templates (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 500),
  html_body text NOT NULL DEFAULT '' CHECK (length(html_body) <= 200000),
  text_body text NOT NULL DEFAULT '' CHECK (length(text_body) <= 100000),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, name)
);
ALTER TABLE mail_templates ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON mail_templates
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- The outbox as the app lists it (newest first, per status).
CREATE INDEX mail_outbox_list_idx ON mail_outbox (workspace_id, created_at DESC, id DESC);
