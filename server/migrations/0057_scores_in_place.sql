-- Scores written in place (issue 15: rescoring 1,000,000 leads in under a minute).
--
-- A rescore changes `score`, `fit_score`, `engagement_score` and `grade` of every lead and
-- contact. When no indexed column changes and the page has room, PostgreSQL rewrites the row
-- in place (a HOT update): no new entry in any of the table's ~25 indexes. The engine's bulk
-- path for derived fields (systemBulkSet) no longer sets `updated_at` (indexed), see
-- server/platform/records/system-bulk.ts, and leads and contacts keep 15 % of each page free,
-- so the new version of a row fits beside the old one (pages written from now on; `VACUUM FULL
-- leads` at a quiet time applies it to the existing ones). `score` keeps its index: sorting a
-- million leads by score without it took 3-8 s (docs/ARCHITECTURE.md, "Bulk path").
ALTER TABLE leads SET (fillfactor = 85);
ALTER TABLE contacts SET (fillfactor = 85);

-- Counting a segment (issue 15: under 500 ms over 1,000,000 contacts). A segment's filter on
-- the country alone had no index: the count read every contact carrying the segment's tag
-- (12 % of a million, most of the table's pages) to check the country. With this index the
-- planner ANDs the country's bitmap with the tags index's and visits only the pages of the
-- rows matching both (EXPLAIN in bench/RESULTS.md); the engine gives counts enough memory for
-- those bitmaps to stay exact (records.service.ts, countWithRoom). Live contacts only, as
-- every list reads them.
CREATE INDEX IF NOT EXISTS contacts_country_idx ON contacts (workspace_id, address_country) WHERE deleted_at IS NULL;

-- Parallel query through the *_scoped views. The planner decides whether a query may run in
-- parallel from the functions it names before inlining them, and rapport_workspace() was
-- PARALLEL UNSAFE by default: no statement reading through a view could use a worker. It
-- only reads a setting, which parallel workers receive from the leader, so it is safe. A
-- scan the indexes cannot shorten (a list of 1,000,000 leads sorted by score, now that score
-- has no index) then runs on all the server's cores: 8.4 s → 3.1 s here under load.
ALTER FUNCTION rapport_workspace() PARALLEL SAFE;
