import { Button, Group, Modal, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useObjectMeta } from '../../objects/hooks/useObjectMeta';

interface Props {
  opened: boolean;
  name: string;
  onCancel: () => void;
  onConfirm: (reason: string) => void;
}

/** Asks why an opportunity was lost (the API requires a reason for the lost stage). */
export function LostReasonModal({ opened, name, onCancel, onConfirm }: Props) {
  const meta = useObjectMeta('opportunities');
  const options = meta?.fields.find((f) => f.name === 'lostReason')?.options ?? [];
  const [reason, setReason] = useState<string | null>(null);
  return (
    <Modal
      closeButtonProps={{ 'aria-label': 'Close' }}
      opened={opened}
      onClose={onCancel}
      title="Why was it lost?"
      centered
    >
      <Stack gap="md">
        <Text size="sm">“{name}” moves to a lost stage. The reason feeds the win/loss reports.</Text>
        <Select
          label="Lost reason"
          required
          data={options}
          value={reason}
          onChange={setReason}
          comboboxProps={{ withinPortal: true }}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel} h={40}>
            Cancel
          </Button>
          <Button disabled={!reason} onClick={() => reason && onConfirm(reason)} h={40}>
            Mark as lost
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
