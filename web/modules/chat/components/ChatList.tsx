import { Badge, Button, Card, Group, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import type { ChatConversation } from '../api/chat.api';

const who = (c: ChatConversation) => c.visitor.name || c.visitor.email || 'Visitor';

/** One list of the console (queue, mine, others): pick a chat; the queue's chats can be accepted. */
export function ChatList({
  title,
  chats,
  selected,
  onSelect,
  onAccept,
  empty,
}: {
  title: string;
  chats: ChatConversation[];
  selected: string | null;
  onSelect: (id: string) => void;
  onAccept?: (id: string) => void;
  empty: string;
}) {
  return (
    <Card withBorder padding="sm">
      <Title order={3} size="h5" mb="xs">
        {title} ({chats.length})
      </Title>
      <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label={title}>
        {chats.length === 0 && (
          <Text size="sm" c="dimmed" component="li">
            {empty}
          </Text>
        )}
        {chats.map((c) => (
          <Group key={c.id} component="li" gap="xs" wrap="nowrap" justify="space-between">
            <UnstyledButton
              onClick={() => onSelect(c.id)}
              aria-current={selected === c.id ? 'true' : undefined}
              p={6}
              style={{
                flex: 1,
                borderRadius: 6,
                background: selected === c.id ? 'var(--mantine-color-blue-0)' : undefined,
              }}
            >
              <Text size="sm" fw={600}>
                {who(c)}
              </Text>
              <Text size="xs" c="dimmed">
                {c.agent ? `with ${c.agent.name}` : new Date(c.createdAt).toLocaleTimeString()}
                {c.visitor.verified ? ' · verified' : ''}
              </Text>
            </UnstyledButton>
            {c.csatRating !== null && <Badge variant="light">{c.csatRating}/5</Badge>}
            {onAccept && (
              <Button size="xs" h={32} onClick={() => onAccept(c.id)} aria-label={`Accept chat with ${who(c)}`}>
                Accept
              </Button>
            )}
          </Group>
        ))}
      </Stack>
    </Card>
  );
}
