-- Reporting (issue 22): weekly forecast snapshots and scheduled delivery of reports and
-- dashboards by email.

-- A forecast as it stood on a day (the weekly job's): per owner (NULL: no owner), period and
-- figure (closed, commit, best_case, pipeline, weighted — the forecast's roll-ups), in the
-- forecast's currency. One row per (day, period, owner, figure): a job run twice the same day
-- overwrites its rows.
CREATE TABLE forecast_snapshots (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  taken_on date NOT NULL,
  period_start date NOT NULL,
  period_end date NOT NULL,
  owner_id uuid,
  category text NOT NULL CHECK (category IN ('closed', 'commit', 'best_case', 'pipeline', 'weighted')),
  amount numeric(19,4) NOT NULL,
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  deals integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE NULLS NOT DISTINCT (workspace_id, taken_on, period_start, period_end, owner_id, category)
);
CREATE INDEX forecast_snapshots_period_idx ON forecast_snapshots (workspace_id, period_start, period_end, taken_on);
ALTER TABLE forecast_snapshots ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON forecast_snapshots USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- A report, dashboard or standard dashboard mailed daily, weekly or monthly to members of the
-- workspace, run with its owner's permissions. The due sweep moves next_run_at on and
-- enqueues one delivery job per tick.
CREATE TABLE report_schedules (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  owner_id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  target_kind text NOT NULL CHECK (target_kind IN ('report', 'dashboard', 'standard')),
  -- A saved report's or dashboard's id, or a standard dashboard's kind.
  target_id text NOT NULL CHECK (length(target_id) BETWEEN 1 AND 64),
  frequency text NOT NULL CHECK (frequency IN ('daily', 'weekly', 'monthly')),
  recipients uuid[] NOT NULL CHECK (cardinality(recipients) BETWEEN 1 AND 50),
  next_run_at timestamptz NOT NULL,
  last_run_at timestamptz,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX report_schedules_due_idx ON report_schedules (next_run_at);
ALTER TABLE report_schedules ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON report_schedules USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
