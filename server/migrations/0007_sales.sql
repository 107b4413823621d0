-- Sales (issue 5): leads, opportunities with pipelines and stage history, products with
-- price books, quotes with line items and gap-free numbers. The four record tables are
-- generated from their declarations (`npm run db:ddl -- opportunities leads products quotes`);
-- configuration and child tables follow.

-- Pipelines and their ordered stages. Ids are text (UUID strings) because the
-- opportunity's pipeline and stage are select fields (text columns) of the record engine;
-- the composite foreign keys below still tie each opportunity to a stage of its pipeline.
CREATE TABLE pipelines (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id text NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  position integer NOT NULL DEFAULT 0,
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX pipelines_name_key ON pipelines (workspace_id, lower(name));
CREATE UNIQUE INDEX pipelines_default_key ON pipelines (workspace_id) WHERE is_default;
ALTER TABLE pipelines ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON pipelines USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

CREATE TABLE pipeline_stages (
  workspace_id uuid NOT NULL,
  pipeline_id text NOT NULL,
  id text NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  position integer NOT NULL,
  probability numeric(5,2) NOT NULL CHECK (probability BETWEEN 0 AND 100),
  kind text NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, pipeline_id, id),
  FOREIGN KEY (workspace_id, pipeline_id) REFERENCES pipelines (workspace_id, id) ON DELETE CASCADE
);
ALTER TABLE pipeline_stages ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON pipeline_stages USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Price books: the standard one (list prices) and others; one price per product and currency.
CREATE TABLE price_books (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id text NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  description text,
  is_standard boolean NOT NULL DEFAULT false,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX price_books_name_key ON price_books (workspace_id, lower(name));
CREATE UNIQUE INDEX price_books_standard_key ON price_books (workspace_id) WHERE is_standard;
ALTER TABLE price_books ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON price_books USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());


