-- Reporting (issue 22): cost entries per campaign and date, so customer acquisition cost
-- is known per period (cost dated in it ÷ new customers won in it), and the time a lead
-- became sales-qualified, for the marketing funnel's median times between steps.
ALTER TABLE leads ADD COLUMN sql_at timestamptz;
-- The view is `select *`: recreated so it carries the new column.
CREATE OR REPLACE VIEW leads_scoped AS SELECT * FROM leads WHERE workspace_id = rapport_workspace();

-- Cost entries: generated from server/modules/campaigns/campaign-costs.object.ts by `npm run db:ddl -- campaign_costs`
CREATE TABLE campaign_costs (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  campaign_id uuid,
  category text,
  incurred_on date NOT NULL,
  amount_amount numeric(19,4),
  amount_currency text,
  description text,
  owner_id uuid,
  team_id uuid,
  tags text[] NOT NULL DEFAULT '{}',
  custom jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  deleted_at timestamptz,
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(description, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(description, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id),
  FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id) ON DELETE SET NULL (campaign_id)
);
CREATE INDEX campaign_costs_campaign_id_idx ON campaign_costs (workspace_id, campaign_id);
CREATE INDEX campaign_costs_category_idx ON campaign_costs (workspace_id, category, id);
CREATE INDEX campaign_costs_incurred_on_idx ON campaign_costs (workspace_id, incurred_on, id);
CREATE INDEX campaign_costs_created_idx ON campaign_costs (workspace_id, created_at, id);
CREATE INDEX campaign_costs_updated_idx ON campaign_costs (workspace_id, updated_at, id);
CREATE INDEX campaign_costs_owner_idx ON campaign_costs (workspace_id, owner_id, created_at, id);
CREATE INDEX campaign_costs_team_idx ON campaign_costs (workspace_id, team_id);
CREATE INDEX campaign_costs_trash_idx ON campaign_costs (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX campaign_costs_tags_idx ON campaign_costs USING gin (tags);
CREATE INDEX campaign_costs_custom_idx ON campaign_costs USING gin (custom jsonb_path_ops);
CREATE INDEX campaign_costs_search_idx ON campaign_costs USING gin (search_vector);
CREATE INDEX campaign_costs_trgm_idx ON campaign_costs USING gin (search_text gin_trgm_ops);
ALTER TABLE campaign_costs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON campaign_costs USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW campaign_costs_scoped AS SELECT * FROM campaign_costs WHERE workspace_id = rapport_workspace();
GRANT SELECT ON campaign_costs_scoped TO rapport_app;

