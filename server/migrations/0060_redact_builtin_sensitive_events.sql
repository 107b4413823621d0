-- The built-in sensitive fields that are not encrypted at rest (a contact's birthday and social
-- profiles, a staff member's home address) out of the event log and what was copied from it, as
-- 0054 did for the encrypted ones (issue 23; docs/ARCHITECTURE.md, "Sensitive fields"). Since this
-- release redactEventData withholds every sensitive field's value ("[encrypted]", null stays
-- null); rows written before it get the same here: events, webhook delivery bodies, workflow
-- runs' trigger data.

-- `data` with field `name` redacted in its `record` and `changes` (what redactEventData does).
CREATE FUNCTION rapport_redact_0060(data jsonb, name text) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
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
  -- Built-in fields declared sensitive without encryption (contacts.object.ts, staff.object.ts).
  FOR f IN
    SELECT * FROM (VALUES ('contacts', 'birthday'), ('contacts', 'socialProfiles'), ('staff', 'homeAddress'))
      AS n(object, name)
  LOOP
    UPDATE events e SET data = rapport_redact_0060(e.data, f.name)
    WHERE e.object = f.object
      AND (e.data -> 'record' ? f.name OR e.data -> 'changes' ? f.name);

    UPDATE webhook_deliveries d
    SET body = jsonb_set(d.body::jsonb, '{data}', rapport_redact_0060(d.body::jsonb -> 'data', f.name))::text
    FROM events e
    WHERE e.workspace_id = d.workspace_id AND e.object = f.object
      AND d.event_id = 'evt_' || e.id::text
      AND jsonb_typeof(d.body::jsonb -> 'data') = 'object'
      AND (d.body::jsonb -> 'data' -> 'record' ? f.name OR d.body::jsonb -> 'data' -> 'changes' ? f.name);

    UPDATE workflow_runs r SET trigger_data = CASE
        WHEN jsonb_typeof(r.trigger_data -> 'data') = 'object'
          THEN jsonb_set(r.trigger_data, '{data}', rapport_redact_0060(r.trigger_data -> 'data', f.name))
        ELSE rapport_redact_0060(r.trigger_data, f.name) END
    WHERE r.object = f.object
      AND (r.trigger_data -> 'changes' ? f.name OR r.trigger_data -> 'data' -> 'record' ? f.name
        OR r.trigger_data -> 'data' -> 'changes' ? f.name);
  END LOOP;
END
$$;

DROP FUNCTION rapport_redact_0060(jsonb, text);
