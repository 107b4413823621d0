-- The transactional outbox: every change writes its event in the same transaction,
-- consumers read them in commit-safe order (see server/platform/events/dispatcher.ts).
CREATE TABLE events (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  -- Delivery order: (tx, seq). Consumers only read events of transactions older than
  -- the oldest one still running, so a later commit can never appear behind their cursor.
  tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
  seq bigint GENERATED ALWAYS AS IDENTITY,
  type text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  object text,
  record_id uuid,
  actor_user_id uuid,
  actor_api_key_id uuid,
  data jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id)
);
CREATE INDEX events_delivery_idx ON events (tx, seq);
-- The timeline of a record.
CREATE INDEX events_record_idx ON events (workspace_id, object, record_id, created_at DESC, id DESC);
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON events USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Events are facts: the app may add and read them, never change them.
REVOKE UPDATE, TRUNCATE ON events FROM rapport_app;

-- Where each consumer has got to. System table: consumers span workspaces.
CREATE TABLE event_consumers (
  name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_.-]{0,62}$'),
  last_tx xid8 NOT NULL DEFAULT '0',
  last_seq bigint NOT NULL DEFAULT 0,
  -- Consecutive failures of the event at the head of this consumer's queue.
  failures integer NOT NULL DEFAULT 0,
  last_error text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON event_consumers FROM rapport_app;

-- Events a consumer gave up on after repeated failures (kept for inspection and replay).
CREATE TABLE event_dead_letters (
  consumer text NOT NULL,
  workspace_id uuid NOT NULL,
  event_id uuid NOT NULL,
  error text NOT NULL,
  failed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, workspace_id, event_id),
  FOREIGN KEY (workspace_id, event_id) REFERENCES events (workspace_id, id) ON DELETE CASCADE
);
REVOKE ALL ON event_dead_letters FROM rapport_app;

-- In-app notifications for a user (mentions, assignments, reminders, workflows…).
-- `dedupe_key` makes notifying idempotent: a reminder or a redelivered event notifies once.
CREATE TABLE notifications (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  user_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]{0,39}$'),
  title text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  body text CHECK (length(body) <= 4000),
  object text,
  record_id uuid,
  actor_user_id uuid,
  dedupe_key text CHECK (length(dedupe_key) <= 300),
  read_at timestamptz,
  emailed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE
);
CREATE INDEX notifications_user_idx ON notifications (workspace_id, user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (workspace_id, user_id) WHERE read_at IS NULL;
CREATE UNIQUE INDEX notifications_dedupe_key ON notifications (workspace_id, user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON notifications USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
