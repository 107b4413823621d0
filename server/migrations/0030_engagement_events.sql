-- What leads and contacts did, in one place, for the behaviour conditions of segments
-- and filters (server/modules/segments/engagement.ts): "visited a page matching X in the
-- last N days", "submitted form F", "opened or clicked any email in the last N days".
-- One row per event of the outbox, written by the segments.membership consumer from
-- page.viewed (tracking, including a newly identified visitor's earlier views),
-- form.submitted (forms) and email.opened / email.clicked (campaigns): the row's id is the
-- event's, so a redelivered event adds nothing. Rows of a purged record go with it.
CREATE TABLE engagement_events (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  object text NOT NULL CHECK (object IN ('contacts', 'leads')),
  record_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('page_view', 'download', 'form_submission', 'email_open', 'email_click')),
  -- The form (form_submission) or the campaign (email_open, email_click), when known.
  ref text CHECK (length(ref) <= 200),
  -- The page (page_view, download) or the clicked link (email_click).
  url text CHECK (length(url) <= 2048),
  path text CHECK (length(path) <= 2048),
  occurred_at timestamptz NOT NULL,
  -- An event about a contact and a lead (a campaign's data naming both) is a row for each.
  PRIMARY KEY (workspace_id, id, record_id)
);
-- A record's events of a kind, newest first (every behaviour condition is an EXISTS on this).
CREATE INDEX engagement_events_record_idx ON engagement_events (workspace_id, object, record_id, kind, occurred_at DESC);
ALTER TABLE engagement_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON engagement_events USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- What happened before this table existed: identified visitors' views and form submissions.
INSERT INTO engagement_events (workspace_id, id, object, record_id, kind, url, path, occurred_at)
SELECT p.workspace_id, p.id, v.object, v.record_id, CASE p.kind WHEN 'download' THEN 'download' ELSE 'page_view' END,
  p.url, p.path, p.occurred_at
FROM page_views p JOIN web_visitors v ON v.workspace_id = p.workspace_id AND v.id = p.visitor_id
WHERE v.record_id IS NOT NULL
ON CONFLICT DO NOTHING;
INSERT INTO engagement_events (workspace_id, id, object, record_id, kind, ref, url, occurred_at)
SELECT s.workspace_id, s.id, s.object, s.record_id, 'form_submission', s.form_id::text, s.page_url, s.created_at
FROM form_submissions s
ON CONFLICT DO NOTHING;
