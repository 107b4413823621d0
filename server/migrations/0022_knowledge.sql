-- The knowledge base and public help centre (server/modules/knowledge): articles and their
-- categories (record objects), every saved version of an article with its rendered HTML,
-- helpful / not helpful votes, and each workspace's service settings (the help centre's
-- slug, title and switch; tickets and CSAT settings may join them).

-- Article categories: generated from server/modules/article_categories/article_categories.object.ts by `npm run db:ddl -- article_categories`
CREATE TABLE article_categories (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  slug text,
  description text,
  position bigint,
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
CREATE INDEX article_categories_slug_idx ON article_categories (workspace_id, slug, id);
CREATE INDEX article_categories_created_idx ON article_categories (workspace_id, created_at, id);
CREATE INDEX article_categories_updated_idx ON article_categories (workspace_id, updated_at, id);
CREATE INDEX article_categories_owner_idx ON article_categories (workspace_id, owner_id, created_at, id);
CREATE INDEX article_categories_team_idx ON article_categories (workspace_id, team_id);
CREATE INDEX article_categories_trash_idx ON article_categories (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX article_categories_tags_idx ON article_categories USING gin (tags);
CREATE INDEX article_categories_custom_idx ON article_categories USING gin (custom jsonb_path_ops);
CREATE INDEX article_categories_search_idx ON article_categories USING gin (search_vector);
CREATE INDEX article_categories_trgm_idx ON article_categories USING gin (search_text gin_trgm_ops);
ALTER TABLE article_categories ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON article_categories USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW article_categories_scoped AS SELECT * FROM article_categories WHERE workspace_id = rapport_workspace();
GRANT SELECT ON article_categories_scoped TO rapport_app;

-- Articles: generated from server/modules/articles/articles.object.ts by `npm run db:ddl -- articles`
CREATE TABLE articles (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  title text NOT NULL,
  slug text,
  body text,
  category_id uuid,
  visibility text,
  status text,
  locale text,
  translation_of_id uuid,
  published_at timestamptz,
  published_version bigint,
  latest_version bigint,
  helpful_count bigint,
  not_helpful_count bigint,
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
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(title, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(body, ''))), 'C') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(title, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id),
  FOREIGN KEY (workspace_id, category_id) REFERENCES article_categories (workspace_id, id) ON DELETE SET NULL (category_id),
  FOREIGN KEY (workspace_id, translation_of_id) REFERENCES articles (workspace_id, id) ON DELETE SET NULL (translation_of_id)
);
CREATE INDEX articles_slug_idx ON articles (workspace_id, slug, id);
CREATE INDEX articles_category_id_idx ON articles (workspace_id, category_id);
CREATE INDEX articles_visibility_idx ON articles (workspace_id, visibility, id);
CREATE INDEX articles_status_idx ON articles (workspace_id, status, id);
CREATE INDEX articles_translation_of_id_idx ON articles (workspace_id, translation_of_id);
CREATE INDEX articles_created_idx ON articles (workspace_id, created_at, id);
CREATE INDEX articles_updated_idx ON articles (workspace_id, updated_at, id);
CREATE INDEX articles_owner_idx ON articles (workspace_id, owner_id, created_at, id);
CREATE INDEX articles_team_idx ON articles (workspace_id, team_id);
CREATE INDEX articles_trash_idx ON articles (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX articles_tags_idx ON articles USING gin (tags);
CREATE INDEX articles_custom_idx ON articles USING gin (custom jsonb_path_ops);
CREATE INDEX articles_search_idx ON articles USING gin (search_vector);
CREATE INDEX articles_trgm_idx ON articles USING gin (search_text gin_trgm_ops);
ALTER TABLE articles ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON articles USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW articles_scoped AS SELECT * FROM articles WHERE workspace_id = rapport_workspace();
GRANT SELECT ON articles_scoped TO rapport_app;

-- A slug is unique per workspace and locale among live articles (generated ones get -2, -3…).
CREATE UNIQUE INDEX articles_locale_slug_key ON articles (workspace_id, coalesce(locale, 'en'), slug)
  WHERE deleted_at IS NULL AND slug IS NOT NULL;

-- Every save of an article's title or body (article-versions.ts). The help centre shows the
-- article's published_version; html is the body rendered and sanitised once, when saved.
CREATE TABLE article_versions (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  article_id uuid NOT NULL,
  version integer NOT NULL CHECK (version > 0),
  title text NOT NULL,
  body text NOT NULL,
  html text NOT NULL,
  saved_by uuid,
  saved_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, article_id, version),
  FOREIGN KEY (workspace_id, article_id) REFERENCES articles (workspace_id, id) ON DELETE CASCADE
);
ALTER TABLE article_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON article_versions USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- One helpful / not helpful vote per visitor (an anonymous cookie, stored as its SHA-256) per article.
CREATE TABLE article_votes (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  article_id uuid NOT NULL,
  visitor_hash text NOT NULL CHECK (visitor_hash ~ '^[0-9a-f]{64}$'),
  helpful boolean NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, article_id, visitor_hash),
  FOREIGN KEY (workspace_id, article_id) REFERENCES articles (workspace_id, id) ON DELETE CASCADE
);
ALTER TABLE article_votes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON article_votes USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Each workspace's customer service settings. The help centre is found by its slug before
-- the workspace is known (a system read), so the slug is unique across workspaces.
CREATE TABLE service_settings (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
  help_centre_slug text NOT NULL UNIQUE CHECK (help_centre_slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(help_centre_slug) <= 60),
  help_centre_title text NOT NULL CHECK (length(help_centre_title) BETWEEN 1 AND 120),
  help_centre_enabled boolean NOT NULL DEFAULT true,
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE service_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON service_settings USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
