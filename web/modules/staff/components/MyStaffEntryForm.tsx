import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../../lib/http';
import { useFieldErrors } from '../../../lib/useFieldErrors';
import { FieldInput } from '../../records/components/FieldInput';
import { type Draft, fromDraft, sameValue, toDraft } from '../../records/utils/form-values';
import { myStaffEntryQuery, SELF_EDITABLE, type StaffEntry, updateMyStaffEntry } from '../api/staff.api';

const FIELDS = SELF_EDITABLE.flatMap((s) => s.fields);

/** Your phones, location and private details; sends only what changed, with the version read. */
export function MyStaffEntryForm(props: { entry: StaffEntry; etag?: string }) {
  const queryClient = useQueryClient();
  // The version this form edits: the one read when it opened, then each saved one.
  const [{ entry, etag }, setBase] = useState(props);
  const draftOf = (e: StaffEntry) => Object.fromEntries(FIELDS.map((f) => [f.name, toDraft(f, e[f.name])]));
  const [draft, setDraft] = useState<Record<string, Draft>>(() => draftOf(props.entry));
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [stale, setStale] = useState(false);
  const errors = useFieldErrors();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    setSaved(false);
    const changes: Record<string, unknown> = {};
    const local: Record<string, string> = {};
    for (const f of FIELDS) {
      const parsed = fromDraft(f, draft[f.name] ?? null, entry[f.name]);
      if (!parsed.ok) local[f.name] = parsed.error;
      else if (!sameValue(parsed.value, entry[f.name])) changes[f.name] = parsed.value;
    }
    if (Object.keys(local).length) return errors.showLocal('Check the highlighted fields', local);
    if (Object.keys(changes).length === 0) return setSaved(true);
    setBusy(true);
    try {
      const next = await updateMyStaffEntry(changes, etag);
      setBase(next);
      queryClient.setQueryData(['staff', 'me'], next);
      await queryClient.invalidateQueries({ queryKey: ['records', 'staff'] });
      setSaved(true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setStale(true);
      errors.show(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Your directory entry">
      <Stack gap="lg" maw={560}>
        {SELF_EDITABLE.map((section) => (
          <Stack key={section.heading} gap="sm">
            <Title order={2} fz="h4">
              {section.heading}
            </Title>
            {section.fields.map((f) => (
              <FieldInput
                key={f.name}
                field={f}
                value={draft[f.name] ?? null}
                onChange={(v) => setDraft((d) => ({ ...d, [f.name]: v }))}
                error={errors.fields[f.name]}
              />
            ))}
          </Stack>
        ))}
        {errors.general && (
          <Alert color="red" role="alert">
            {errors.general}
            {stale && (
              <Text size="sm" mt={4}>
                <Button
                  variant="light"
                  color="red"
                  h={40}
                  onClick={async () => {
                    const latest = await queryClient.fetchQuery({ ...myStaffEntryQuery, staleTime: 0 });
                    setBase(latest);
                    setDraft(draftOf(latest.entry));
                    setStale(false);
                    errors.clear();
                  }}
                >
                  Load the latest version
                </Button>
              </Text>
            )}
          </Alert>
        )}
        {saved && (
          <Alert color="green" role="status">
            Saved.
          </Alert>
        )}
        <Group>
          <Button type="submit" h={42} loading={busy}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
