import { Button, Group, Modal, Stack, TagsInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../../lib/http';

interface Props {
  mode: 'addTags' | 'removeTags';
  count: string;
  onSubmit: (tags: string[]) => Promise<unknown>;
  onClose: () => void;
}

/** Adds tags to (or removes them from) every selected record; other tags stay. */
export function BulkTagModal({ mode, count, onSubmit, onClose }: Props) {
  const [tags, setTags] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (tags.length === 0) {
      setError('Type at least one tag and press Enter');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(tags);
      onClose();
    } catch (err) {
      setError(err instanceof ApiError ? (err.errors[0]?.message ?? err.message) : 'Something went wrong.');
    } finally {
      setBusy(false);
    }
  };
  const adding = mode === 'addTags';
  return (
    <Modal
      opened
      onClose={onClose}
      closeButtonProps={{ 'aria-label': 'Close' }}
      title={`${adding ? 'Add tags to' : 'Remove tags from'} ${count === 'all matching' ? 'all matching records' : `${count} selected`}`}
      centered
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <TagsInput
            label={adding ? 'Tags to add' : 'Tags to remove'}
            description="Type a tag and press Enter; the records keep their other tags."
            value={tags}
            onChange={setTags}
            error={error ?? undefined}
            data-autofocus
            acceptValueOnBlur
          />
          <Group justify="flex-end" gap="sm">
            <Button variant="default" h={40} onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" h={40} loading={busy}>
              {adding ? 'Add tags' : 'Remove tags'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
