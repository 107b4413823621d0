-- Opt-out of sale/sharing and Global Privacy Control (issue 23, points 1–2).
-- Leads get the "do not sell or share" flag contacts already have; on both it is now kept
-- from the consent ledger (purpose sale_sharing withdrawn ⇒ true), never edited directly.
ALTER TABLE leads ADD COLUMN do_not_sell boolean NOT NULL DEFAULT false;
-- The view is `select *`: recreated so it carries the new column.
CREATE OR REPLACE VIEW leads_scoped AS SELECT * FROM leads WHERE workspace_id = rapport_workspace();
-- A Global Privacy Control signal (Sec-GPC: 1) is a source of its own in the ledger.
ALTER TABLE consents DROP CONSTRAINT consents_source_check;
ALTER TABLE consents ADD CONSTRAINT consents_source_check
  CHECK (source IN ('form', 'import', 'api', 'user', 'chat', 'gpc'));
-- A webhook marked as sharing data with a third party gets no events about people who
-- opted out of sale/sharing (server/platform/webhooks/fan-out.ts).
ALTER TABLE webhook_subscriptions ADD COLUMN sharing boolean NOT NULL DEFAULT false;
