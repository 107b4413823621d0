-- Geo-location (issue 19): the `near` and `within` filters on a plain btree index, the same
-- on PostgreSQL and PGlite (no PostGIS). The index orders a workspace's live records by
-- their address's latitude band (0.1° of latitude, ~11 km: band 0 starts at the south
-- pole, band 1799 ends at the north pole), then longitude: a circle or polygon is one
-- index range per band it crosses (`rapport_geoband(lat, lng) = ANY(bands) AND longitude
-- BETWEEN west AND east`, see server/platform/records/geo-filter.ts), then the exact test
-- as before. The band is an expression of the index (nothing to keep in step, no table
-- rewrite). The columns a list's first page needs (the point, created_at, id, the owner
-- and team a sales rep's scope tests) are in the index, so the candidates are tested and
-- sorted from the index alone (an index-only scan) and only the page's records are read
-- from the table. It replaces the GiST indexes of migration 0036, whose candidates each
-- cost a table read.

-- The band of a point; NULL without coordinates (or with ones outside the valid range,
-- which the record engine never stores: latitude -90..90, longitude -180..180).
-- Written out the same way in JavaScript (geoBand in geo-filter.ts): same IEEE arithmetic.
CREATE FUNCTION rapport_geoband(lat double precision, lng double precision) RETURNS integer
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT CASE WHEN $1 >= -90 AND $1 <= 90 AND $2 >= -180 AND $2 <= 180
    THEN least(floor(($1 + 90) * 10)::integer, 1799) END $$;

CREATE INDEX contacts_address_geo_idx ON contacts
  (workspace_id, rapport_geoband(address_latitude, address_longitude), address_longitude, address_latitude)
  INCLUDE (created_at, id, owner_id, team_id) WHERE deleted_at IS NULL;
CREATE INDEX accounts_address_geo_idx ON accounts
  (workspace_id, rapport_geoband(address_latitude, address_longitude), address_longitude, address_latitude)
  INCLUDE (created_at, id, owner_id, team_id) WHERE deleted_at IS NULL;
CREATE INDEX leads_address_geo_idx ON leads
  (workspace_id, rapport_geoband(address_latitude, address_longitude), address_longitude, address_latitude)
  INCLUDE (created_at, id, owner_id, team_id) WHERE deleted_at IS NULL;
CREATE INDEX staff_home_address_geo_idx ON staff
  (workspace_id, rapport_geoband(home_address_latitude, home_address_longitude), home_address_longitude, home_address_latitude)
  INCLUDE (created_at, id, owner_id, team_id) WHERE deleted_at IS NULL;

DROP INDEX contacts_address_earth_idx;
DROP INDEX accounts_address_earth_idx;
DROP INDEX leads_address_earth_idx;
DROP INDEX staff_home_address_earth_idx;
