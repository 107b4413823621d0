-- Geo-location (issue 19): where each address's coordinates came from, the earth-point
-- function the radius and area filters and their GiST indexes share, and the
-- workspace's geocoding runs over existing records.

-- The coordinates' precision ('city' | 'postal' | 'street' | 'manual') and source
-- ('gazetteer' | 'geocoder' | 'user' | 'import'), next to them in every address.
ALTER TABLE contacts ADD COLUMN address_geo_precision text, ADD COLUMN address_geo_source text;
ALTER TABLE accounts ADD COLUMN address_geo_precision text, ADD COLUMN address_geo_source text;
ALTER TABLE leads ADD COLUMN address_geo_precision text, ADD COLUMN address_geo_source text;
ALTER TABLE staff ADD COLUMN home_address_geo_precision text, ADD COLUMN home_address_geo_source text;
-- Coordinates stored before this migration were set by a person (or the demo seed).
UPDATE contacts SET address_geo_precision = 'manual', address_geo_source = 'user' WHERE address_latitude IS NOT NULL;
UPDATE accounts SET address_geo_precision = 'manual', address_geo_source = 'user' WHERE address_latitude IS NOT NULL;
UPDATE leads SET address_geo_precision = 'manual', address_geo_source = 'user' WHERE address_latitude IS NOT NULL;
UPDATE staff SET home_address_geo_precision = 'manual', home_address_geo_source = 'user' WHERE home_address_latitude IS NOT NULL;

-- earthdistance's ll_to_earth with every name schema-qualified (its 1.1 body on
-- PostgreSQL 15 is not, which breaks expression indexes under an empty search_path:
-- restores, autovacuum). IMMUTABLE and STRICT: an address without coordinates is NULL.
CREATE FUNCTION rapport_earth(lat double precision, lng double precision) RETURNS public.cube
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT public.cube(public.cube(public.cube(
    public.earth() * cos(radians($1)) * cos(radians($2))),
    public.earth() * cos(radians($1)) * sin(radians($2))),
    public.earth() * sin(radians($1))) $$;

-- One GiST index per address field: `near` and `within` test the point against a cube
-- around the circle or polygon (earth_box), which this index answers.
CREATE INDEX contacts_address_earth_idx ON contacts USING gist (rapport_earth(address_latitude, address_longitude));
CREATE INDEX accounts_address_earth_idx ON accounts USING gist (rapport_earth(address_latitude, address_longitude));
CREATE INDEX leads_address_earth_idx ON leads USING gist (rapport_earth(address_latitude, address_longitude));
CREATE INDEX staff_home_address_earth_idx ON staff USING gist (rapport_earth(home_address_latitude, home_address_longitude));

-- The views are `select *`: recreated so they carry the new columns.
CREATE OR REPLACE VIEW contacts_scoped AS SELECT * FROM contacts WHERE workspace_id = rapport_workspace();
CREATE OR REPLACE VIEW accounts_scoped AS SELECT * FROM accounts WHERE workspace_id = rapport_workspace();
CREATE OR REPLACE VIEW leads_scoped AS SELECT * FROM leads WHERE workspace_id = rapport_workspace();
CREATE OR REPLACE VIEW staff_scoped AS SELECT * FROM staff WHERE workspace_id = rapport_workspace();

-- A geocoding run over the workspace's existing addresses (a progress-reporting job).
CREATE TABLE geo_runs (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  state text NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'failed')),
  total integer NOT NULL DEFAULT 0,
  done integer NOT NULL DEFAULT 0,
  geocoded integer NOT NULL DEFAULT 0,
  unresolved integer NOT NULL DEFAULT 0,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz,
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX geo_runs_recent_idx ON geo_runs (workspace_id, created_at DESC);
ALTER TABLE geo_runs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON geo_runs USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
