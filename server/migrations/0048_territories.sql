-- Territories (issue 19, point 6; server/modules/geo/territories.ts): named areas — a
-- drawn polygon and/or regions (countries, regions, postal-code prefixes) — with an owner
-- and a team; accounts, contacts and leads carry the territory their address is in.

-- Territories: generated from server/modules/geo/territories.ts by `npm run db:ddl -- territories`
CREATE TABLE territories (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  description text,
  area jsonb NOT NULL,
  priority bigint,
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
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(name, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(description, ''))), 'C') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(name, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id)
);
CREATE INDEX territories_created_idx ON territories (workspace_id, created_at, id);
CREATE INDEX territories_updated_idx ON territories (workspace_id, updated_at, id);
CREATE INDEX territories_owner_idx ON territories (workspace_id, owner_id, created_at, id);
CREATE INDEX territories_team_idx ON territories (workspace_id, team_id);
CREATE INDEX territories_trash_idx ON territories (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX territories_tags_idx ON territories USING gin (tags);
CREATE INDEX territories_custom_idx ON territories USING gin (custom jsonb_path_ops);
CREATE INDEX territories_search_idx ON territories USING gin (search_vector);
CREATE INDEX territories_trgm_idx ON territories USING gin (search_text gin_trgm_ops);
ALTER TABLE territories ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON territories USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW territories_scoped AS SELECT * FROM territories WHERE workspace_id = rapport_workspace();
GRANT SELECT ON territories_scoped TO rapport_app;


-- The territory each record's address is in (kept by the geo module's consumer).
ALTER TABLE accounts ADD COLUMN territory_id uuid,
  ADD FOREIGN KEY (workspace_id, territory_id) REFERENCES territories (workspace_id, id) ON DELETE SET NULL (territory_id);
ALTER TABLE contacts ADD COLUMN territory_id uuid,
  ADD FOREIGN KEY (workspace_id, territory_id) REFERENCES territories (workspace_id, id) ON DELETE SET NULL (territory_id);
ALTER TABLE leads ADD COLUMN territory_id uuid,
  ADD FOREIGN KEY (workspace_id, territory_id) REFERENCES territories (workspace_id, id) ON DELETE SET NULL (territory_id);
CREATE INDEX accounts_territory_id_idx ON accounts (workspace_id, territory_id);
CREATE INDEX contacts_territory_id_idx ON contacts (workspace_id, territory_id);
CREATE INDEX leads_territory_id_idx ON leads (workspace_id, territory_id);

-- The views are `select *`: recreated so they carry the new column.
CREATE OR REPLACE VIEW accounts_scoped AS SELECT * FROM accounts WHERE workspace_id = rapport_workspace();
CREATE OR REPLACE VIEW contacts_scoped AS SELECT * FROM contacts WHERE workspace_id = rapport_workspace();
CREATE OR REPLACE VIEW leads_scoped AS SELECT * FROM leads WHERE workspace_id = rapport_workspace();
