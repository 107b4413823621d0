-- A social campaign's posts (issue 21 point 6): the network, the provider's post id and its
-- permalink. Comments and replies on a post (social messages whose thread is the post's) are
-- the campaign's conversations; a lead made from one names the campaign as its source.
CREATE TABLE campaign_posts (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  network text NOT NULL CHECK (network IN ('facebook', 'instagram', 'x', 'generic')),
  post_id text NOT NULL CHECK (length(post_id) BETWEEN 1 AND 200),
  -- The social messages' thread id of the post's comments and replies (see social/providers.ts).
  thread_id text NOT NULL,
  permalink text CHECK (permalink IS NULL OR length(permalink) <= 2048),
  posted_at timestamptz,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
-- One campaign per post: its conversations are attributed to exactly one.
CREATE UNIQUE INDEX campaign_posts_thread_key ON campaign_posts (workspace_id, thread_id);
CREATE INDEX campaign_posts_campaign_idx ON campaign_posts (workspace_id, campaign_id);
ALTER TABLE campaign_posts ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON campaign_posts
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
