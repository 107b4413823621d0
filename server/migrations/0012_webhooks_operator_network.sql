-- Private and loopback webhook targets are the instance operator's decision
-- (RAPPORT_WEBHOOKS_ALLOW_PRIVATE), never a workspace's: any signed-up workspace
-- administrator could set the per-subscription override and read internal services'
-- answers through the delivery log. The override goes, and so does what it let in:
-- the logged answers and error texts of subscriptions that had it.
UPDATE webhook_attempts a SET response_body = NULL, error = CASE WHEN a.error IS NULL THEN NULL ELSE 'redacted' END
  FROM webhook_deliveries d, webhook_subscriptions s
  WHERE d.workspace_id = a.workspace_id AND d.id = a.delivery_id
    AND s.workspace_id = d.workspace_id AND s.id = d.subscription_id AND s.allow_private_network;
UPDATE webhook_deliveries d SET last_error = 'redacted'
  FROM webhook_subscriptions s
  WHERE s.workspace_id = d.workspace_id AND s.id = d.subscription_id AND s.allow_private_network
    AND d.last_error IS NOT NULL;
ALTER TABLE webhook_subscriptions DROP COLUMN allow_private_network;

-- The delivery log keeps a short excerpt of an answer, never a page of it.
UPDATE webhook_attempts SET response_body = left(response_body, 200) WHERE length(response_body) > 200;
ALTER TABLE webhook_attempts ADD CONSTRAINT webhook_attempts_excerpt_len CHECK (length(response_body) <= 200);
