-- Staff: generated from server/modules/staff/staff.object.ts by `npm run db:ddl -- staff`
CREATE TABLE staff (
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  user_id uuid,
  display_name text NOT NULL,
  work_email text,
  title text,
  department text,
  work_phone text,
  mobile_phone text,
  location text,
  manager_id uuid,
  start_date date,
  personal_email text,
  personal_phone text,
  home_address_street text,
  home_address_city text,
  home_address_region text,
  home_address_postal_code text,
  home_address_country text,
  home_address_latitude double precision,
  home_address_longitude double precision,
  date_of_birth date,
  emergency_contact text,
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
  search_vector tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple', rapport_unaccent(coalesce(display_name, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(translate(coalesce(work_email, ''), '@.', '  ') || ' ' || coalesce(work_email, ''))), 'A') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(title, ''))), 'B') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(department, ''))), 'C') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(work_phone, ''))), 'C') || setweight(to_tsvector('simple', rapport_unaccent(coalesce(location, ''))), 'D') || setweight(to_tsvector('simple', rapport_unaccent(rapport_json_strings(custom))), 'D')) STORED,
  search_text text GENERATED ALWAYS AS (lower(rapport_unaccent(coalesce(display_name, '') || ' ' || coalesce(work_email, '')))) STORED,
  PRIMARY KEY (workspace_id, id),
  FOREIGN KEY (workspace_id, owner_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (owner_id),
  FOREIGN KEY (workspace_id, team_id) REFERENCES teams (workspace_id, id) ON DELETE SET NULL (team_id),
  FOREIGN KEY (workspace_id, user_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (user_id),
  FOREIGN KEY (workspace_id, manager_id) REFERENCES workspace_members (workspace_id, user_id) ON DELETE SET NULL (manager_id)
);
CREATE UNIQUE INDEX staff_user_id_key ON staff (workspace_id, user_id) WHERE deleted_at IS NULL;
CREATE INDEX staff_display_name_idx ON staff (workspace_id, display_name, id);
CREATE INDEX staff_department_idx ON staff (workspace_id, department, id);
CREATE INDEX staff_created_idx ON staff (workspace_id, created_at, id);
CREATE INDEX staff_updated_idx ON staff (workspace_id, updated_at, id);
CREATE INDEX staff_owner_idx ON staff (workspace_id, owner_id, created_at, id);
CREATE INDEX staff_team_idx ON staff (workspace_id, team_id);
CREATE INDEX staff_trash_idx ON staff (workspace_id, deleted_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX staff_tags_idx ON staff USING gin (tags);
CREATE INDEX staff_custom_idx ON staff USING gin (custom jsonb_path_ops);
CREATE INDEX staff_search_idx ON staff USING gin (search_vector);
CREATE INDEX staff_trgm_idx ON staff USING gin (search_text gin_trgm_ops);
ALTER TABLE staff ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON staff USING (workspace_id = rapport_workspace()) WITH CHECK (workspace_id = rapport_workspace());
-- Reads go through this view: scoped to the transaction's workspace like the policy, but
-- (unlike RLS) letting the planner use the trigram and full-text indexes. See docs/ARCHITECTURE.md.
CREATE VIEW staff_scoped AS SELECT * FROM staff WHERE workspace_id = rapport_workspace();
GRANT SELECT ON staff_scoped TO rapport_app;


-- One directory entry per member, whichever way they joined (sign-up, invitation, CLI):
-- created when the membership is, back from the trash when a former member rejoins,
-- and moved to the trash (unlinked by the foreign key) when they leave.
CREATE FUNCTION rapport_staff_member_joined() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE staff SET deleted_at = NULL, version = version + 1, updated_at = now()
  WHERE workspace_id = NEW.workspace_id AND user_id = NEW.user_id AND deleted_at IS NOT NULL;
  IF NOT FOUND THEN
    INSERT INTO staff (workspace_id, id, user_id, display_name, work_email, owner_id, created_by, updated_by)
    SELECT NEW.workspace_id, gen_random_uuid(), u.id, coalesce(nullif(u.name, ''), u.email), u.email, u.id, u.id, u.id
    FROM users u WHERE u.id = NEW.user_id
      AND NOT EXISTS (SELECT 1 FROM staff s WHERE s.workspace_id = NEW.workspace_id AND s.user_id = NEW.user_id);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER staff_member_joined AFTER INSERT ON workspace_members
  FOR EACH ROW EXECUTE FUNCTION rapport_staff_member_joined();

CREATE FUNCTION rapport_staff_member_left() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE staff SET deleted_at = now(), version = version + 1, updated_at = now()
  WHERE workspace_id = OLD.workspace_id AND user_id = OLD.user_id AND deleted_at IS NULL;
  RETURN OLD;
END $$;
CREATE TRIGGER staff_member_left BEFORE DELETE ON workspace_members
  FOR EACH ROW EXECUTE FUNCTION rapport_staff_member_left();

-- Members who joined before the directory existed.
INSERT INTO staff (workspace_id, id, user_id, display_name, work_email, owner_id, created_by, updated_by)
SELECT m.workspace_id, gen_random_uuid(), u.id, coalesce(nullif(u.name, ''), u.email), u.email, u.id, u.id, u.id
FROM workspace_members m JOIN users u ON u.id = m.user_id;
