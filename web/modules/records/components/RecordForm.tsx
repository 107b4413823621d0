import { Alert, Button, Fieldset, Group, SimpleGrid, Stack } from '@mantine/core';
import { useBlocker } from '@tanstack/react-router';
import { type FocusEvent, type FormEvent, useMemo, useRef, useState } from 'react';
import { ApiError } from '../../../lib/http';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { useObjects } from '../../objects/hooks/useObjects';
import type { VersionedRecord } from '../api/records.api';
import { editableFields, embedded, groupFields, includeFor, recordTitle } from '../utils/fields';
import { type Draft, fromDraft, sameValue, toDraft } from '../utils/form-values';
import { draftProblem, isBlank } from '../utils/validate-draft';
import { FieldInput } from './FieldInput';

interface Props {
  meta: ObjectMeta;
  /** The record being edited (with its ETag); absent when creating. */
  record?: VersionedRecord;
  /** Values to start a new record with (e.g. the account of a new contact). */
  preset?: Record<string, unknown>;
  /** Sends the values: create, or update with If-Match. */
  save: (values: Record<string, unknown>, etag: string | null) => Promise<VersionedRecord>;
  onSaved: (saved: VersionedRecord) => void;
  onCancel: () => void;
  /** Fetches the latest version after a 412 and re-opens the form on it. */
  onReload?: () => void;
}

const WIDE = new Set(['longText', 'json', 'address']);

/**
 * A create/edit form generated from the object's metadata. Checks each field with the
 * API's own schemas as the user leaves it and again before sending (nothing is sent
 * while a field is wrong), sends only what changed, shows the API's 422 messages for
 * what only the server knows (uniqueness, references), and on 412 (someone saved
 * first) offers to reload the latest version.
 */
export function RecordForm({ meta, record, preset, save, onSaved, onCancel, onReload }: Props) {
  const objects = useObjects();
  const fields = useMemo(() => editableFields(meta), [meta]);
  const groups = useMemo(() => groupFields(fields), [fields]);
  // The version the user started from: background refreshes must not move it, or a save
  // would silently overwrite someone else's change.
  const [base] = useState(() => record);
  const [drafts, setDrafts] = useState<Record<string, Draft>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, toDraft(f, base ? base.data[f.name] : preset?.[f.name])])),
  );
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [conflict, setConflict] = useState(false);
  const errors = useFieldErrors();
  const leaving = useRef(false);

  useBlocker({
    shouldBlockFn: () =>
      dirty && !leaving.current && !window.confirm('Leave without saving? Your changes will be lost.'),
    enableBeforeUnload: () => dirty && !leaving.current,
  });

  // Blur handlers read the drafts through a ref: the change may not have re-rendered yet.
  const latest = useRef(drafts);
  latest.current = drafts;
  const mode = base ? 'update' : 'create';

  const set = (name: string) => (value: Draft) => {
    setDrafts((d) => ({ ...d, [name]: value }));
    setDirty(true);
  };

  /** Checks a field when focus leaves it (and its parts: money, address). */
  const checkOnLeave = (f: (typeof fields)[number]) => (e: FocusEvent<HTMLDivElement>) => {
    const next = e.relatedTarget as HTMLElement | null;
    if (next && e.currentTarget.contains(next)) return;
    // Heading for Save or Cancel: a message appearing now would move the button under the
    // pointer before the click lands; submit checks everything anyway.
    if (next?.closest('[data-form-action]')) return;
    errors.setField(f.name, draftProblem(f, latest.current[f.name] ?? null, mode, base?.data[f.name]));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setConflict(false);
    const body: Record<string, unknown> = {};
    const local: Record<string, string> = {};
    for (const f of fields) {
      const previous = base?.data[f.name];
      const problem = draftProblem(f, drafts[f.name] ?? null, mode, previous);
      if (problem) {
        local[f.name] = problem;
        continue;
      }
      const parsed = fromDraft(f, drafts[f.name] ?? null, previous);
      if (!parsed.ok) continue;
      if (base) {
        if (!sameValue(parsed.value, previous)) body[f.name] = parsed.value;
      } else if (!isBlank(parsed.value)) {
        body[f.name] = parsed.value;
      }
    }
    if (Object.keys(local).length) {
      errors.showLocal('Some fields need attention.', local);
      return;
    }
    if (base && Object.keys(body).length === 0) {
      leaving.current = true;
      onSaved(base);
      return;
    }
    setBusy(true);
    try {
      const saved = await save(body, base?.etag ?? null);
      leaving.current = true;
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setConflict(true);
      else errors.show(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label={base ? `Edit ${meta.singular}` : `New ${meta.singular}`}>
      <Stack gap="md">
        {conflict && (
          <Alert color="orange" title="Someone else changed this record" role="alert" data-testid="conflict">
            It was saved by someone else after you opened it, so your changes were not saved. Reload to see the latest
            version (your edits here will be discarded), then make your change again.
            {onReload && (
              <Group mt="sm">
                <Button
                  color="orange"
                  variant="light"
                  onClick={() => {
                    leaving.current = true;
                    onReload();
                  }}
                >
                  Reload latest version
                </Button>
              </Group>
            )}
          </Alert>
        )}
        {errors.general && (
          <Alert color="red" role="alert" title="Not saved">
            {errors.general}
          </Alert>
        )}
        {groups.map((g) => (
          <Fieldset key={g.label} legend={g.label} radius="md">
            <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md" verticalSpacing="sm">
              {g.fields.map((f) => {
                const related = base ? embedded(base.data, includeFor(f)) : null;
                const target = objects.find((o) => o.name === f.relation?.object);
                return (
                  // biome-ignore lint/a11y/noStaticElementInteractions: listens for focus leaving the field's inputs (to check it), adds no interaction
                  <div
                    key={f.name}
                    style={WIDE.has(f.type) ? { gridColumn: '1 / -1' } : undefined}
                    onBlur={checkOnLeave(f)}
                  >
                    <FieldInput
                      field={f}
                      value={drafts[f.name] ?? null}
                      onChange={set(f.name)}
                      error={errors.fields[f.name]}
                      relatedLabel={related && target ? recordTitle(target, related) : undefined}
                    />
                  </div>
                );
              })}
            </SimpleGrid>
          </Fieldset>
        ))}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel} h={40} data-form-action>
            Cancel
          </Button>
          <Button type="submit" loading={busy} h={40} data-form-action>
            {base ? 'Save' : `Create ${meta.singular}`}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
