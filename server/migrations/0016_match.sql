-- Issue 14 (conversion matching, trustworthy duplicates): merging keeps every email and
-- phone of both records, so accounts get other phones and leads other emails and phones
-- (declared in accounts.object.ts and leads.object.ts, as contacts already have them).
ALTER TABLE accounts ADD COLUMN phones jsonb;
ALTER TABLE leads ADD COLUMN emails jsonb;
ALTER TABLE leads ADD COLUMN phones jsonb;
-- Views expand * when created: recreate them so they carry the new columns.
CREATE OR REPLACE VIEW accounts_scoped AS SELECT * FROM accounts WHERE workspace_id = rapport_workspace();
CREATE OR REPLACE VIEW leads_scoped AS SELECT * FROM leads WHERE workspace_id = rapport_workspace();

-- An account's website as a domain ("https://www.Acme.com/about" → "acme.com"), the way
-- account domains are normalised: lead conversion matches a lead's domain or business
-- email against it, through this index.
CREATE FUNCTION rapport_url_host(url text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT regexp_replace(regexp_replace(regexp_replace(lower(url), '^[a-z][a-z0-9+.-]*://', ''), '^www\.', ''), '[/?#:].*$', '') $$;
CREATE INDEX accounts_website_host_idx ON accounts (workspace_id, rapport_url_host(website)) WHERE website IS NOT NULL;

-- Duplicate checks and conversion look for an email or phone among other emails / phones
-- too (`emails @> '[{"value": …}]'`): containment indexes keep that an index scan.
CREATE INDEX contacts_emails_idx ON contacts USING gin (emails jsonb_path_ops);
CREATE INDEX contacts_phones_idx ON contacts USING gin (phones jsonb_path_ops);
CREATE INDEX leads_emails_idx ON leads USING gin (emails jsonb_path_ops);
CREATE INDEX leads_phones_idx ON leads USING gin (phones jsonb_path_ops);
CREATE INDEX accounts_phones_idx ON accounts USING gin (phones jsonb_path_ops);
-- The main phone too (the declarations now say `indexed: true`).
CREATE INDEX contacts_phone_idx ON contacts (workspace_id, phone, id);
CREATE INDEX accounts_phone_idx ON accounts (workspace_id, phone, id);
