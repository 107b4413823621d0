-- Secrets at rest (docs/ARCHITECTURE.md, "Secrets at rest").
--
-- Outbound webhook signing secrets are read back to sign deliveries, so they are sealed
-- (AES-256-GCM, platform/crypto/secret-box.ts) with the instance key, which SQL does not
-- have: the app seals every plain value at start-up (resealWebhookSecrets) and reads a
-- plain one meanwhile. The last characters, shown to tell secrets apart, get their own
-- column so that listing never opens a secret.
ALTER TABLE webhook_subscriptions ADD COLUMN secret_hint text;
UPDATE webhook_subscriptions SET secret_hint = right(secret, 4);
ALTER TABLE webhook_subscriptions ALTER COLUMN secret_hint SET NOT NULL;

-- Inbound workflow hook secrets are only compared: keep their SHA-256 (hex), like the
-- calendar feed token. The plain column goes: the URL was shown once; rotate for a new one.
ALTER TABLE workflows ADD COLUMN hook_secret_hash text;
UPDATE workflows SET hook_secret_hash = encode(sha256(convert_to(hook_secret, 'UTF8')), 'hex');
ALTER TABLE workflows ALTER COLUMN hook_secret_hash SET NOT NULL;
ALTER TABLE workflows DROP COLUMN hook_secret;
