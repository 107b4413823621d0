-- Activities: tasks, meetings, interactions and notes (record-engine objects, generated
-- from their declarations by `npm run db:ddl -- tasks meetings interactions notes`, plus
-- the hand-written defaults and triggers below), comments with @mentions, the
-- per-workspace contact cool-downs of the "don't contact twice" guard, and the secret
-- tokens of the per-user iCalendar feeds.

-- Tasks: generated from server/modules/tasks/tasks.object.ts by `npm run db:ddl -- tasks`
CREATE TABLE tasks (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  title text NOT NULL,
  status text,
  priority text,
  due_at timestamptz,
  remind_at timestamptz,
  assignee_id uuid,
  description text,
  completed_at timestamptz,
  reminded_at timestamptz,
  related_object text,
  related_id text,
  owner_id uuid,
  team_id uuid,
  tags text[] NOT NULL DEFAULT '{}',
  custom jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  deleted_at timestamptz,
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(title, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(description, ''))), 'C') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(title, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id),
  FOREIGN KEY (workspace_id, assignee_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (assignee_id)
);
CREATE INDEX tasks_status_idx ON tasks (workspace_id, status, id);
CREATE INDEX tasks_due_at_idx ON tasks (workspace_id, due_at, id);
CREATE INDEX tasks_assignee_id_idx ON tasks (workspace_id, assignee_id, id);
CREATE INDEX tasks_related_id_idx ON tasks (workspace_id, related_id, id);
CREATE INDEX tasks_created_idx ON tasks (workspace_id, created_at, id);
CREATE INDEX tasks_updated_idx ON tasks (workspace_id, updated_at, id);
CREATE INDEX tasks_owner_idx ON tasks (workspace_id, owner_id, created_at, id);
CREATE INDEX tasks_team_idx ON tasks (workspace_id, team_id);
CREATE INDEX tasks_trash_idx ON tasks (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX tasks_tags_idx ON tasks USING gin (tags);
CREATE INDEX tasks_custom_idx ON tasks USING gin (custom jsonb_path_ops);
CREATE INDEX tasks_search_idx ON tasks USING gin (search_vector);
CREATE INDEX tasks_trgm_idx ON tasks USING gin (search_text gin_trgm_ops);
ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON tasks USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW tasks_scoped AS SELECT * FROM tasks WHERE workspace_id = rapport_workspace();
GRANT SELECT ON tasks_scoped TO rapport_app;

-- Meetings: generated from server/modules/meetings/meetings.object.ts by `npm run db:ddl -- meetings`
CREATE TABLE meetings (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  title text NOT NULL,
  start_at timestamptz NOT NULL,
  end_at timestamptz,
  location text,
  attendee_contact_ids uuid[],
  attendee_user_ids jsonb,
  description text,
  related_object text,
  related_id text,
  owner_id uuid,
  team_id uuid,
  tags text[] NOT NULL DEFAULT '{}',
  custom jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  deleted_at timestamptz,
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(title, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(location, ''))), 'C') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(description, ''))), 'D') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(title, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id)
);
CREATE INDEX meetings_start_at_idx ON meetings (workspace_id, start_at, id);
CREATE INDEX meetings_related_id_idx ON meetings (workspace_id, related_id, id);
CREATE INDEX meetings_created_idx ON meetings (workspace_id, created_at, id);
CREATE INDEX meetings_updated_idx ON meetings (workspace_id, updated_at, id);
CREATE INDEX meetings_owner_idx ON meetings (workspace_id, owner_id, created_at, id);
CREATE INDEX meetings_team_idx ON meetings (workspace_id, team_id);
CREATE INDEX meetings_trash_idx ON meetings (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX meetings_tags_idx ON meetings USING gin (tags);
CREATE INDEX meetings_custom_idx ON meetings USING gin (custom jsonb_path_ops);
CREATE INDEX meetings_search_idx ON meetings USING gin (search_vector);
CREATE INDEX meetings_trgm_idx ON meetings USING gin (search_text gin_trgm_ops);
ALTER TABLE meetings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON meetings USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW meetings_scoped AS SELECT * FROM meetings WHERE workspace_id = rapport_workspace();
GRANT SELECT ON meetings_scoped TO rapport_app;

-- Interactions: generated from server/modules/interactions/interactions.object.ts by `npm run db:ddl -- interactions`
CREATE TABLE interactions (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  topic text NOT NULL,
  channel text NOT NULL,
  direction text,
  occurred_at timestamptz,
  duration_minutes bigint,
  contact_id uuid,
  account_id uuid,
  participant_contact_ids uuid[],
  participant_user_ids jsonb,
  body text,
  related_object text,
  related_id text,
  owner_id uuid,
  team_id uuid,
  tags text[] NOT NULL DEFAULT '{}',
  custom jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  deleted_at timestamptz,
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(topic, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(body, ''))), 'C') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(topic, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id),
  FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE SET NULL (contact_id),
  FOREIGN KEY (workspace_id, account_id) REFERENCES accounts (workspace_id, id) ON DELETE SET NULL (account_id)
);
CREATE INDEX interactions_channel_idx ON interactions (workspace_id, channel, id);
CREATE INDEX interactions_occurred_at_idx ON interactions (workspace_id, occurred_at, id);
CREATE INDEX interactions_contact_id_idx ON interactions (workspace_id, contact_id);
CREATE INDEX interactions_account_id_idx ON interactions (workspace_id, account_id);
CREATE INDEX interactions_related_id_idx ON interactions (workspace_id, related_id, id);
CREATE INDEX interactions_created_idx ON interactions (workspace_id, created_at, id);
CREATE INDEX interactions_updated_idx ON interactions (workspace_id, updated_at, id);
CREATE INDEX interactions_owner_idx ON interactions (workspace_id, owner_id, created_at, id);
CREATE INDEX interactions_team_idx ON interactions (workspace_id, team_id);
CREATE INDEX interactions_trash_idx ON interactions (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX interactions_tags_idx ON interactions USING gin (tags);
CREATE INDEX interactions_custom_idx ON interactions USING gin (custom jsonb_path_ops);
CREATE INDEX interactions_search_idx ON interactions USING gin (search_vector);
CREATE INDEX interactions_trgm_idx ON interactions USING gin (search_text gin_trgm_ops);
ALTER TABLE interactions ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON interactions USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW interactions_scoped AS SELECT * FROM interactions WHERE workspace_id = rapport_workspace();
GRANT SELECT ON interactions_scoped TO rapport_app;

-- Notes: generated from server/modules/notes/notes.object.ts by `npm run db:ddl -- notes`
CREATE TABLE notes (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  title text,
  body text NOT NULL,
  related_object text,
  related_id text,
  owner_id uuid,
  team_id uuid,
  tags text[] NOT NULL DEFAULT '{}',
  custom jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  created_by uuid,
  updated_by uuid,
  deleted_at timestamptz,
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(title, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(body, ''))), 'B') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(title, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id)
);
CREATE INDEX notes_related_id_idx ON notes (workspace_id, related_id, id);
CREATE INDEX notes_created_idx ON notes (workspace_id, created_at, id);
CREATE INDEX notes_updated_idx ON notes (workspace_id, updated_at, id);
CREATE INDEX notes_owner_idx ON notes (workspace_id, owner_id, created_at, id);
CREATE INDEX notes_team_idx ON notes (workspace_id, team_id);
CREATE INDEX notes_trash_idx ON notes (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX notes_tags_idx ON notes USING gin (tags);
CREATE INDEX notes_custom_idx ON notes USING gin (custom jsonb_path_ops);
CREATE INDEX notes_search_idx ON notes USING gin (search_vector);
CREATE INDEX notes_trgm_idx ON notes USING gin (search_text gin_trgm_ops);
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON notes USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW notes_scoped AS SELECT * FROM notes WHERE workspace_id = rapport_workspace();
GRANT SELECT ON notes_scoped TO rapport_app;

-- Rules the engine does not declare, kept in the database so every write path
-- (REST, batch, workflows) follows them: tasks start open and of normal priority;
-- completed_at follows the status; moving a reminder re-arms it.
CREATE FUNCTION rapport_tasks_before_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The assignee owns the task, so the record scope "own" shows people the tasks
  -- assigned to them; changing either moves both (clearing the assignee falls back
  -- to the owner).
  IF TG_OP = 'INSERT' THEN
    NEW.assignee_id := coalesce(NEW.assignee_id, NEW.owner_id);
    NEW.owner_id := NEW.assignee_id;
  ELSIF NEW.assignee_id IS DISTINCT FROM OLD.assignee_id THEN
    IF NEW.assignee_id IS NULL THEN NEW.assignee_id := NEW.owner_id; ELSE NEW.owner_id := NEW.assignee_id; END IF;
  ELSIF NEW.owner_id IS DISTINCT FROM OLD.owner_id THEN
    NEW.assignee_id := NEW.owner_id;
  END IF;
  NEW.status := coalesce(NEW.status, 'open');
  NEW.priority := coalesce(NEW.priority, 'normal');
  IF NEW.status IN ('done', 'cancelled') THEN
    IF TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status THEN
      NEW.completed_at := now();
    END IF;
  ELSE
    NEW.completed_at := NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND NEW.remind_at IS DISTINCT FROM OLD.remind_at THEN
    NEW.reminded_at := NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER tasks_before_write BEFORE INSERT OR UPDATE ON tasks
  FOR EACH ROW EXECUTE FUNCTION rapport_tasks_before_write();
-- The reminder sweeper's work list (across workspaces): armed, unsent reminders by time.
CREATE INDEX tasks_reminder_due_idx ON tasks (remind_at) WHERE reminded_at IS NULL AND deleted_at IS NULL;

CREATE FUNCTION rapport_interactions_before_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.direction := coalesce(NEW.direction, 'outbound');
  NEW.occurred_at := coalesce(NEW.occurred_at, now());
  RETURN NEW;
END $$;
CREATE TRIGGER interactions_before_write BEFORE INSERT OR UPDATE ON interactions
  FOR EACH ROW EXECUTE FUNCTION rapport_interactions_before_write();
-- The guard looks up recent interactions of a contact and of an account by time.
CREATE INDEX interactions_contact_recent_idx ON interactions (workspace_id, contact_id, occurred_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX interactions_account_recent_idx ON interactions (workspace_id, account_id, occurred_at DESC) WHERE deleted_at IS NULL;
CREATE INDEX interactions_participants_idx ON interactions USING gin (participant_contact_ids);
CREATE INDEX meetings_attendee_contacts_idx ON meetings USING gin (attendee_contact_ids);
CREATE INDEX meetings_attendee_users_idx ON meetings USING gin (attendee_user_ids jsonb_path_ops);

-- Comments on any record, with the members they @mention (notified once each).
CREATE TABLE comments (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  object text NOT NULL CHECK (object ~ '^[a-z][a-z0-9_]{0,62}$'),
  record_id uuid NOT NULL,
  author_id uuid,
  body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
  mentions uuid[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, author_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (author_id)
);
CREATE INDEX comments_record_idx ON comments (workspace_id, object, record_id, created_at DESC, id DESC);
ALTER TABLE comments ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON comments USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- Cool-down per channel for the "don't contact twice" guard (absent = the default in
-- server/modules/interactions/contact-guard.ts).
CREATE TABLE contact_cooldowns (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('email', 'call', 'meeting', 'direct_mail', 'social', 'chat')),
  hours integer NOT NULL CHECK (hours BETWEEN 0 AND 8760),
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid,
  PRIMARY KEY (workspace_id, channel)
);
ALTER TABLE contact_cooldowns ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON contact_cooldowns USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());

-- The secret of each user's iCalendar feed URL (only its SHA-256 is kept).
CREATE TABLE calendar_feeds (
  workspace_id uuid NOT NULL,
  user_id uuid NOT NULL,
  token_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  PRIMARY KEY (workspace_id, user_id),
  UNIQUE (workspace_id, token_hash),
  FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE CASCADE
);
-- The public feed looks the token up before it knows the workspace.
CREATE INDEX calendar_feeds_token_idx ON calendar_feeds (token_hash);
ALTER TABLE calendar_feeds ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON calendar_feeds USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
