-- Sensitive (encrypted) fields' values out of the event log and what was copied from it (issue 23;
-- docs/ARCHITECTURE.md, "Sensitive fields"). Since this release a record event keeps "[encrypted]"
-- (null stays null) for such a value in `record` and `changes` (redactEventData); rows written
-- before it get the same here: events, webhook delivery bodies, workflow runs' trigger data.

-- `data` with field `name` redacted in its `record` and `changes` (what redactEventData does).
CREATE FUNCTION rapport_redact_0054(data jsonb, name text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT data
    || CASE WHEN jsonb_typeof(data -> 'record') = 'object' AND jsonb_typeof(data -> 'record' -> name) NOT IN ('null')
         THEN jsonb_build_object('record', (data -> 'record') || jsonb_build_object(name, '[encrypted]'))
         ELSE '{}'::jsonb END
    || CASE WHEN jsonb_typeof(data -> 'changes') = 'object' AND jsonb_typeof(data -> 'changes' -> name) = 'array'
         THEN jsonb_build_object('changes', (data -> 'changes') || jsonb_build_object(name, jsonb_build_array(
           CASE WHEN jsonb_typeof(data -> 'changes' -> name -> 0) IN ('null') OR data -> 'changes' -> name -> 0 IS NULL
             THEN NULL ELSE '[encrypted]' END,
           CASE WHEN jsonb_typeof(data -> 'changes' -> name -> 1) IN ('null') OR data -> 'changes' -> name -> 1 IS NULL
             THEN NULL ELSE '[encrypted]' END)))
         ELSE '{}'::jsonb END
$$;

DO $$
DECLARE
  f record;
BEGIN
  -- Custom fields marked sensitive (per workspace), and the staff directory's encrypted fields.
  FOR f IN
    SELECT workspace_id, object, name FROM custom_fields WHERE sensitive
    UNION ALL
    SELECT w.id, 'staff', n.name FROM workspaces w
    CROSS JOIN (VALUES ('personalEmail'), ('personalPhone'), ('dateOfBirth'), ('emergencyContact')) AS n(name)
  LOOP
    UPDATE events e SET data = rapport_redact_0054(e.data, f.name)
    WHERE e.workspace_id = f.workspace_id AND e.object = f.object
      AND (e.data -> 'record' ? f.name OR e.data -> 'changes' ? f.name);

    UPDATE webhook_deliveries d
    SET body = jsonb_set(d.body::jsonb, '{data}', rapport_redact_0054(d.body::jsonb -> 'data', f.name))::text
    FROM events e
    WHERE d.workspace_id = f.workspace_id AND e.workspace_id = f.workspace_id AND e.object = f.object
      AND d.event_id = 'evt_' || e.id::text
      AND jsonb_typeof(d.body::jsonb -> 'data') = 'object'
      AND (d.body::jsonb -> 'data' -> 'record' ? f.name OR d.body::jsonb -> 'data' -> 'changes' ? f.name);

    UPDATE workflow_runs r SET trigger_data = CASE
        WHEN jsonb_typeof(r.trigger_data -> 'data') = 'object'
          THEN jsonb_set(r.trigger_data, '{data}', rapport_redact_0054(r.trigger_data -> 'data', f.name))
        ELSE rapport_redact_0054(r.trigger_data, f.name) END
    WHERE r.workspace_id = f.workspace_id AND r.object = f.object
      AND (r.trigger_data -> 'changes' ? f.name OR r.trigger_data -> 'data' -> 'record' ? f.name
        OR r.trigger_data -> 'data' -> 'changes' ? f.name);
  END LOOP;
END
$$;

DROP FUNCTION rapport_redact_0054(jsonb, text);
