-- Inbound mail (server/platform/mail/inbound-*.ts): the workspaces' mailboxes and every
-- message the inbound SMTP receiver accepted for one of them.
--
-- A mailbox is an address the receiver accepts mail for, owned by one workspace; its kind
-- names the module that handles its mail (support → tickets; bounces → campaigns). Every
-- workspace has a default support mailbox, support-<last 12 hex digits of its id>@<RAPPORT_MAIL_DOMAIN>, made
-- at start-up, on first read and on first mail (the domain is configuration, not data);
-- administrators add their own addresses (support@acme.com forwarded here).
CREATE TABLE mailboxes (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  -- Lower-cased; one owner in the whole installation (the receiver routes by it).
  address text NOT NULL CHECK (address = lower(address) AND length(address) BETWEEN 3 AND 254 AND address ~ '^[^@\s]+@[^@\s]+$'),
  kind text NOT NULL CHECK (kind IN ('support', 'bounces')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- The workspace's generated address of its kind (its address follows RAPPORT_MAIL_DOMAIN).
  is_default boolean NOT NULL DEFAULT false,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE UNIQUE INDEX mailboxes_address_key ON mailboxes (address);
CREATE UNIQUE INDEX mailboxes_default_key ON mailboxes (workspace_id, kind) WHERE is_default;
ALTER TABLE mailboxes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON mailboxes USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- One row per accepted message and mailbox, written BEFORE the receiver answers 250 (a crash
-- after it loses nothing), then handled from here by the inbound processor: exactly once
-- (the handler's writes and the status change commit together), retried with back-off,
-- `failed` after the last attempt. `refused`: stored but not parseable as mail; `unhandled`:
-- no module handles the mailbox's kind (or the mailbox was deleted first).
CREATE TABLE inbound_mail (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  mailbox_id uuid,
  -- The mailbox address as the envelope named it (kept if the mailbox is deleted).
  recipient text NOT NULL,
  -- The envelope sender (MAIL FROM; empty for bounces) and the client's IP address.
  envelope_from text NOT NULL DEFAULT '',
  remote_address text,
  -- The Message-ID header without <>: the same message delivered twice to a mailbox is kept once.
  message_id text CHECK (length(message_id) <= 998),
  raw bytea NOT NULL,
  size integer NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processed', 'failed', 'refused', 'unhandled')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  error text,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, mailbox_id) REFERENCES mailboxes (workspace_id, id) ON DELETE SET NULL (mailbox_id)
);
CREATE UNIQUE INDEX inbound_mail_message_key ON inbound_mail (workspace_id, mailbox_id, message_id)
  WHERE message_id IS NOT NULL;
-- The processor's queue: pending messages, the longest-waiting first.
CREATE INDEX inbound_mail_due_idx ON inbound_mail (next_attempt_at) WHERE status = 'pending';
CREATE INDEX inbound_mail_mailbox_idx ON inbound_mail (workspace_id, mailbox_id, received_at DESC);
ALTER TABLE inbound_mail ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON inbound_mail USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
