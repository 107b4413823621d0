-- Customer service (server/modules/tickets): tickets (a record object), their conversation,
-- SLA policies with business-hours calendars, SLA events (warnings, breaches, attainment),
-- the workspace's service settings, and the outbox's threading headers.

-- Tickets: generated from server/modules/tickets/tickets.object.ts by `npm run db:ddl -- tickets`
CREATE TABLE tickets (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  number bigint,
  subject text NOT NULL,
  contact_id uuid,
  account_id uuid,
  channel text,
  priority text,
  status text,
  type text,
  assignee_id uuid,
  related_ticket_ids uuid[],
  merged_into_id uuid,
  sla_policy_id text,
  first_response_due_at timestamptz,
  next_response_due_at timestamptz,
  resolution_due_at timestamptz,
  first_responded_at timestamptz,
  solved_at timestamptz,
  sla_breached boolean NOT NULL DEFAULT false,
  sla_paused_at timestamptz,
  sla_paused_minutes bigint,
  csat_rating bigint,
  csat_comment text,
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
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(subject, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(subject, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE SET NULL (contact_id),
  FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE SET NULL (account_id),
  FOREIGN KEY (workspace_id, merged_into_id) REFERENCES tickets (workspace_id, id) ON DELETE SET NULL (merged_into_id)
);
CREATE UNIQUE INDEX tickets_number_key ON tickets (workspace_id, number) WHERE deleted_at IS NULL;
CREATE INDEX tickets_contact_id_idx ON tickets (workspace_id, contact_id);
CREATE INDEX tickets_account_id_idx ON tickets (workspace_id, account_id);
CREATE INDEX tickets_priority_idx ON tickets (workspace_id, priority, id);
CREATE INDEX tickets_status_idx ON tickets (workspace_id, status, id);
CREATE INDEX tickets_assignee_id_idx ON tickets (workspace_id, assignee_id, id);
CREATE INDEX tickets_merged_into_id_idx ON tickets (workspace_id, merged_into_id);
CREATE INDEX tickets_resolution_due_at_idx ON tickets (workspace_id, resolution_due_at, id);
CREATE INDEX tickets_created_idx ON tickets (workspace_id, created_at, id);
CREATE INDEX tickets_updated_idx ON tickets (workspace_id, updated_at, id);
CREATE INDEX tickets_owner_idx ON tickets (workspace_id, owner_id, created_at, id);
CREATE INDEX tickets_team_idx ON tickets (workspace_id, team_id);
CREATE INDEX tickets_trash_idx ON tickets (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX tickets_tags_idx ON tickets USING gin (tags);
CREATE INDEX tickets_custom_idx ON tickets USING gin (custom jsonb_path_ops);
CREATE INDEX tickets_search_idx ON tickets USING gin (search_vector);
CREATE INDEX tickets_trgm_idx ON tickets USING gin (search_text gin_trgm_ops);
ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON tickets USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW tickets_scoped AS SELECT * FROM tickets WHERE workspace_id = rapport_workspace();
GRANT SELECT ON tickets_scoped TO rapport_app;


-- Ticket numbers, as quote numbers (0007_sales.sql): sequential per workspace, no gaps.
CREATE TABLE ticket_counters (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  last_number bigint NOT NULL,
  PRIMARY KEY (workspace_id)
);
ALTER TABLE ticket_counters ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON ticket_counters USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
CREATE FUNCTION rapport_next_ticket_number() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ticket_counters AS c (workspace_id, last_number) VALUES (NEW.workspace_id, 1)
    ON CONFLICT (workspace_id) DO UPDATE SET last_number = c.last_number + 1
    RETURNING c.last_number INTO NEW.number;
  RETURN NEW;
END $$;
CREATE TRIGGER tickets_number BEFORE INSERT ON tickets FOR EACH ROW EXECUTE FUNCTION rapport_next_ticket_number();
ALTER TABLE tickets ALTER COLUMN number SET NOT NULL;
-- The SLA sweep reads tickets with a running clock across workspaces.
CREATE INDEX tickets_sla_open_idx ON tickets (resolution_due_at)
  WHERE deleted_at IS NULL AND sla_policy_id IS NOT NULL AND status NOT IN ('solved', 'closed');

-- The conversation: public replies (emailed to the contact), internal notes (never sent)
-- and inbound mail, in order. message_id is the RFC 5322 Message-ID (without brackets)
-- we generated or received: inbound replies thread by it.
CREATE TABLE ticket_messages (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  ticket_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('reply', 'note', 'inbound')),
  author_user_id uuid,
  from_address text,
  from_name text,
  -- The full text; body_display is the text with quoted history trimmed.
  body_text text NOT NULL,
  body_display text NOT NULL,
  body_html text,
  -- [{ filename, contentType, size }]
  attachments jsonb NOT NULL DEFAULT '[]',
  mentions uuid[] NOT NULL DEFAULT '{}',
  message_id text,
  in_reply_to text,
  "references" text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, ticket_id) REFERENCES tickets (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX ticket_messages_ticket_idx ON ticket_messages (workspace_id, ticket_id, created_at, id);
CREATE UNIQUE INDEX ticket_messages_message_id_key ON ticket_messages (workspace_id, message_id) WHERE message_id IS NOT NULL;
ALTER TABLE ticket_messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON ticket_messages USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Business-hours calendars: weekly opening hours ({ mon: [{ start: "09:00", end: "17:00" }] …})
-- in a time zone, and holidays (local dates).
CREATE TABLE business_calendars (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  time_zone text NOT NULL,
  weekly_hours jsonb NOT NULL,
  holidays jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
ALTER TABLE business_calendars ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON business_calendars USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- SLA policies, in order: a ticket follows the first whose condition (a filter tree over
-- tickets; null = every ticket) it meets and that has a target for its priority.
CREATE TABLE sla_policies (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  position integer NOT NULL DEFAULT 0,
  condition jsonb,
  -- { <priority>: { firstResponseMinutes, resolutionMinutes, nextResponseMinutes? } }
  targets jsonb NOT NULL,
  calendar_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, calendar_id) REFERENCES business_calendars (workspace_id, id) ON DELETE SET NULL (calendar_id)
);
ALTER TABLE sla_policies ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON sla_policies USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- What happened to a ticket's SLA targets, once each: warning and breached (the SLA sweep),
-- met or missed (when the first response or the resolution happened). Reports read attainment here.
CREATE TABLE sla_events (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  ticket_id uuid NOT NULL,
  target text NOT NULL CHECK (target IN ('first_response', 'next_response', 'resolution')),
  kind text NOT NULL CHECK (kind IN ('warning', 'breached', 'met', 'missed')),
  due_at timestamptz NOT NULL,
  at timestamptz NOT NULL,
  policy_id uuid,
  PRIMARY KEY (workspace_id, ticket_id, target, kind, due_at),
  FOREIGN KEY (workspace_id, ticket_id) REFERENCES tickets (workspace_id, id) ON DELETE CASCADE
);
ALTER TABLE sla_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON sla_events USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Per-workspace ticket settings: acknowledgements and CSAT (no row = the defaults).
CREATE TABLE ticket_settings (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  acknowledge_new_tickets boolean NOT NULL DEFAULT true,
  csat_enabled boolean NOT NULL DEFAULT true,
  csat_subject text,
  csat_intro text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id)
);
ALTER TABLE ticket_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON ticket_settings USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Acknowledgements sent, per sender: the per-sender rate limit behind the loop checks.
CREATE TABLE ticket_acknowledgements (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  address text NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_acknowledgements_idx ON ticket_acknowledgements (workspace_id, address, sent_at);
ALTER TABLE ticket_acknowledgements ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON ticket_acknowledgements USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- The outbox carries a thread's headers: a Message-ID of our choosing (replies are
-- threaded by it) and In-Reply-To / References / Auto-Submitted.
ALTER TABLE mail_outbox ADD COLUMN message_id text;
ALTER TABLE mail_outbox ADD COLUMN headers jsonb NOT NULL DEFAULT '{}';

-- Satisfaction surveys, one per solving of a ticket (id = the ticket.updated event's id, so
-- a redelivered event sends nothing twice). The link's secret is kept as its SHA-256 only.
CREATE TABLE csat_surveys (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  ticket_id uuid NOT NULL,
  contact_id uuid,
  token_hash text NOT NULL,
  rating smallint CHECK (rating BETWEEN 1 AND 5),
  comment text CHECK (length(comment) <= 2000),
  created_at timestamptz NOT NULL DEFAULT now(),
  rated_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, ticket_id) REFERENCES tickets (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX csat_surveys_ticket_idx ON csat_surveys (workspace_id, ticket_id, created_at);
ALTER TABLE csat_surveys ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON csat_surveys USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
