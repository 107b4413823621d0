-- Record engine: search helpers, custom field definitions, idempotency keys, and
-- the first two standard objects (accounts, contacts) generated from their declarations.

-- unaccent() is only STABLE (its dictionary could change); pinning the dictionary
-- makes it safe to use in generated columns and indexes.
CREATE FUNCTION rapport_unaccent(text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;

-- The string values of a JSON object (custom fields feed search through this),
-- leaving out ids (custom relation and user fields) so they do not match searches.
CREATE FUNCTION rapport_json_strings(j jsonb) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT coalesce(string_agg(e.value #>> '{}', ' '), '') FROM jsonb_each(j) e
        WHERE jsonb_typeof(e.value) = 'string'
          AND (e.value #>> '{}') !~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' $$;

CREATE TABLE custom_fields (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  object text NOT NULL,
  name text NOT NULL CHECK (name ~ '^[a-z][a-zA-Z0-9]{0,62}$'),
  type text NOT NULL,
  label text NOT NULL,
  description text,
  required boolean NOT NULL DEFAULT false,
  options jsonb,
  relation_object text,
  relation_cardinality text CHECK (relation_cardinality IN ('one', 'many')),
  max_length integer,
  min_value double precision,
  max_value double precision,
  position integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, object, name)
);
ALTER TABLE custom_fields ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON custom_fields
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Idempotency-Key: the first response to a POST, stored in the same transaction as its effect.
CREATE TABLE idempotency_keys (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  actor text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status integer NOT NULL,
  body jsonb NOT NULL,
  location text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, actor, key)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON idempotency_keys
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Accounts: generated from server/modules/accounts/accounts.object.ts by `npm run db:ddl -- accounts`
CREATE TABLE accounts (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  domain text,
  website text,
  industry text,
  type text,
  employees bigint,
  annual_revenue_amount numeric(19,4),
  annual_revenue_currency text,
  phone text,
  address_street text,
  address_city text,
  address_region text,
  address_postal_code text,
  address_country text,
  address_latitude double precision,
  address_longitude double precision,
  parent_account_id uuid,
  description text,
  owner_id uuid,
  tags text[] NOT NULL DEFAULT '{}',
  custom jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  deleted_at timestamptz,
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(name, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(domain, ''))), 'B') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(phone, ''))), 'C') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(name, '') || ' ' || coalesce(domain, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, parent_account_id) REFERENCES accounts (workspace_id, id) ON DELETE SET NULL (parent_account_id)
);
CREATE INDEX accounts_name_idx ON accounts (workspace_id, name, id);
CREATE UNIQUE INDEX accounts_domain_key ON accounts (workspace_id, domain) WHERE deleted_at IS NULL;
CREATE INDEX accounts_industry_idx ON accounts (workspace_id, industry, id);
CREATE INDEX accounts_type_idx ON accounts (workspace_id, type, id);
CREATE INDEX accounts_parent_account_id_idx ON accounts (workspace_id, parent_account_id);
CREATE INDEX accounts_created_idx ON accounts (workspace_id, created_at, id);
CREATE INDEX accounts_updated_idx ON accounts (workspace_id, updated_at, id);
CREATE INDEX accounts_owner_idx ON accounts (workspace_id, owner_id);
CREATE INDEX accounts_trash_idx ON accounts (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX accounts_tags_idx ON accounts USING gin (tags);
CREATE INDEX accounts_custom_idx ON accounts USING gin (custom jsonb_path_ops);
CREATE INDEX accounts_search_idx ON accounts USING gin (search_vector);
CREATE INDEX accounts_trgm_idx ON accounts USING gin (search_text gin_trgm_ops);
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON accounts USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW accounts_scoped AS SELECT * FROM accounts WHERE workspace_id = rapport_workspace();
GRANT SELECT ON accounts_scoped TO rapport_app;

-- Contacts: generated from server/modules/contacts/contacts.object.ts by `npm run db:ddl -- contacts`
CREATE TABLE contacts (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  first_name text,
  last_name text,
  email text,
  emails jsonb,
  phone text,
  phones jsonb,
  title text,
  department text,
  account_id uuid,
  lifecycle_stage text,
  address_street text,
  address_city text,
  address_region text,
  address_postal_code text,
  address_country text,
  address_latitude double precision,
  address_longitude double precision,
  social_profiles jsonb,
  birthday date,
  do_not_contact boolean NOT NULL DEFAULT false,
  do_not_sell boolean NOT NULL DEFAULT false,
  last_contacted_at timestamptz,
  description text,
  owner_id uuid,
  tags text[] NOT NULL DEFAULT '{}',
  custom jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  deleted_at timestamptz,
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(first_name, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(last_name, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(translate(coalesce(email, ''), '@.', '  ') || ' ' || coalesce(email, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(phone, ''))), 'B') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(title, ''))), 'C') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE SET NULL (account_id)
);
CREATE INDEX contacts_last_name_idx ON contacts (workspace_id, last_name, id);
CREATE UNIQUE INDEX contacts_email_key ON contacts (workspace_id, email) WHERE deleted_at IS NULL;
CREATE INDEX contacts_account_id_idx ON contacts (workspace_id, account_id);
CREATE INDEX contacts_lifecycle_stage_idx ON contacts (workspace_id, lifecycle_stage, id);
CREATE INDEX contacts_created_idx ON contacts (workspace_id, created_at, id);
CREATE INDEX contacts_updated_idx ON contacts (workspace_id, updated_at, id);
CREATE INDEX contacts_owner_idx ON contacts (workspace_id, owner_id);
CREATE INDEX contacts_trash_idx ON contacts (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX contacts_tags_idx ON contacts USING gin (tags);
CREATE INDEX contacts_custom_idx ON contacts USING gin (custom jsonb_path_ops);
CREATE INDEX contacts_search_idx ON contacts USING gin (search_vector);
CREATE INDEX contacts_trgm_idx ON contacts USING gin (search_text gin_trgm_ops);
ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON contacts USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW contacts_scoped AS SELECT * FROM contacts WHERE workspace_id = rapport_workspace();
GRANT SELECT ON contacts_scoped TO rapport_app;

