-- Explainable lead scoring (server/modules/scoring): rules, the engagement points each
-- event earned (the explanation of every score), the workspace's MQL threshold, and the
-- progress of background rescores. Scores themselves are record fields (read-only,
-- system-set) on leads and contacts, so lists filter and sort by them like any field.

ALTER TABLE leads ADD COLUMN fit_score bigint;
ALTER TABLE leads ADD COLUMN engagement_score bigint;
ALTER TABLE leads ADD COLUMN grade text;
ALTER TABLE leads ADD COLUMN mql_at timestamptz;
ALTER TABLE leads ADD COLUMN qualification text;
ALTER TABLE contacts ADD COLUMN score bigint;
ALTER TABLE contacts ADD COLUMN fit_score bigint;
ALTER TABLE contacts ADD COLUMN engagement_score bigint;
ALTER TABLE contacts ADD COLUMN grade text;
CREATE INDEX leads_score_idx ON leads (workspace_id, score, id);
CREATE INDEX leads_qualification_idx ON leads (workspace_id, qualification, id);
CREATE INDEX contacts_score_idx ON contacts (workspace_id, score, id);
-- The views are `select *`: recreated so they carry the new columns.
CREATE OR REPLACE VIEW leads_scoped AS SELECT * FROM leads WHERE workspace_id = rapport_workspace();
CREATE OR REPLACE VIEW contacts_scoped AS SELECT * FROM contacts WHERE workspace_id = rapport_workspace();

CREATE TABLE scoring_rules (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind text NOT NULL CHECK (kind IN ('fit', 'engagement')),
  object text NOT NULL CHECK (object IN ('leads', 'contacts')),
  -- fit: the record engine's filter tree over the object.
  condition jsonb,
  -- engagement: the event type (page.viewed, form.submitted…) and what of its data must match.
  event text CHECK (event ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  match jsonb NOT NULL DEFAULT '{}',
  points integer NOT NULL CHECK (points BETWEEN -1000 AND 1000),
  -- The most points the rule gives one record (engagement: after decay).
  cap integer CHECK (cap BETWEEN 0 AND 100000),
  half_life_days double precision CHECK (half_life_days > 0),
  active boolean NOT NULL DEFAULT true,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  CHECK ((kind = 'fit') = (condition IS NOT NULL)),
  CHECK ((kind = 'engagement') = (event IS NOT NULL))
);
CREATE INDEX scoring_rules_event_idx ON scoring_rules (workspace_id, event) WHERE active;
ALTER TABLE scoring_rules ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON scoring_rules USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- One row per (engagement rule, event): a redelivered event inserts nothing (exactly once).
CREATE TABLE score_contributions (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  object text NOT NULL CHECK (object IN ('leads', 'contacts')),
  record_id uuid NOT NULL,
  rule_id uuid NOT NULL,
  event_id uuid NOT NULL,
  points integer NOT NULL,
  occurred_at timestamptz NOT NULL,
  PRIMARY KEY (workspace_id, rule_id, event_id),
  FOREIGN KEY (workspace_id, rule_id) REFERENCES scoring_rules (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX score_contributions_record_idx ON score_contributions (workspace_id, object, record_id, occurred_at);
ALTER TABLE score_contributions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON score_contributions USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

CREATE TABLE scoring_settings (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
  mql_threshold integer NOT NULL DEFAULT 100 CHECK (mql_threshold BETWEEN 1 AND 1000000),
  -- New MQLs are given to this member (null: the owner stays).
  mql_owner_id uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (workspace_id, mql_owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (mql_owner_id)
);
ALTER TABLE scoring_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON scoring_settings USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Background rescores (after the rules change) and their progress.
CREATE TABLE scoring_rescores (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  state text NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'failed')),
  reason text NOT NULL,
  total integer NOT NULL DEFAULT 0,
  done integer NOT NULL DEFAULT 0,
  changed integer NOT NULL DEFAULT 0,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX scoring_rescores_recent_idx ON scoring_rescores (workspace_id, created_at DESC);
ALTER TABLE scoring_rescores ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON scoring_rescores USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
