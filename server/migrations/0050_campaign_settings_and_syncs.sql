-- The workspace's lawful basis for marketing email (GDPR art. 6): `consent` (default: only people
-- whose marketing_email consent is granted are mailed) or `legitimate_interest` (people who have
-- not objected are mailed; a withdrawal still stops them). Changed by administrators, audited.
CREATE TABLE campaign_settings (
  workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
  marketing_lawful_basis text NOT NULL DEFAULT 'consent'
    CHECK (marketing_lawful_basis IN ('consent', 'legitimate_interest')),
  updated_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE campaign_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON campaign_settings
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Segments whose members a campaign keeps in sync: a record entering the segment becomes a
-- member (targeted); one leaving it is removed while it is still only targeted (a member that
-- was mailed stays, with its history).
CREATE TABLE campaign_segment_syncs (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  campaign_id uuid NOT NULL,
  segment_id uuid NOT NULL,
  object text NOT NULL CHECK (object IN ('contacts', 'leads', 'accounts')),
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, campaign_id, segment_id)
);
CREATE INDEX campaign_segment_syncs_segment_idx ON campaign_segment_syncs (workspace_id, segment_id);
ALTER TABLE campaign_segment_syncs ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON campaign_segment_syncs
  USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
