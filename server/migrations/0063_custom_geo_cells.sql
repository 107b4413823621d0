-- Geo-location (issue 19): the `near` and `within` filters on a custom address field, indexed.
-- A custom field lives in the record's `custom` jsonb under its name, and which names are
-- addresses differs by workspace, so no btree on columns can hold it (migration 0058 is for
-- the built-in address columns). Instead a GIN expression index over every object table
-- holds, for each address-shaped value in `custom` (an object whose `latitude` and
-- `longitude` are numbers in range, or strings holding them), a few keys: the point's grid cell at 0.1°, 1° and 10°, plus one key
-- for "has coordinates", each hashed with the workspace and the field's name. A filter asks
-- for the keys of the cells that cover its circle's or polygon's box at one level
-- (`rapport_geocells(workspace_id, custom) && keys`, see server/platform/records/geo-filter.ts),
-- then applies the exact test as before. Being an expression of the row, the index is in
-- step with every write path (REST, batch, imports, the geocoder, soft delete, restore,
-- erase) with nothing to maintain. A hash collision only adds a candidate the exact test
-- then drops. Rows without such a value are not in the index (partial). The index's predicate
-- is the cheap `custom @? '$.*.latitude'` (some custom value has a latitude), not
-- `rapport_geocells(…) IS NOT NULL`: a non-inlined SQL function costs about half a millisecond
-- a call, and with it in the predicate every insert into every object table paid that twice
-- (measured: 20,000 inserts took 11.3 s instead of 0.75 s); now only records with a custom
-- address evaluate it. A filter repeats the predicate (geo-filter.ts) so the index applies.

-- The cells of a point, one per level; NULL outside the valid range (as rapport_geoband).
-- Level 0.1°: row = rapport_geoband (0..1799) × 3600 columns; level 1°: 10,000,000 + row × 360
-- + column; level 10°: 20,000,000 + row × 36 + column; 30,000,000: has coordinates.
-- Written out the same way in JavaScript (pointCells in geo-filter.ts): same IEEE arithmetic.
CREATE FUNCTION rapport_geocell_ids(lat double precision, lng double precision) RETURNS integer[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT CASE WHEN $1 >= -90 AND $1 <= 90 AND $2 >= -180 AND $2 <= 180 THEN ARRAY[
    least(floor(($1 + 90) * 10)::integer, 1799) * 3600 + least(floor(($2 + 180) * 10)::integer, 3599),
    10000000 + least(floor($1 + 90)::integer, 179) * 360 + least(floor($2 + 180)::integer, 359),
    20000000 + least(floor(($1 + 90) / 10)::integer, 17) * 36 + least(floor(($2 + 180) / 10)::integer, 35),
    30000000] END $$;

-- One key: a cell of one field of one workspace.
CREATE FUNCTION rapport_geokey(ws uuid, field text, cell integer) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT hashtextextended($1::text || ' ' || $2 || ' ' || $3::text, 0) $$;

-- A coordinate of a custom value as the filters read it ((custom -> f ->> part)::float8), or
-- NULL when it is not a number (or a string holding one) in range: never an error, whatever
-- a json field holds (1e400, 1e-400, "x"), so no value can make a write fail.
CREATE FUNCTION rapport_geocoord(v jsonb, part text, bound integer) RETURNS double precision
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT CASE WHEN x.n BETWEEN -$3 AND $3 AND (x.n = 0 OR abs(x.n) >= 1e-300)
      THEN ($1 ->> $2)::double precision END
    FROM (SELECT CASE
      WHEN jsonb_typeof($1 -> $2) = 'number' THEN ($1 -> $2)::numeric
      WHEN jsonb_typeof($1 -> $2) = 'string'
        AND ($1 ->> $2) ~ '^\s*[-+]?([0-9]{1,20}(\.[0-9]{0,30})?|\.[0-9]{1,30})([eE][-+]?[0-9]{1,3})?\s*$'
        THEN ($1 ->> $2)::numeric END AS n) x $$;

-- The keys of every address-shaped value in a record's custom fields; NULL when none. The
-- functions it calls are schema-qualified: index builds, autovacuum and restores evaluate it
-- under a search_path of pg_catalog only (as 0036 found for earthdistance).
CREATE FUNCTION rapport_geocells(ws uuid, custom jsonb) RETURNS bigint[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT array_agg(public.rapport_geokey($1, e.key, c.cell))
    FROM jsonb_each($2) e,
      unnest(public.rapport_geocell_ids(public.rapport_geocoord(e.value, 'latitude', 90),
        public.rapport_geocoord(e.value, 'longitude', 180))) c(cell)
    WHERE jsonb_typeof(e.value) = 'object' $$;

-- The keys a filter asks for: the same hash as rapport_geocells.
CREATE FUNCTION rapport_geokeys(ws uuid, field text, cells integer[]) RETURNS bigint[]
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT array_agg(public.rapport_geokey($1, $2, c)) FROM unnest($3) c $$;

-- Every object table (each has `custom`); ddl.ts emits the same for a new object. No pending
-- list (fastupdate off): a read would scan all of it against every key (measured: 330 ms
-- after 30,000 writes, bench/geo-custom.ts), and only records with a custom address write here.
CREATE INDEX accounts_custom_geo_idx ON accounts USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX article_categories_custom_geo_idx ON article_categories USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX articles_custom_geo_idx ON articles USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX calls_custom_geo_idx ON calls USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX campaign_costs_custom_geo_idx ON campaign_costs USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX campaigns_custom_geo_idx ON campaigns USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX contacts_custom_geo_idx ON contacts USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX interactions_custom_geo_idx ON interactions USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX leads_custom_geo_idx ON leads USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX meetings_custom_geo_idx ON meetings USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX notes_custom_geo_idx ON notes USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX opportunities_custom_geo_idx ON opportunities USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX products_custom_geo_idx ON products USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX quotes_custom_geo_idx ON quotes USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX segments_custom_geo_idx ON segments USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX social_messages_custom_geo_idx ON social_messages USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX staff_custom_geo_idx ON staff USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX tasks_custom_geo_idx ON tasks USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX territories_custom_geo_idx ON territories USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
CREATE INDEX tickets_custom_geo_idx ON tickets USING gin (rapport_geocells(workspace_id, custom))
  WITH (fastupdate = off) WHERE deleted_at IS NULL AND custom @? '$.*.latitude';