-- Opportunities: generated from server/modules/opportunities/opportunities.object.ts by `npm run db:ddl -- opportunities`
CREATE TABLE opportunities (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  account_id uuid,
  pipeline_id text,
  stage_id text,
  status text,
  amount_amount numeric(19,4),
  amount_currency text,
  probability numeric(12,4),
  expected_close_date date,
  forecast_category text,
  closed_at timestamptz,
  stage_changed_at timestamptz,
  lost_reason text,
  lost_reason_detail text,
  source text,
  source_campaign_id text,
  next_step text,
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
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(name, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(name, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id),
  FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE SET NULL (account_id)
);
CREATE INDEX opportunities_account_id_idx ON opportunities (workspace_id, account_id);
CREATE INDEX opportunities_pipeline_id_idx ON opportunities (workspace_id, pipeline_id, id);
CREATE INDEX opportunities_stage_id_idx ON opportunities (workspace_id, stage_id, id);
CREATE INDEX opportunities_status_idx ON opportunities (workspace_id, status, id);
CREATE INDEX opportunities_expected_close_date_idx ON opportunities (workspace_id, expected_close_date, id);
CREATE INDEX opportunities_closed_at_idx ON opportunities (workspace_id, closed_at, id);
CREATE INDEX opportunities_created_idx ON opportunities (workspace_id, created_at, id);
CREATE INDEX opportunities_updated_idx ON opportunities (workspace_id, updated_at, id);
CREATE INDEX opportunities_owner_idx ON opportunities (workspace_id, owner_id, created_at, id);
CREATE INDEX opportunities_team_idx ON opportunities (workspace_id, team_id);
CREATE INDEX opportunities_trash_idx ON opportunities (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX opportunities_tags_idx ON opportunities USING gin (tags);
CREATE INDEX opportunities_custom_idx ON opportunities USING gin (custom jsonb_path_ops);
CREATE INDEX opportunities_search_idx ON opportunities USING gin (search_vector);
CREATE INDEX opportunities_trgm_idx ON opportunities USING gin (search_text gin_trgm_ops);
ALTER TABLE opportunities ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON opportunities USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW opportunities_scoped AS SELECT * FROM opportunities WHERE workspace_id = rapport_workspace();
GRANT SELECT ON opportunities_scoped TO rapport_app;

-- Leads: generated from server/modules/leads/leads.object.ts by `npm run db:ddl -- leads`
CREATE TABLE leads (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  first_name text,
  last_name text,
  email text,
  phone text,
  title text,
  company text,
  domain text,
  website text,
  industry text,
  employees bigint,
  address_street text,
  address_city text,
  address_region text,
  address_postal_code text,
  address_country text,
  address_latitude double precision,
  address_longitude double precision,
  source text,
  status text,
  disqualified_reason text,
  score bigint,
  converted_at timestamptz,
  converted_account_id uuid,
  converted_contact_id uuid,
  converted_opportunity_id uuid,
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
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(first_name, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(last_name, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(translate(coalesce(email, ''), '@.', '  ') || ' ' || coalesce(email, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(phone, ''))), 'B') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(title, ''))), 'C') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(company, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(domain, ''))), 'B') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(company, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id),
  FOREIGN KEY (workspace_id, converted_account_id) REFERENCES accounts (workspace_id, id) ON DELETE SET NULL (converted_account_id),
  FOREIGN KEY (workspace_id, converted_contact_id) REFERENCES contacts (workspace_id, id) ON DELETE SET NULL (converted_contact_id),
  FOREIGN KEY (workspace_id, converted_opportunity_id) REFERENCES opportunities (workspace_id, id) ON DELETE SET NULL (converted_opportunity_id)
);
CREATE INDEX leads_last_name_idx ON leads (workspace_id, last_name, id);
CREATE INDEX leads_email_idx ON leads (workspace_id, email, id);
CREATE INDEX leads_phone_idx ON leads (workspace_id, phone, id);
CREATE INDEX leads_domain_idx ON leads (workspace_id, domain, id);
CREATE INDEX leads_source_idx ON leads (workspace_id, source, id);
CREATE INDEX leads_status_idx ON leads (workspace_id, status, id);
CREATE INDEX leads_converted_account_id_idx ON leads (workspace_id, converted_account_id);
CREATE INDEX leads_converted_contact_id_idx ON leads (workspace_id, converted_contact_id);
CREATE INDEX leads_converted_opportunity_id_idx ON leads (workspace_id, converted_opportunity_id);
CREATE INDEX leads_created_idx ON leads (workspace_id, created_at, id);
CREATE INDEX leads_updated_idx ON leads (workspace_id, updated_at, id);
CREATE INDEX leads_owner_idx ON leads (workspace_id, owner_id, created_at, id);
CREATE INDEX leads_team_idx ON leads (workspace_id, team_id);
CREATE INDEX leads_trash_idx ON leads (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX leads_tags_idx ON leads USING gin (tags);
CREATE INDEX leads_custom_idx ON leads USING gin (custom jsonb_path_ops);
CREATE INDEX leads_search_idx ON leads USING gin (search_vector);
CREATE INDEX leads_trgm_idx ON leads USING gin (search_text gin_trgm_ops);
ALTER TABLE leads ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON leads USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW leads_scoped AS SELECT * FROM leads WHERE workspace_id = rapport_workspace();
GRANT SELECT ON leads_scoped TO rapport_app;

-- Products: generated from server/modules/products/products.object.ts by `npm run db:ddl -- products`
CREATE TABLE products (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  sku text,
  family text,
  unit text,
  tax_rate numeric(12,4),
  active boolean NOT NULL DEFAULT false,
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
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(name, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(sku, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(family, ''))), 'C') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(name, '') || ' ' || coalesce(sku, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id)
);
CREATE INDEX products_name_idx ON products (workspace_id, name, id);
CREATE UNIQUE INDEX products_sku_key ON products (workspace_id, sku) WHERE deleted_at IS NULL;
CREATE INDEX products_created_idx ON products (workspace_id, created_at, id);
CREATE INDEX products_updated_idx ON products (workspace_id, updated_at, id);
CREATE INDEX products_owner_idx ON products (workspace_id, owner_id, created_at, id);
CREATE INDEX products_team_idx ON products (workspace_id, team_id);
CREATE INDEX products_trash_idx ON products (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX products_tags_idx ON products USING gin (tags);
CREATE INDEX products_custom_idx ON products USING gin (custom jsonb_path_ops);
CREATE INDEX products_search_idx ON products USING gin (search_vector);
CREATE INDEX products_trgm_idx ON products USING gin (search_text gin_trgm_ops);
ALTER TABLE products ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON products USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW products_scoped AS SELECT * FROM products WHERE workspace_id = rapport_workspace();
GRANT SELECT ON products_scoped TO rapport_app;

-- Quotes: generated from server/modules/quotes/quotes.object.ts by `npm run db:ddl -- quotes`
CREATE TABLE quotes (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  number bigint,
  opportunity_id uuid NOT NULL,
  account_id uuid,
  contact_id uuid,
  status text,
  currency text,
  price_book_id text,
  valid_until date,
  subtotal_amount numeric(19,4),
  subtotal_currency text,
  discount_total_amount numeric(19,4),
  discount_total_currency text,
  tax_total_amount numeric(19,4),
  tax_total_currency text,
  total_amount numeric(19,4),
  total_currency text,
  sent_at timestamptz,
  accepted_at timestamptz,
  terms text,
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
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(name, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(name, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id),
  FOREIGN KEY (workspace_id, opportunity_id) REFERENCES opportunities (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE SET NULL (account_id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE SET NULL (contact_id)
);
CREATE UNIQUE INDEX quotes_number_key ON quotes (workspace_id, number) WHERE deleted_at IS NULL;
CREATE INDEX quotes_opportunity_id_idx ON quotes (workspace_id, opportunity_id);
CREATE INDEX quotes_account_id_idx ON quotes (workspace_id, account_id);
CREATE INDEX quotes_contact_id_idx ON quotes (workspace_id, contact_id);
CREATE INDEX quotes_status_idx ON quotes (workspace_id, status, id);
CREATE INDEX quotes_created_idx ON quotes (workspace_id, created_at, id);
CREATE INDEX quotes_updated_idx ON quotes (workspace_id, updated_at, id);
CREATE INDEX quotes_owner_idx ON quotes (workspace_id, owner_id, created_at, id);
CREATE INDEX quotes_team_idx ON quotes (workspace_id, team_id);
CREATE INDEX quotes_trash_idx ON quotes (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX quotes_tags_idx ON quotes USING gin (tags);
CREATE INDEX quotes_custom_idx ON quotes USING gin (custom jsonb_path_ops);
CREATE INDEX quotes_search_idx ON quotes USING gin (search_vector);
CREATE INDEX quotes_trgm_idx ON quotes USING gin (search_text gin_trgm_ops);
ALTER TABLE quotes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON quotes USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW quotes_scoped AS SELECT * FROM quotes WHERE workspace_id = rapport_workspace();
GRANT SELECT ON quotes_scoped TO rapport_app;

-- Every opportunity is in a stage of its own pipeline.
ALTER TABLE opportunities ALTER COLUMN pipeline_id SET NOT NULL, ALTER COLUMN stage_id SET NOT NULL;
ALTER TABLE opportunities ADD CONSTRAINT opportunities_workspace_id_pipeline_id_fkey
  FOREIGN KEY (workspace_id, pipeline_id) REFERENCES pipelines (workspace_id, id);
ALTER TABLE opportunities ADD CONSTRAINT opportunities_workspace_id_stage_id_fkey
  FOREIGN KEY (workspace_id, pipeline_id, stage_id) REFERENCES pipeline_stages (workspace_id, pipeline_id, id);
CREATE INDEX opportunities_closed_idx ON opportunities (workspace_id, status, closed_at);

-- Stage history: one row per stay of an opportunity in a stage (time in stage = left − entered).
CREATE TABLE opportunity_stage_history (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  opportunity_id uuid NOT NULL,
  pipeline_id text NOT NULL,
  from_stage_id text,
  to_stage_id text NOT NULL,
  entered_at timestamptz NOT NULL DEFAULT now(),
  left_at timestamptz,
  changed_by uuid,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, opportunity_id) REFERENCES opportunities (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX opportunity_stage_history_opportunity_idx ON opportunity_stage_history (workspace_id, opportunity_id, entered_at);
CREATE INDEX opportunity_stage_history_stage_idx ON opportunity_stage_history (workspace_id, to_stage_id);
ALTER TABLE opportunity_stage_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON opportunity_stage_history USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Contacts of an opportunity with their role (decision maker, champion…); one may be primary.
CREATE TABLE opportunity_contacts (
  workspace_id uuid NOT NULL,
  opportunity_id uuid NOT NULL,
  contact_id uuid NOT NULL,
  role text,
  is_primary boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, opportunity_id, contact_id),
  FOREIGN KEY (workspace_id, opportunity_id) REFERENCES opportunities (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX opportunity_contacts_contact_idx ON opportunity_contacts (workspace_id, contact_id);
CREATE UNIQUE INDEX opportunity_contacts_primary_key ON opportunity_contacts (workspace_id, opportunity_id) WHERE is_primary;
ALTER TABLE opportunity_contacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON opportunity_contacts USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

CREATE TABLE price_book_entries (
  workspace_id uuid NOT NULL,
  price_book_id text NOT NULL,
  product_id uuid NOT NULL,
  currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  unit_price numeric(19,4) NOT NULL CHECK (unit_price >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, price_book_id, product_id, currency),
  FOREIGN KEY (workspace_id, price_book_id) REFERENCES price_books (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, product_id) REFERENCES products (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX price_book_entries_product_idx ON price_book_entries (workspace_id, product_id);
ALTER TABLE price_book_entries ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON price_book_entries USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

ALTER TABLE quotes ADD CONSTRAINT quotes_workspace_id_price_book_id_fkey
  FOREIGN KEY (workspace_id, price_book_id) REFERENCES price_books (workspace_id, id) ON DELETE SET NULL (price_book_id);

-- Quote numbers: taken from a per-workspace counter inside the inserting statement. The
-- counter row stays locked until the transaction ends, so concurrent creates queue, and a
-- rolled-back insert gives its number back: numbers are sequential without gaps.
CREATE TABLE quote_counters (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  last_number bigint NOT NULL,
  PRIMARY KEY (workspace_id)
);
ALTER TABLE quote_counters ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON quote_counters USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
CREATE FUNCTION rapport_next_quote_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO quote_counters AS c (workspace_id, last_number) VALUES (NEW.workspace_id, 1)
    ON CONFLICT (workspace_id) DO UPDATE SET last_number = c.last_number + 1
    RETURNING c.last_number INTO NEW.number;
  RETURN NEW;
END $$;
CREATE TRIGGER quotes_number BEFORE INSERT ON quotes FOR EACH ROW EXECUTE FUNCTION rapport_next_quote_number();
ALTER TABLE quotes ALTER COLUMN number SET NOT NULL;

-- Line items: amounts stored as computed by server/modules/quotes/quote-totals.ts.
CREATE TABLE quote_line_items (
  workspace_id uuid NOT NULL,
  quote_id uuid NOT NULL,
  id uuid NOT NULL,
  position integer NOT NULL,
  product_id uuid,
  name text NOT NULL,
  description text,
  quantity numeric(19,6) NOT NULL CHECK (quantity > 0),
  unit_price numeric(19,4) NOT NULL CHECK (unit_price >= 0),
  discount_percent numeric(7,4) NOT NULL DEFAULT 0 CHECK (discount_percent BETWEEN 0 AND 100),
  tax_rate numeric(7,4) NOT NULL DEFAULT 0 CHECK (tax_rate BETWEEN 0 AND 100),
  gross numeric(19,4) NOT NULL,
  discount numeric(19,4) NOT NULL,
  tax numeric(19,4) NOT NULL,
  total numeric(19,4) NOT NULL,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, quote_id) REFERENCES quotes (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, product_id) REFERENCES products (workspace_id, id) ON DELETE SET NULL (product_id)
);
CREATE INDEX quote_line_items_quote_idx ON quote_line_items (workspace_id, quote_id, position);
CREATE INDEX quote_line_items_product_idx ON quote_line_items (workspace_id, product_id);
ALTER TABLE quote_line_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON quote_line_items USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Every workspace starts with the default pipeline and the standard price book: new
-- ones through this trigger (whichever code creates them), existing ones right here.
CREATE FUNCTION rapport_sales_defaults(ws uuid) RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
  p text := gen_random_uuid()::text;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pipelines WHERE workspace_id = ws) THEN
    INSERT INTO pipelines (workspace_id, id, name, position, is_default) VALUES (ws, p, 'Sales', 0, true);
    INSERT INTO pipeline_stages (workspace_id, pipeline_id, id, name, position, probability, kind) VALUES
      (ws, p, gen_random_uuid()::text, 'Qualified', 0, 20, 'open'),
      (ws, p, gen_random_uuid()::text, 'Proposal', 1, 50, 'open'),
      (ws, p, gen_random_uuid()::text, 'Negotiation', 2, 75, 'open'),
      (ws, p, gen_random_uuid()::text, 'Closed Won', 3, 100, 'won'),
      (ws, p, gen_random_uuid()::text, 'Closed Lost', 4, 0, 'lost');
  END IF;
  INSERT INTO price_books (workspace_id, id, name, is_standard)
    VALUES (ws, gen_random_uuid()::text, 'Standard', true) ON CONFLICT DO NOTHING;
END $$;
CREATE FUNCTION rapport_workspace_sales_defaults() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM rapport_sales_defaults(NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER workspaces_sales_defaults AFTER INSERT ON workspaces
  FOR EACH ROW EXECUTE FUNCTION rapport_workspace_sales_defaults();
SELECT rapport_sales_defaults(id) FROM workspaces;

-- Events are immutable facts, so a merged record's or a converted lead's timeline is
-- not rewritten: it is linked. A record's timeline is its own events plus those of every
-- record linked to it here (kept transitive: merging B into C moves B's links to C).
CREATE TABLE record_timeline_links (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  object text NOT NULL,
  record_id uuid NOT NULL,
  from_object text NOT NULL,
  from_id uuid NOT NULL,
  reason text NOT NULL CHECK (reason IN ('merged', 'converted')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, object, record_id, from_object, from_id)
);
CREATE INDEX record_timeline_links_from_idx ON record_timeline_links (workspace_id, from_object, from_id);
ALTER TABLE record_timeline_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON record_timeline_links USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
