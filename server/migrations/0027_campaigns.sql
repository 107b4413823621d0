-- Campaigns and email sending (server/modules/campaigns): the campaigns object, its
-- members (contacts, leads, accounts) with their status and timestamps, sends (a
-- background job each, throttled, pausable), one message row per member and send (the
-- exactly-once guard: the outbox mail is queued in the same transaction as its row),
-- open and click events (machine ones flagged), per-workspace sender identities, MJML
-- templates, and the source campaign of leads.
-- Campaigns: generated from server/modules/campaigns/campaigns.object.ts by `npm run db:ddl -- campaigns`
CREATE TABLE campaigns (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  type text NOT NULL,
  status text,
  start_date date,
  end_date date,
  budget_amount numeric(19,4),
  budget_currency text,
  actual_cost_amount numeric(19,4),
  actual_cost_currency text,
  parent_id uuid,
  notes text,
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
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(name, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(notes, ''))), 'C') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(name, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id),
  FOREIGN KEY (workspace_id, parent_id) REFERENCES campaigns (workspace_id, id) ON DELETE SET NULL (parent_id)
);
CREATE INDEX campaigns_type_idx ON campaigns (workspace_id, type, id);
CREATE INDEX campaigns_status_idx ON campaigns (workspace_id, status, id);
CREATE INDEX campaigns_start_date_idx ON campaigns (workspace_id, start_date, id);
CREATE INDEX campaigns_parent_id_idx ON campaigns (workspace_id, parent_id);
CREATE INDEX campaigns_created_idx ON campaigns (workspace_id, created_at, id);
CREATE INDEX campaigns_updated_idx ON campaigns (workspace_id, updated_at, id);
CREATE INDEX campaigns_owner_idx ON campaigns (workspace_id, owner_id, created_at, id);
CREATE INDEX campaigns_team_idx ON campaigns (workspace_id, team_id);
CREATE INDEX campaigns_trash_idx ON campaigns (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX campaigns_tags_idx ON campaigns USING gin (tags);
CREATE INDEX campaigns_custom_idx ON campaigns USING gin (custom jsonb_path_ops);
CREATE INDEX campaigns_search_idx ON campaigns USING gin (search_vector);
CREATE INDEX campaigns_trgm_idx ON campaigns USING gin (search_text gin_trgm_ops);
ALTER TABLE campaigns ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON campaigns USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW campaigns_scoped AS SELECT * FROM campaigns WHERE workspace_id = rapport_workspace();
GRANT SELECT ON campaigns_scoped TO rapport_app;

-- A lead names the campaign that brought it (opportunities have had a source_campaign_id since 0007).
ALTER TABLE leads ADD COLUMN source_campaign_id uuid;
ALTER TABLE leads ADD CONSTRAINT leads_source_campaign_fk FOREIGN KEY (workspace_id, source_campaign_id)
  REFERENCES campaigns (workspace_id, id) ON DELETE SET NULL (source_campaign_id);
CREATE INDEX leads_source_campaign_idx ON leads (workspace_id, source_campaign_id) WHERE source_campaign_id IS NOT NULL;
CREATE INDEX opportunities_source_campaign_idx ON opportunities (workspace_id, source_campaign_id)
  WHERE source_campaign_id IS NOT NULL;
-- The views are `select *`: recreated so they carry the new column.
CREATE OR REPLACE VIEW leads_scoped AS SELECT * FROM leads WHERE workspace_id = rapport_workspace();

-- Who a campaign targets: a record of contacts, leads or accounts, once per campaign.
-- status is the furthest step reached; each step keeps its first time.
CREATE TABLE campaign_members (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  object text NOT NULL CHECK (object IN ('contacts', 'leads', 'accounts')),
  record_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'targeted' CHECK (status IN ('targeted', 'sent', 'delivered', 'opened', 'clicked',
    'responded', 'converted', 'unsubscribed', 'bounced', 'skipped')),
  skip_reason text,
  added_at timestamptz NOT NULL DEFAULT now(),
  added_by uuid,
  status_changed_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  opened_at timestamptz,
  clicked_at timestamptz,
  responded_at timestamptz,
  converted_at timestamptz,
  unsubscribed_at timestamptz,
  bounced_at timestamptz,
  bounce_kind text CHECK (bounce_kind IN ('hard', 'soft', 'complaint')),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, campaign_id, record_id),
  FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX campaign_members_status_idx ON campaign_members (workspace_id, campaign_id, status);
CREATE INDEX campaign_members_record_idx ON campaign_members (workspace_id, record_id);
ALTER TABLE campaign_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON campaign_members USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Sender identities: the From and Reply-To of campaign mail, per workspace.
CREATE TABLE mail_senders (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  from_name text NOT NULL CHECK (length(from_name) BETWEEN 1 AND 200),
  from_address text NOT NULL CHECK (length(from_address) BETWEEN 3 AND 320),
  reply_to text CHECK (length(reply_to) <= 320),
  is_default boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, from_address)
);
CREATE UNIQUE INDEX mail_senders_default_idx ON mail_senders (workspace_id) WHERE is_default;
ALTER TABLE mail_senders ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON mail_senders USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- A template is HTML (as before) or MJML, compiled to responsive HTML when rendered.
ALTER TABLE mail_templates ADD COLUMN format text NOT NULL DEFAULT 'html' CHECK (format IN ('html', 'mjml'));
-- A mail may go out from a sender identity rather than the instance's MAIL_FROM.
ALTER TABLE mail_outbox ADD COLUMN from_address text;

