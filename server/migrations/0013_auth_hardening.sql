-- Fixed-window counters for named rate limits (http/rate-limits.ts) and sign-in
-- throttling (auth/sign-in-guard.ts). One row per (limit, key): counting is one
-- INSERT … ON CONFLICT DO UPDATE … RETURNING under the row lock, so parallel requests
-- cannot all pass a check made before any of them was counted.
CREATE TABLE rate_limit_hits (
  name text NOT NULL,
  key text NOT NULL,
  hits integer NOT NULL,
  window_ends timestamptz NOT NULL,
  PRIMARY KEY (name, key)
);
CREATE INDEX rate_limit_hits_window_idx ON rate_limit_hits (window_ends);
REVOKE ALL ON rate_limit_hits FROM rapport_app;

-- Replaced by rate_limit_hits (attempts were counted after the fact, and raced).
DROP TABLE sign_in_attempts;

-- Mail that carries a secret of its recipient (a password-reset link): sent as usual,
-- but its body is never shown in the workspace's outbox (administrators read the
-- outbox; they must not be able to take over a member's account from it).
ALTER TABLE mail_outbox ADD COLUMN confidential boolean NOT NULL DEFAULT false;
