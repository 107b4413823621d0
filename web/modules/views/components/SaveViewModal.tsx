import { Alert, Button, Checkbox, Group, Modal, Stack, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useFieldErrors } from '../../../lib/useFieldErrors';

interface Props {
  title: string;
  submitLabel: string;
  initialName?: string;
  initialShared?: boolean;
  /** Only the owner may share a private view. */
  canShare?: boolean;
  onSubmit: (values: { name: string; shared: boolean }) => Promise<unknown>;
  onClose: () => void;
}

/** Names a view and says who sees it; the API's messages (a name already used…) show beside the fields. */
export function SaveViewModal({
  title,
  submitLabel,
  initialName = '',
  initialShared = false,
  canShare = true,
  onSubmit,
  onClose,
}: Props) {
  const [name, setName] = useState(initialName);
  const [shared, setShared] = useState(initialShared);
  const [busy, setBusy] = useState(false);
  const errors = useFieldErrors();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    errors.clear();
    if (!name.trim()) {
      errors.showLocal('Give the view a name.', { name: 'is required' });
      return;
    }
    setBusy(true);
    try {
      await onSubmit({ name: name.trim(), shared });
      onClose();
    } catch (err) {
      errors.show(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} closeButtonProps={{ 'aria-label': 'Close' }} title={title} centered>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          {errors.general && !errors.fields.name && (
            <Alert color="red" role="alert">
              {errors.general}
            </Alert>
          )}
          <TextInput
            label="View name"
            required
            data-autofocus
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.fields.name}
          />
          <Checkbox
            label="Share with everyone in the workspace"
            description="Others can use a shared view; only you and administrators can change it."
            checked={shared}
            disabled={!canShare && !initialShared}
            onChange={(e) => setShared(e.currentTarget.checked)}
          />
          <Group justify="flex-end" gap="sm" mt="xs">
            <Button variant="default" h={40} onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" h={40} loading={busy}>
              {submitLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