-- One send of a campaign: its template, throttle and progress; a job works it off.
CREATE TABLE campaign_sends (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  template_id uuid NOT NULL,
  sender_id uuid,
  state text NOT NULL CHECK (state IN ('scheduled', 'sending', 'paused', 'completed', 'cancelled')),
  scheduled_at timestamptz NOT NULL,
  per_minute integer NOT NULL CHECK (per_minute BETWEEN 1 AND 100000),
  -- Bumped by each resume: the job key of the current run.
  run integer NOT NULL DEFAULT 1,
  queued integer NOT NULL DEFAULT 0,
  skipped integer NOT NULL DEFAULT 0,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX campaign_sends_campaign_idx ON campaign_sends (workspace_id, campaign_id, created_at);
ALTER TABLE campaign_sends ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON campaign_sends USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- What a send did for each member: queued one outbox mail (outbox_id) or skipped it and
-- why. Written in the same transaction as the outbox row: a member is mailed at most once
-- per campaign (the partial unique index), however often a batch is retried.
CREATE TABLE campaign_messages (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  send_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  member_id uuid NOT NULL,
  email text,
  outbox_id uuid,
  skip_reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, send_id, member_id),
  CHECK ((outbox_id IS NULL) <> (skip_reason IS NULL)),
  FOREIGN KEY (workspace_id, send_id) REFERENCES campaign_sends (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, member_id) REFERENCES campaign_members (workspace_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX campaign_messages_once_idx ON campaign_messages (workspace_id, campaign_id, member_id)
  WHERE outbox_id IS NOT NULL;
CREATE INDEX campaign_messages_outbox_idx ON campaign_messages (workspace_id, outbox_id) WHERE outbox_id IS NOT NULL;
ALTER TABLE campaign_messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON campaign_messages USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Opens and clicks of campaign mail. machine: a privacy proxy's prefetch or a scanner
-- (kept for the record, never counted as engagement).
CREATE TABLE campaign_email_events (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  message_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  member_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('open', 'click')),
  url text,
  machine boolean NOT NULL DEFAULT false,
  machine_reason text,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, message_id) REFERENCES campaign_messages (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX campaign_email_events_campaign_idx ON campaign_email_events (workspace_id, campaign_id, kind);
ALTER TABLE campaign_email_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON campaign_email_events USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
