-- Segments (server/modules/segments): named audiences of contacts, leads or accounts.
-- A dynamic segment is a filter evaluated at read time; a static one lists its members
-- in segment_members. segment_membership is only the consumer's memory of who matched a
-- dynamic segment, to tell entering from leaving (segment.entered / segment.left).
-- Segments: generated from server/modules/segments/segments.object.ts by `npm run db:ddl -- segments`
CREATE TABLE segments (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  description text,
  object text NOT NULL,
  type text,
  filter jsonb,
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
CREATE INDEX segments_type_idx ON segments (workspace_id, type, id);
CREATE INDEX segments_created_idx ON segments (workspace_id, created_at, id);
CREATE INDEX segments_updated_idx ON segments (workspace_id, updated_at, id);
CREATE INDEX segments_owner_idx ON segments (workspace_id, owner_id, created_at, id);
CREATE INDEX segments_team_idx ON segments (workspace_id, team_id);
CREATE INDEX segments_trash_idx ON segments (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX segments_tags_idx ON segments USING gin (tags);
CREATE INDEX segments_custom_idx ON segments USING gin (custom jsonb_path_ops);
CREATE INDEX segments_search_idx ON segments USING gin (search_vector);
CREATE INDEX segments_trgm_idx ON segments USING gin (search_text gin_trgm_ops);
ALTER TABLE segments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON segments USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW segments_scoped AS SELECT * FROM segments WHERE workspace_id = rapport_workspace();
GRANT SELECT ON segments_scoped TO rapport_app;

-- A static segment's hand-picked members (records of the segment's object).
CREATE TABLE segment_members (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  segment_id uuid NOT NULL,
  object text NOT NULL CHECK (object IN ('contacts', 'leads', 'accounts')),
  record_id uuid NOT NULL,
  added_at timestamptz NOT NULL DEFAULT now(),
  added_by uuid,
  PRIMARY KEY (workspace_id, segment_id, record_id),
  FOREIGN KEY (workspace_id, segment_id) REFERENCES segments (workspace_id, id) ON DELETE CASCADE
);
-- Which static segments a record is in (a record's page; removing a purged record).
CREATE INDEX segment_members_record_idx ON segment_members (workspace_id, record_id);
ALTER TABLE segment_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON segment_members USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Who matched each dynamic segment when the membership consumer last looked: written
-- only by that consumer, to detect transitions. Reads of members never use it.
CREATE TABLE segment_membership (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  segment_id uuid NOT NULL,
  record_id uuid NOT NULL,
  entered_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, segment_id, record_id),
  FOREIGN KEY (workspace_id, segment_id) REFERENCES segments (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX segment_membership_record_idx ON segment_membership (workspace_id, record_id);
ALTER TABLE segment_membership ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON segment_membership USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
