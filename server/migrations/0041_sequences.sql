-- Nurture sequences (issue 16, point 6). A sequence is a workflow of kind 'sequence' (its
-- steps, versions and durable runs are the workflow engine's: server/modules/workflows)
-- plus who it enrols and when they leave it; its emails are messages of a campaign, so
-- they get that campaign's consent checks, unsubscribe, tracking, bounces and results.

-- Sequences' workflows are not listed among the workspace's workflows.
ALTER TABLE workflows ADD COLUMN kind text NOT NULL DEFAULT 'workflow' CHECK (kind IN ('workflow', 'sequence'));

CREATE TABLE sequences (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  object text NOT NULL CHECK (object IN ('leads', 'contacts')),
  workflow_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  -- Enrolment: every new record of the object, and/or every record entering a segment.
  enrol_new boolean NOT NULL DEFAULT false,
  enrol_segment_id uuid,
  -- Why a person leaves early: replied, unsubscribed, meeting_booked, converted, left_segment.
  exit_on text[] NOT NULL DEFAULT '{replied,unsubscribed,meeting_booked,converted,left_segment}',
  -- Enrolment by events (new records, segment entrants) counts events from this moment (the
  -- database's clock, as events'): switching a sequence on does not sweep in the past.
  enrol_from timestamptz,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, workflow_id),
  FOREIGN KEY (workspace_id, workflow_id) REFERENCES workflows (workspace_id, id) ON DELETE CASCADE,
  FOREIGN KEY (workspace_id, campaign_id) REFERENCES campaigns (workspace_id, id)
);
CREATE INDEX sequences_enrol_idx ON sequences (workspace_id, object) WHERE deleted_at IS NULL;
ALTER TABLE sequences ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON sequences USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- A person in a sequence: once per sequence (a welcome sequence never runs twice for one
-- lead), with the workflow run that carries them through it and why they left.
CREATE TABLE sequence_enrolments (
  workspace_id uuid NOT NULL,
  id uuid NOT NULL,
  sequence_id uuid NOT NULL,
  object text NOT NULL CHECK (object IN ('leads', 'contacts')),
  record_id uuid NOT NULL,
  run_id uuid,
  via text NOT NULL CHECK (via IN ('new_record', 'segment', 'manual', 'workflow', 'sequence')),
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'exited')),
  exit_reason text CHECK (length(exit_reason) <= 300),
  enrolled_by uuid,
  enrolled_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  PRIMARY KEY (workspace_id, id),
  UNIQUE (workspace_id, sequence_id, record_id),
  FOREIGN KEY (workspace_id, sequence_id) REFERENCES sequences (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX sequence_enrolments_record_idx ON sequence_enrolments (workspace_id, record_id) WHERE status = 'active';
CREATE INDEX sequence_enrolments_run_idx ON sequence_enrolments (workspace_id, run_id);
ALTER TABLE sequence_enrolments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON sequence_enrolments USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- A campaign email sent by a workflow or sequence step is a campaign message without a
-- send, keyed by the step (run and path): once per step, however often it is retried;
-- a campaign send still mails each member at most once.
ALTER TABLE campaign_messages ALTER COLUMN send_id DROP NOT NULL;
ALTER TABLE campaign_messages ADD COLUMN step_key text CHECK (length(step_key) <= 300);
ALTER TABLE campaign_messages ADD CONSTRAINT campaign_messages_origin_check CHECK ((send_id IS NULL) <> (step_key IS NULL));
DROP INDEX campaign_messages_once_idx;
CREATE UNIQUE INDEX campaign_messages_once_idx ON campaign_messages (workspace_id, campaign_id, member_id)
  WHERE outbox_id IS NOT NULL AND step_key IS NULL;
CREATE UNIQUE INDEX campaign_messages_step_idx ON campaign_messages (workspace_id, step_key) WHERE step_key IS NOT NULL;
