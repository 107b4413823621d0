import { Group, NumberInput, SegmentedControl, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { chatKeys, getPresence, type Presence, setPresence } from '../api/chat.api';

/** The agent's presence (online, away, offline) and how many chats they take at once. */
export function PresenceBar() {
  const client = useQueryClient();
  const presence = useQuery({ queryKey: chatKeys.presence, queryFn: ({ signal }) => getPresence(signal) });
  const save = useMutation({
    mutationFn: setPresence,
    onSuccess: (data) => {
      client.setQueryData(chatKeys.presence, data);
      void client.invalidateQueries({ queryKey: ['chat', 'list'] });
    },
  });
  const p = presence.data;
  return (
    <Group gap="md" wrap="wrap">
      <SegmentedControl
        aria-label="My chat presence"
        value={p?.status ?? 'offline'}
        onChange={(v) => save.mutate({ status: v as Presence['status'] })}
        data={[
          { value: 'online', label: 'Online' },
          { value: 'away', label: 'Away' },
          { value: 'offline', label: 'Offline' },
        ]}
      />
      <NumberInput
        label="Chats at once"
        min={1}
        max={20}
        w={130}
        value={p?.capacity ?? 3}
        onChange={(v) => typeof v === 'number' && v >= 1 && v <= 20 && save.mutate({ capacity: v })}
      />
      <Text size="sm" c="dimmed" role="status">
        {p ? `${p.activeChats} active chat${p.activeChats === 1 ? '' : 's'}` : ''}
      </Text>
    </Group>
  );
}
