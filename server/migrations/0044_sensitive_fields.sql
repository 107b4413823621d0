-- Encryption at rest of sensitive fields, and key rotation (issue 23 point 6; docs/ARCHITECTURE.md,
-- "Sensitive fields"). Values are sealed by the application (AES-256-GCM under the instance key
-- ring, crypto/field-crypto.ts) beside a keyed blind index for equality filters.

-- A custom field marked sensitive keeps { "sealed": …, "bidx": … } under its name in `custom`.
ALTER TABLE custom_fields ADD COLUMN sensitive boolean NOT NULL DEFAULT false;

-- Staff's private fields are encrypted: their columns hold ciphertext (text) and a blind index.
-- Existing plain values stay readable as they are until `rapport keys rotate` (also run at
-- start-up when plain values remain) seals them.
DROP VIEW staff_scoped;
ALTER TABLE staff ALTER COLUMN date_of_birth TYPE text USING date_of_birth::text;
ALTER TABLE staff
  ADD COLUMN personal_email_bidx text,
  ADD COLUMN personal_phone_bidx text,
  ADD COLUMN date_of_birth_bidx text,
  ADD COLUMN emergency_contact_bidx text;
CREATE VIEW staff_scoped AS SELECT * FROM staff WHERE workspace_id = rapport_workspace();
GRANT SELECT ON staff_scoped TO rapport_app;

-- A run of `rapport keys rotate`: every sealed value and secret sealed again under the newest
-- key, with its progress. Installation-wide (a reference table): it crosses workspaces.
CREATE TABLE key_rotations (
  id uuid PRIMARY KEY,
  state text NOT NULL CHECK (state IN ('queued', 'running', 'completed', 'failed')),
  -- The key every value is sealed under when the run completes.
  key_id text NOT NULL,
  total integer NOT NULL DEFAULT 0,
  done integer NOT NULL DEFAULT 0,
  -- Values that could not be opened with any key of the ring (left as they are).
  failed integer NOT NULL DEFAULT 0,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
REVOKE ALL ON key_rotations FROM rapport_app;
