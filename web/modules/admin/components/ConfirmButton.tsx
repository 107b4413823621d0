import { Button, type ButtonProps, Group, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { type ReactNode, useState } from 'react';
import { MutationError } from './AdminState';

/** A button that asks before doing something that cannot be undone, and shows the server's refusal. */
export function ConfirmButton({
  label,
  title,
  message,
  confirmLabel,
  onConfirm,
  ...button
}: {
  label: ReactNode;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
} & ButtonProps & { 'aria-label'?: string }) {
  const [opened, modal] = useDisclosure(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      modal.close();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button color="red" variant="subtle" h={40} {...button} onClick={modal.open}>
        {label}
      </Button>
      <Modal opened={opened} onClose={modal.close} title={title} centered closeButtonProps={{ 'aria-label': 'Close' }}>
        <Stack>
          <Text size="sm">{message}</Text>
          <MutationError error={error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={modal.close} h={40}>
              Cancel
            </Button>
            <Button color="red" onClick={confirm} loading={busy} h={40}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
