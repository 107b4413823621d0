-- Bounces, complaints and the suppression list (server/platform/mail/suppressions.ts,
-- server/modules/bounces). Mail to a suppressed address is not sent: the dispatcher settles
-- it as `suppressed` (shown in the outbox), whatever module queued it.
--
-- One row per suppressed address and workspace (lower-cased). reason: hard_bounce and
-- complaint suppress at once; soft_bounce_limit after N soft bounces within a window;
-- manual by an administrator. source says what did it (a bounce's status, "api", "demo").
CREATE TABLE mail_suppressions (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  address text NOT NULL CHECK (address = lower(address) AND length(address) BETWEEN 3 AND 320),
  reason text NOT NULL CHECK (reason IN ('hard_bounce', 'complaint', 'soft_bounce_limit', 'manual')),
  source text NOT NULL DEFAULT '' CHECK (length(source) <= 500),
  -- The outbox mail whose bounce or complaint caused it (kept if the mail is purged).
  outbox_id uuid,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, address)
);
CREATE INDEX mail_suppressions_list_idx ON mail_suppressions (workspace_id, created_at DESC, address);
ALTER TABLE mail_suppressions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON mail_suppressions
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Every bounce and complaint report matched to a workspace (the soft-bounce count reads it),
-- once per inbound message and address.
CREATE TABLE mail_bounces (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  address text NOT NULL CHECK (length(address) <= 320),
  kind text NOT NULL CHECK (kind IN ('hard', 'soft', 'complaint')),
  -- RFC 3463 status (5.1.1) or the ARF feedback type (abuse).
  status text NOT NULL DEFAULT '' CHECK (length(status) <= 100),
  diagnostic text NOT NULL DEFAULT '' CHECK (length(diagnostic) <= 1000),
  outbox_id uuid,
  inbound_mail_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX mail_bounces_report_key ON mail_bounces (workspace_id, inbound_mail_id, address, kind)
  WHERE inbound_mail_id IS NOT NULL;
CREATE INDEX mail_bounces_address_idx ON mail_bounces (workspace_id, address, created_at DESC);
ALTER TABLE mail_bounces ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON mail_bounces
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- How many soft bounces within how many days suppress an address (default 3 in 30 days).
CREATE TABLE mail_bounce_settings (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
  soft_bounce_limit integer NOT NULL DEFAULT 3 CHECK (soft_bounce_limit BETWEEN 1 AND 100),
  soft_bounce_window_days integer NOT NULL DEFAULT 30 CHECK (soft_bounce_window_days BETWEEN 1 AND 365),
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE mail_bounce_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON mail_bounce_settings
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- VERP: each outgoing mail's envelope sender is bounces+<verp_token>@<mail domain>, so a
-- bounce names the mail it is about (random, 128 bits, unique in the installation: the
-- receiver routes a bounce to its workspace by it).
ALTER TABLE mail_outbox ADD COLUMN verp_token text NOT NULL DEFAULT replace(gen_random_uuid()::text, '-', '');
CREATE UNIQUE INDEX mail_outbox_verp_key ON mail_outbox (verp_token);
-- A report without the VERP address is matched by the original Message-ID.
CREATE INDEX mail_outbox_message_id_idx ON mail_outbox (workspace_id, message_id) WHERE message_id IS NOT NULL;
ALTER TABLE mail_outbox DROP CONSTRAINT mail_outbox_status_check;
ALTER TABLE mail_outbox ADD CONSTRAINT mail_outbox_status_check
  CHECK (status IN ('queued', 'sent', 'failed', 'held', 'suppressed'));
