-- Where a CSV import resumes (issue 18): the byte offset in the stored file just after the
-- last row of the committed checkpoint, and that row's number. A run handed over every few
-- seconds, or picked up after a crash, parses on from there instead of reading the file
-- again from its start (null: read from the start and skip `checkpoint` rows, as before —
-- XLSX, vCard and CSV files in another encoding than UTF-8).
ALTER TABLE imports ADD COLUMN resume_offset bigint, ADD COLUMN resume_row integer;
