-- Every key of a tenant table includes workspace_id (docs/ARCHITECTURE.md, "Running on
-- Citus"): a table with a workspace_id column is distributed by it, and Citus enforces a
-- primary key, a unique constraint or a foreign key between distributed tables only when it
-- includes the distribution column. test/schema-keys.test.ts walks the catalogue on both
-- engines so a new table that breaks the rule fails the suite.

-- jobs: a platform job (housekeeping, cron ticks) belongs to no workspace. It was NULL; it is
-- now the nil UUID, so the key can be (workspace_id, id) and the column can be a distribution
-- column (Citus refuses NULL there). The nil UUID is no workspace, so the foreign key to
-- workspaces goes; deleting a workspace still deletes its jobs (trigger below). job-queue.ts
-- maps the nil UUID back to "no workspace" (Job.workspaceId null) at its edges.
ALTER TABLE jobs DROP CONSTRAINT jobs_workspace_id_fkey;
UPDATE jobs SET workspace_id = '00000000-0000-0000-0000-000000000000' WHERE workspace_id IS NULL;
ALTER TABLE jobs ALTER COLUMN workspace_id SET DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE jobs ALTER COLUMN workspace_id SET NOT NULL;
ALTER TABLE jobs DROP CONSTRAINT jobs_pkey;
ALTER TABLE jobs ADD PRIMARY KEY (workspace_id, id);
-- Workers complete and fail jobs by id (fenced by attempt): a plain index keeps that one lookup.
CREATE INDEX jobs_id_idx ON jobs (id);

CREATE FUNCTION rapport_delete_workspace_jobs() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  DELETE FROM jobs WHERE workspace_id = OLD.id;
  RETURN OLD;
END $$;
CREATE TRIGGER workspaces_delete_jobs AFTER DELETE ON workspaces
  FOR EACH ROW EXECUTE FUNCTION rapport_delete_workspace_jobs();

-- job_schedules: every schedule is the platform's (cron ticks whose jobs carry any workspace
-- in their payload); the column was never set. Without it the table is a platform table
-- (on Citus: a reference table, see the list in test/schema-keys.test.ts).
ALTER TABLE job_schedules DROP COLUMN workspace_id;

-- Public keys that find a workspace before it is known (tracking site key, chat widget key,
-- a chat visitor's token hash, the VERP token of an outgoing mail, a form's id and a
-- submission's id) are random (at least 122 bits): unique per workspace by constraint,
-- and across workspaces by their randomness. The lookup by key alone keeps a plain index.
ALTER TABLE tracking_settings DROP CONSTRAINT tracking_settings_site_key_key;
ALTER TABLE tracking_settings ADD CONSTRAINT tracking_settings_site_key_key UNIQUE (workspace_id, site_key);
CREATE INDEX tracking_settings_site_key_idx ON tracking_settings (site_key);

ALTER TABLE chat_settings DROP CONSTRAINT chat_settings_widget_key_key;
ALTER TABLE chat_settings ADD CONSTRAINT chat_settings_widget_key_key UNIQUE (workspace_id, widget_key);
CREATE INDEX chat_settings_widget_key_idx ON chat_settings (widget_key);

ALTER TABLE chat_conversations DROP CONSTRAINT chat_conversations_visitor_token_hash_key;
ALTER TABLE chat_conversations
  ADD CONSTRAINT chat_conversations_visitor_token_hash_key UNIQUE (workspace_id, visitor_token_hash);
CREATE INDEX chat_conversations_visitor_token_hash_idx ON chat_conversations (visitor_token_hash);

DROP INDEX mail_outbox_verp_key;
CREATE UNIQUE INDEX mail_outbox_verp_key ON mail_outbox (workspace_id, verp_token);
CREATE INDEX mail_outbox_verp_idx ON mail_outbox (verp_token);

DROP INDEX forms_id_idx;
CREATE INDEX forms_id_idx ON forms (id);
DROP INDEX form_submissions_id_idx;
CREATE INDEX form_submissions_id_idx ON form_submissions (id);

-- Names people choose that must be unique across the installation (a help centre's address,
-- a mailbox's address): unique per workspace by constraint, and across workspaces by a
-- trigger that serialises writers of the same name (advisory lock) and refuses a name
-- another workspace holds with unique_violation, as the constraint did (within a workspace the
-- unique constraint decides, so ON CONFLICT keeps working). SECURITY DEFINER:
-- the check sees every workspace's rows, which the writer's role (under RLS) cannot.
ALTER TABLE service_settings DROP CONSTRAINT service_settings_help_centre_slug_key;
ALTER TABLE service_settings
  ADD CONSTRAINT service_settings_help_centre_slug_key UNIQUE (workspace_id, help_centre_slug);
CREATE INDEX service_settings_help_centre_slug_idx ON service_settings (help_centre_slug);

CREATE FUNCTION rapport_help_centre_slug_unique() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('service_settings.help_centre_slug'), hashtext(NEW.help_centre_slug));
  IF EXISTS (SELECT 1 FROM service_settings
             WHERE help_centre_slug = NEW.help_centre_slug AND workspace_id <> NEW.workspace_id) THEN
    RAISE EXCEPTION 'another help centre has the address %', NEW.help_centre_slug
      USING ERRCODE = 'unique_violation', CONSTRAINT = 'service_settings_help_centre_slug_key';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER service_settings_slug_unique BEFORE INSERT OR UPDATE OF help_centre_slug ON service_settings
  FOR EACH ROW EXECUTE FUNCTION rapport_help_centre_slug_unique();

DROP INDEX mailboxes_address_key;
CREATE UNIQUE INDEX mailboxes_address_key ON mailboxes (workspace_id, address);
CREATE INDEX mailboxes_address_idx ON mailboxes (address);

CREATE FUNCTION rapport_mailbox_address_unique() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('mailboxes.address'), hashtext(NEW.address));
  IF EXISTS (SELECT 1 FROM mailboxes
             WHERE address = NEW.address AND workspace_id <> NEW.workspace_id) THEN
    RAISE EXCEPTION 'the address % is already a mailbox', NEW.address
      USING ERRCODE = 'unique_violation', CONSTRAINT = 'mailboxes_address_key';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER mailboxes_address_unique BEFORE INSERT OR UPDATE OF address ON mailboxes
  FOR EACH ROW EXECUTE FUNCTION rapport_mailbox_address_unique();
