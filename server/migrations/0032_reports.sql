-- Reporting (server/modules/reports): saved reports and dashboards. They are settings-like
-- rows, not record objects: a report is a definition (object, filter, groups, measures)
-- and a chart, run each time with the permissions of whoever views it, so sharing a
-- report never shares data the viewer may not read. Private ones are their owner's;
-- "workspace" ones are read by every member and changed by their owner or an administrator.

CREATE TABLE saved_reports (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  owner_id uuid,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  description text NOT NULL DEFAULT '',
  visibility text NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'workspace')),
  definition jsonb NOT NULL,
  chart jsonb NOT NULL DEFAULT '{"type":"table"}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id)
);
CREATE INDEX saved_reports_owner_idx ON saved_reports (workspace_id, owner_id);
ALTER TABLE saved_reports ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON saved_reports USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

CREATE TABLE dashboards (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  owner_id uuid,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  visibility text NOT NULL DEFAULT 'private' CHECK (visibility IN ('private', 'workspace')),
  widgets jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id)
);
CREATE INDEX dashboards_owner_idx ON dashboards (workspace_id, owner_id);
ALTER TABLE dashboards ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON dashboards USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Sales quotas: an amount per rep and period (the forecast's quota vs actual). Set by
-- administrators; a rep reads their own.
CREATE TABLE sales_quotas (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  period_start date NOT NULL,
  period_end date NOT NULL CHECK (period_end >= period_start),
  amount numeric(19,4) NOT NULL CHECK (amount >= 0),
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, user_id, period_start, period_end, currency),
  FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE
);
ALTER TABLE sales_quotas ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON sales_quotas USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
