-- Two-factor authentication (TOTP, RFC 6238) for users, and a workspace's rule for who
-- must use it. The TOTP seed is sealed with the instance SecretBox (AES-256-GCM, bound
-- to the user id); recovery codes are stored as SHA-256 hashes (80 random bits each).
-- Like sessions and credentials, neither table is readable by the application role.
CREATE TABLE user_two_factor (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  secret text NOT NULL,
  -- NULL while enrolment waits for the first correct code.
  enabled_at timestamptz,
  -- The last 30-second step a code was accepted for: the same code (or an older one) is refused.
  last_used_step bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_recovery_codes (
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  code_hash text NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, code_hash)
);

REVOKE ALL ON user_two_factor, user_recovery_codes FROM rapport_app;

-- Who must sign in with a second factor: nobody, administrators, or every member.
ALTER TABLE workspaces ADD COLUMN two_factor_policy text NOT NULL DEFAULT 'off'
  CHECK (two_factor_policy IN ('off', 'admins', 'everyone'));
