-- Queue statistics per day (server/modules/telephony/queue-days.ts): one row per workspace, day
-- (UTC) and queue, counted whole from the calls — never incremented — when a call of that day
-- and queue ends, nightly for the last two days, and on demand (POST
-- /api/v1/telephony/queues/daily/recount). Sums and counts are kept so that averages over
-- several days are exact.
CREATE TABLE telephony_queue_days (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  day date NOT NULL,
  queue text NOT NULL,
  offered integer NOT NULL DEFAULT 0 CHECK (offered >= 0),
  answered integer NOT NULL DEFAULT 0 CHECK (answered >= 0),
  abandoned integer NOT NULL DEFAULT 0 CHECK (abandoned >= 0),
  -- Seconds waited, summed over the `waits` calls whose wait is known.
  wait_seconds bigint NOT NULL DEFAULT 0 CHECK (wait_seconds >= 0),
  waits integer NOT NULL DEFAULT 0 CHECK (waits >= 0),
  -- Seconds handled by agents, summed over the `handled` answered calls.
  handle_seconds bigint NOT NULL DEFAULT 0 CHECK (handle_seconds >= 0),
  handled integer NOT NULL DEFAULT 0 CHECK (handled >= 0),
  computed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, day, queue)
);
ALTER TABLE telephony_queue_days ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON telephony_queue_days USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
