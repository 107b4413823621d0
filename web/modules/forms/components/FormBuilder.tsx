import {
  ActionIcon,
  Alert,
  Button,
  Checkbox,
  Grid,
  Group,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { Icon } from '../../../ui/Icon';
import { consentPurposesQuery } from '../../consents/api/consents.api';
import { useObjects } from '../../objects/hooks/useObjects';
import type { FormInput } from '../api/forms.api';
import { FormPreview } from './FormPreview';

/** Field types a visitor can fill in on a plain HTML form (as the server accepts them). */
const FORM_FIELD_TYPES = new Set([
  'text',
  'longText',
  'email',
  'phone',
  'url',
  'integer',
  'decimal',
  'date',
  'boolean',
  'select',
]);

/** An input name from a field name: firstName → first_name. */
const inputName = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/[^a-z0-9_-]/gi, '');

type Draft = FormInput & { fields: NonNullable<FormInput['fields']>; consents: NonNullable<FormInput['consents']> };

/**
 * The form builder: name and object, fields picked from the object's schema (custom
 * fields included) with required toggles, consent checkboxes with their wording,
 * thank-you message or redirect, double opt-in and allowed origins; a live preview beside it.
 */
export function FormBuilder({
  initial,
  saving,
  error,
  onSave,
  isNew,
}: {
  initial: FormInput;
  saving: boolean;
  error: Error | null;
  onSave: (input: FormInput) => void;
  isNew?: boolean;
}) {
  const [draft, setDraft] = useState<Draft>({ ...initial, consents: initial.consents ?? [] } as Draft);
  const [origins, setOrigins] = useState((initial.allowedOrigins ?? []).join('\n'));
  const [picked, setPicked] = useState<string | null>(null);
  const objects = useObjects();
  const purposes = useQuery(consentPurposesQuery).data ?? [];
  const object = draft.object ?? 'leads';
  const meta = objects.find((o) => o.name === object);
  const fillable = (meta?.fields ?? []).filter((f) => !f.readOnly && FORM_FIELD_TYPES.has(f.type));
  const unused = fillable.filter((f) => !draft.fields.some((d) => d.field === f.name));
  const problems = error instanceof ApiError ? error.errors : [];
  const problem = (path: string) => problems.find((p) => p.path === path)?.message;
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const setField = (i: number, patch: Partial<Draft['fields'][number]>) =>
    set({ fields: draft.fields.map((f, n) => (n === i ? { ...f, ...patch } : f)) });
  const addField = (name: string | null) => {
    if (!name) return;
    set({ fields: [...draft.fields, { name: inputName(name), field: name, required: name === 'email' }] });
    setPicked(null);
  };
  const toggleConsent = (purpose: string, on: boolean) =>
    set({
      consents: on ? [...draft.consents, { purpose, label: '' }] : draft.consents.filter((c) => c.purpose !== purpose),
    });
  const save = () =>
    onSave({
      ...draft,
      thankYouMessage: draft.thankYouMessage || undefined,
      redirectUrl: draft.redirectUrl || undefined,
      allowedOrigins: origins
        .split(/\s+/)
        .map((s) => s.trim())
        .filter(Boolean),
    });

  return (
    <Grid gap="lg">
      <Grid.Col span={{ base: 12, md: 7 }}>
        <Stack gap="md">
          {error && (
            <Alert color="red" role="alert">
              {error.message}
            </Alert>
          )}
          <TextInput
            label="Name"
            required
            value={draft.name}
            error={problem('name')}
            onChange={(e) => set({ name: e.currentTarget.value })}
          />
          {isNew && (
            <Stack gap={4}>
              <Text size="sm" fw={500}>
                New people become
              </Text>
              <SegmentedControl
                value={object}
                onChange={(v) => set({ object: v as Draft['object'], fields: [] })}
                data={[
                  { value: 'leads', label: 'Leads' },
                  { value: 'contacts', label: 'Contacts' },
                ]}
              />
            </Stack>
          )}
          <Paper withBorder p="sm">
            <Stack gap="xs">
              <Title order={2} size="h4">
                Fields
              </Title>
              {draft.fields.length === 0 && <Text c="dimmed">Add the fields visitors fill in.</Text>}
              {draft.fields.map((f, i) => {
                const label = fillable.find((x) => x.name === f.field)?.label ?? f.field;
                return (
                  <Group key={f.field} gap="xs" align="flex-end" wrap="nowrap" data-testid="form-field-row">
                    <Text w={140} size="sm" fw={500}>
                      {label}
                    </Text>
                    <TextInput
                      label="Input name"
                      size="xs"
                      value={f.name}
                      error={problem(`fields.${i}.name`) ?? problem(`fields.${i}.field`)}
                      onChange={(e) => setField(i, { name: e.currentTarget.value })}
                    />
                    <Checkbox
                      label="Required"
                      checked={!!f.required}
                      onChange={(e) => setField(i, { required: e.currentTarget.checked })}
                    />
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Remove ${label}`}
                      onClick={() => set({ fields: draft.fields.filter((_, n) => n !== i) })}
                    >
                      <Icon name="trash" size={16} />
                    </ActionIcon>
                  </Group>
                );
              })}
              <Select
                label="Add a field"
                placeholder="Pick a field"
                searchable
                value={picked}
                data={unused.map((f) => ({ value: f.name, label: f.custom ? `${f.label} (custom)` : f.label }))}
                onChange={addField}
              />
            </Stack>
          </Paper>
          <Paper withBorder p="sm">
            <Stack gap="xs">
              <Title order={2} size="h4">
                Consent checkboxes
              </Title>
              {purposes.map((p) => {
                const i = draft.consents.findIndex((c) => c.purpose === p.key);
                const on = i !== -1;
                return (
                  <Stack key={p.key} gap={4}>
                    <Switch
                      label={p.label}
                      checked={on}
                      onChange={(e) => toggleConsent(p.key, e.currentTarget.checked)}
                    />
                    {on && (
                      <Textarea
                        label={`Wording for ${p.label.toLowerCase()}`}
                        description="Shown next to the checkbox, and kept as proof with each consent"
                        autosize
                        minRows={1}
                        value={draft.consents[i]?.label ?? ''}
                        error={problem(`consents.${i}.label`) ?? problem(`consents.${i}.purpose`)}
                        onChange={(e) => {
                          const label = e.currentTarget.value;
                          set({ consents: draft.consents.map((c, n) => (n === i ? { ...c, label } : c)) });
                        }}
                      />
                    )}
                  </Stack>
                );
              })}
              <Switch
                label="Double opt-in: consents count only after the person confirms by email"
                checked={!!draft.doubleOptIn}
                onChange={(e) => set({ doubleOptIn: e.currentTarget.checked })}
              />
              {problem('doubleOptIn') && (
                <Text c="red" size="sm">
                  {problem('doubleOptIn')}
                </Text>
              )}
            </Stack>
          </Paper>
          <Textarea
            label="Thank-you message"
            autosize
            minRows={2}
            value={draft.thankYouMessage ?? ''}
            error={problem('thankYouMessage')}
            onChange={(e) => set({ thankYouMessage: e.currentTarget.value })}
          />
          <TextInput
            label="Or redirect to"
            placeholder="https://www.example.com/thanks"
            value={draft.redirectUrl ?? ''}
            error={problem('redirectUrl')}
            onChange={(e) => set({ redirectUrl: e.currentTarget.value })}
          />
          <Textarea
            label="Sites that may post from a script (one origin a line)"
            placeholder="https://www.example.com"
            autosize
            minRows={1}
            value={origins}
            error={problems.find((p) => p.path.startsWith('allowedOrigins'))?.message}
            onChange={(e) => setOrigins(e.currentTarget.value)}
          />
          <Group>
            <Button onClick={save} loading={saving}>
              {isNew ? 'Create form' : 'Save as new version'}
            </Button>
          </Group>
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <FormPreview draft={draft} fields={fillable} />
      </Grid.Col>
    </Grid>
  );
}
