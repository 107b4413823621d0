import { Badge, Card, Group, Stack, Text, UnstyledButton } from '@mantine/core';
import type { SocialMessage } from '../api/social.api';
import { AssignMenu, useAssignment } from './AssignMenu';

export const NETWORK_LABEL: Record<string, string> = {
  facebook: 'Facebook',
  instagram: 'Instagram',
  x: 'X',
  generic: 'Other',
};

/** A sentiment score as people read it. */
export function sentimentBadge(score: unknown) {
  const n = typeof score === 'number' ? score : 0;
  if (n < 0)
    return (
      <Badge color="red" variant="light">
        Negative ({n})
      </Badge>
    );
  if (n > 0)
    return (
      <Badge color="green" variant="light">
        Positive (+{n})
      </Badge>
    );
  return <Badge variant="light">Neutral</Badge>;
}

/** The inbox list: one row per message, newest first. */
export function SocialList({
  messages,
  selected,
  onSelect,
  loading,
  canWork,
}: {
  messages: SocialMessage[];
  selected: string | null;
  onSelect: (id: string) => void;
  loading: boolean;
  /** Shows the assign menu on each row (people who may update social messages). */
  canWork: boolean;
}) {
  return (
    <Card withBorder padding="sm">
      <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Social messages">
        {loading && (
          <Text size="sm" role="status" component="li">
            Loading…
          </Text>
        )}
        {!loading && messages.length === 0 && (
          <Text size="sm" c="dimmed" component="li">
            Nothing here.
          </Text>
        )}
        {messages.map((m) => (
          <li key={m.id}>
            <UnstyledButton
              onClick={() => onSelect(m.id)}
              aria-current={selected === m.id ? 'true' : undefined}
              p={8}
              mih={44}
              w="100%"
              style={{ borderRadius: 6, background: selected === m.id ? 'var(--mantine-color-blue-0)' : undefined }}
            >
              <Group gap={6} wrap="nowrap" justify="space-between">
                <Text size="sm" fw={m.status === 'new' ? 700 : 500} truncate>
                  {String(m.authorHandle ?? 'Someone')}
                </Text>
                {sentimentBadge(m.sentiment)}
              </Group>
              <Text size="xs" c="dimmed">
                {NETWORK_LABEL[String(m.network)] ?? String(m.network)} · {String(m.kind)}
                {m.sentAt ? ` · ${new Date(String(m.sentAt)).toLocaleString()}` : ''}
              </Text>
              <Text size="sm" lineClamp={2}>
                {String(m.text ?? '')}
              </Text>
            </UnstyledButton>
            <RowAssignment message={m} canWork={canWork} />
          </li>
        ))}
      </Stack>
    </Card>
  );
}

/** Under a row: who has the conversation, and the assign menu. */
function RowAssignment({ message, canWork }: { message: SocialMessage; canWork: boolean }) {
  const { label } = useAssignment(message);
  if (canWork)
    return (
      <Group gap={6} px={8} pb={6} justify="flex-end">
        <AssignMenu message={message} who={String(message.authorHandle ?? 'someone')} />
      </Group>
    );
  return (
    <Text size="xs" c="dimmed" px={8} pb={6}>
      Assigned to {label}
    </Text>
  );
}
