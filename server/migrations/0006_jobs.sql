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
CREATE INDEX jobs_due_idx ON jobs (queue, priority DESC, run_at) WHERE state = 'queued';
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
