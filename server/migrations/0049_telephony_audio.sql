-- Contact centre audio (server/modules/telephony/audio.ts): pre-recorded prompts uploaded by
-- administrators (IVR greetings and answers, played with <Play> from a signed, expiring URL) and
-- voicemail recordings fetched from the provider's REST API (served to whoever may read the call).
-- Checked when stored: the bytes are MP3 or WAV (sniffed, whatever the upload claimed), at most
-- 5 MB and 10 minutes.
CREATE TABLE telephony_audio (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('prompt', 'recording')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  content_type text NOT NULL CHECK (content_type IN ('audio/mpeg', 'audio/wav')),
  size integer NOT NULL CHECK (size > 0 AND size <= 5242880),
  duration_ms integer CHECK (duration_ms >= 0),
  content bytea NOT NULL,
  -- A recording: its call, and the provider's id of it (RecordingSid), fetched once.
  call_id uuid,
  provider_sid text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, call_id) REFERENCES calls (workspace_id, id) ON DELETE CASCADE
);
-- The provider fetches a prompt by id alone (its URL is signed); the lookup crosses workspaces.
CREATE INDEX telephony_audio_id_idx ON telephony_audio (id);
CREATE UNIQUE INDEX telephony_audio_provider_sid_key ON telephony_audio (workspace_id, provider_sid)
  WHERE provider_sid IS NOT NULL;
CREATE INDEX telephony_audio_call_idx ON telephony_audio (workspace_id, call_id) WHERE call_id IS NOT NULL;
ALTER TABLE telephony_audio ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON telephony_audio USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
