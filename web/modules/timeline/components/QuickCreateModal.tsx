import { Button, Group, Modal, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { membersQuery } from '../../people/api/people.api';
import { createRecord } from '../../records/api/records.api';
import { fromLocalInput } from '../utils/relative-time';

export interface QuickField {
  name: string;
  label: string;
  kind: 'text' | 'textarea' | 'datetime' | 'select' | 'person' | 'people';
  required?: boolean;
  options?: { value: string; label: string }[];
  initial?: () => string;
}

interface Props {
  title: string;
  object: string;
  fields: QuickField[];
  /** Added to every record created (the link to the record the timeline belongs to). */
  extra: Record<string, unknown>;
  opened: boolean;
  onClose: () => void;
  onSaved: () => void;
}

/** A small form that creates one activity record (note, task, meeting) through the record API. */
export function QuickCreateModal({ title, object, fields, extra, opened, onClose, onSaved }: Props) {
  const members = useQuery(membersQuery).data ?? [];
  const people = members.map((m) => ({ value: m.id, label: m.name || m.email }));
  const initial = () => Object.fromEntries(fields.map((f) => [f.name, f.initial?.() ?? '']));
  const [values, setValues] = useState<Record<string, string>>(initial);
  const [multi, setMulti] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = (name: string, v: string) => setValues((x) => ({ ...x, [name]: v }));

  const save = async () => {
    setBusy(true);
    setErrors({});
    const body: Record<string, unknown> = { ...extra };
    for (const f of fields) {
      const v = values[f.name] ?? '';
      if (f.kind === 'people') body[f.name] = multi.length ? multi : undefined;
      else if (f.kind === 'datetime') body[f.name] = fromLocalInput(v);
      else if (v) body[f.name] = v;
    }
    try {
      await createRecord(object, body);
      setValues(initial());
      setMulti([]);
      onSaved();
      onClose();
    } catch (err) {
      if (err instanceof ApiError && err.errors.length) {
        setErrors(Object.fromEntries(err.errors.map((e) => [e.path, e.message])));
      } else setErrors({ form: err instanceof Error ? err.message : 'Could not save.' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened={opened} onClose={onClose} title={title} size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack gap="sm">
        {fields.map((f) => {
          const common = { label: f.label, required: f.required, error: errors[f.name] };
          const value = values[f.name] ?? '';
          switch (f.kind) {
            case 'textarea':
              return (
                <Textarea
                  key={f.name}
                  {...common}
                  autosize
                  minRows={3}
                  value={value}
                  onChange={(e) => set(f.name, e.currentTarget.value)}
                />
              );
            case 'datetime':
              return (
                <TextInput
                  key={f.name}
                  {...common}
                  type="datetime-local"
                  value={value}
                  onChange={(e) => set(f.name, e.currentTarget.value)}
                />
              );
            case 'select':
            case 'person':
              return (
                <Select
                  key={f.name}
                  {...common}
                  data={f.kind === 'person' ? people : (f.options ?? [])}
                  value={value || null}
                  onChange={(v) => set(f.name, v ?? '')}
                  searchable={f.kind === 'person'}
                  clearable={!f.required}
                />
              );
            case 'people':
              return (
                <Select
                  key={f.name}
                  {...common}
                  data={people.filter((p) => !multi.includes(p.value))}
                  value={null}
                  onChange={(v) => v && setMulti((m) => [...m, v])}
                  searchable
                  placeholder="Add a colleague…"
                  description={
                    multi.length
                      ? `Invited: ${multi.map((id) => people.find((p) => p.value === id)?.label ?? id).join(', ')}`
                      : undefined
                  }
                />
              );
            default:
              return (
                <TextInput
                  key={f.name}
                  {...common}
                  value={value}
                  onChange={(e) => set(f.name, e.currentTarget.value)}
                />
              );
          }
        })}
        {errors.form && (
          <Text c="red.8" size="sm" role="alert">
            {errors.form}
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} h={40}>
            Cancel
          </Button>
          <Button onClick={save} loading={busy} h={40}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
