-- Website tracking (server/modules/tracking): a workspace's public site key, the anonymous
-- visitors a site's t.js reports (a first-party cookie id per browser) and their page
-- views and downloads. A visitor becomes a lead's or contact's once identified (a form
-- submission, a tracked email link): their earlier and later views then belong to it.
-- No raw IP (an HMAC under an instance key) and no raw user agent (a browser family) is kept.
CREATE TABLE tracking_settings (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
  -- Public, not a secret: it is in every page of the site. Unique across workspaces (t/collect finds the workspace by it).
  site_key text NOT NULL UNIQUE CHECK (site_key ~ '^[A-Za-z0-9_-]{16,64}$'),
  enabled boolean NOT NULL DEFAULT true,
  -- The sites (scheme://host[:port]) allowed to report; empty: any site.
  allowed_origins text[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE tracking_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON tracking_settings USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

CREATE TABLE web_visitors (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  -- The rapport_vid cookie's random value.
  id text NOT NULL CHECK (id ~ '^[A-Za-z0-9_-]{16,64}$'),
  -- The lead or contact the visitor turned out to be (null while anonymous).
  object text CHECK (object IN ('leads', 'contacts')),
  record_id uuid,
  identified_at timestamptz,
  first_seen timestamptz NOT NULL DEFAULT now(),
  last_seen timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  CHECK ((object IS NULL) = (record_id IS NULL))
);
CREATE INDEX web_visitors_record_idx ON web_visitors (workspace_id, object, record_id) WHERE record_id IS NOT NULL;
ALTER TABLE web_visitors ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON web_visitors USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

CREATE TABLE page_views (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  visitor_id text NOT NULL,
  url text NOT NULL CHECK (length(url) <= 2048),
  path text NOT NULL CHECK (length(path) <= 2048),
  title text CHECK (length(title) <= 500),
  referrer text CHECK (length(referrer) <= 2048),
  kind text NOT NULL CHECK (kind IN ('page', 'download')),
  -- A short browser family (Chrome, Firefox, Safari, Edge, Other), never the user agent.
  browser text CHECK (length(browser) <= 20),
  -- HMAC-SHA256 of the address under an instance key: counts distinct addresses, never reveals one.
  ip_hash text CHECK (length(ip_hash) <= 64),
  occurred_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, visitor_id) REFERENCES web_visitors (workspace_id, id) ON DELETE CASCADE
);
-- A visitor's views, newest first (a record's visits: its visitors' views).
CREATE INDEX page_views_visitor_idx ON page_views (workspace_id, visitor_id, occurred_at DESC);
ALTER TABLE page_views ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON page_views USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
