import { Alert, Button, Group, Modal, Select, Stack } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../../lib/http';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { editableFields } from '../utils/fields';
import { type Draft, fromDraft, toDraft } from '../utils/form-values';
import { FieldInput } from './FieldInput';

interface Props {
  meta: ObjectMeta;
  /** How many are selected (a number, or "all matching"). */
  count: string;
  onSubmit: (values: Record<string, unknown>) => Promise<unknown>;
  onClose: () => void;
}

/** Sets one field to the same value on every selected record (unique fields and tags excluded). */
export function BulkEditModal({ meta, count, onSubmit, onClose }: Props) {
  const fields = editableFields(meta).filter((f) => !f.unique && f.type !== 'tags');
  const [name, setName] = useState<string | null>(fields[0]?.name ?? null);
  const field = fields.find((f) => f.name === name);
  const [draft, setDraft] = useState<Draft>(field ? toDraft(field, null) : null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!field) return;
    const parsed = fromDraft(field, draft);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit({ [field.name]: parsed.value });
      onClose();
    } catch (err) {
      setError(err instanceof ApiError ? (err.errors[0]?.message ?? err.message) : 'Something went wrong.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      opened
      onClose={onClose}
      closeButtonProps={{ 'aria-label': 'Close' }}
      title={`Edit ${count} ${count === '1' ? meta.singular : meta.labelPlural.toLowerCase()}`}
      centered
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Select
            label="Field"
            data={fields.map((f) => ({ value: f.name, label: f.label }))}
            value={name}
            allowDeselect={false}
            searchable
            onChange={(v) => {
              const f = fields.find((x) => x.name === v);
              setName(v);
              setDraft(f ? toDraft(f, null) : null);
              setError(null);
            }}
            comboboxProps={{ withinPortal: false }}
          />
          {field && (
            <FieldInput
              key={field.name}
              field={{ ...field, label: 'New value', required: false }}
              value={draft}
              onChange={setDraft}
              error={error ?? undefined}
            />
          )}
          {error && field?.type === 'boolean' && <Alert color="red">{error}</Alert>}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" h={40} onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" h={40} loading={busy}>
              Apply to {count}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
