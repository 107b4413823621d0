import { Button, Group, Modal, Select, Stack, Text, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../../lib/http';
import type { ObjectMeta } from '../../objects/api/objects.api';
import { createRecord } from '../../records/api/records.api';
import { staticSegments } from '../api/segments.api';

const NEW = '__new__';

interface Props {
  meta: ObjectMeta;
  /** "3" or "all matching", for the title. */
  count: string;
  /** Adds the selection to the segment; resolves to what to say in the bulk bar. */
  onSubmit: (segment: { id: string; name: string }) => Promise<unknown>;
  onClose: () => void;
}

/** "Add to segment" of a list view's selection: a static segment of the object, or a new one. */
export function AddToSegmentModal({ meta, count, onSubmit, onClose }: Props) {
  const segments = useQuery({
    queryKey: ['segments', 'static', meta.name],
    queryFn: ({ signal }) => staticSegments(meta.name, signal),
  });
  const [choice, setChoice] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const options = [
    ...(segments.data ?? []).map((s) => ({ value: s.id, label: s.name })),
    { value: NEW, label: 'New static segment…' },
  ];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!choice) return setError('Choose a segment');
    if (choice === NEW && !name.trim()) return setError('Name the new segment');
    setBusy(true);
    setError(null);
    try {
      const segment =
        choice === NEW
          ? {
              id: String(
                (await createRecord('segments', { name: name.trim(), object: meta.name, type: 'static' })).data.id,
              ),
              name: name.trim(),
            }
          : { id: choice, name: options.find((o) => o.value === choice)?.label ?? '' };
      await onSubmit(segment);
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
      title={`Add ${count === 'all matching' ? `all matching ${meta.labelPlural.toLowerCase()}` : `${count} selected`} to a segment`}
      centered
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Select
            label="Segment"
            description={`Static segments of ${meta.labelPlural.toLowerCase()}; dynamic ones follow their filter.`}
            placeholder={segments.isPending ? 'Loading…' : 'Choose a segment'}
            data={options}
            value={choice}
            onChange={setChoice}
            searchable
            data-autofocus
            error={choice !== NEW ? (error ?? undefined) : undefined}
          />
          {choice === NEW && (
            <TextInput
              label="New segment name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={error ?? undefined}
              maxLength={200}
            />
          )}
          {segments.isError && (
            <Text size="sm" c="red">
              {segments.error.message}
            </Text>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" h={40} onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" h={40} loading={busy}>
              Add to segment
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
