import { Anchor, Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { can, type ObjectMeta } from '../../objects/api/objects.api';
import { getTicketMessages, type TicketMessage, ticketKeys } from '../api/tickets.api';
import { TicketAssign } from './TicketAssign';
import { TicketComposer } from './TicketComposer';
import { TicketLinks } from './TicketLinks';
import { TicketSla } from './TicketSla';

const formatSize = (n: number) =>
  n >= 1_048_576 ? `${(n / 1_048_576).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} B`;

const KIND_LABEL: Record<TicketMessage['kind'], string> = { reply: 'Reply', note: 'Internal note', inbound: 'Email' };
const KIND_COLOR: Record<TicketMessage['kind'], string> = { reply: 'blue', note: 'dark', inbound: 'gray' };

/** A ticket's SLA state, assignment, related and merged tickets, and conversation (replies, notes, inbound mail) with the composer. */
export function TicketConversation({
  meta,
  record,
}: {
  meta: ObjectMeta;
  record: Record<string, unknown> & { id: string };
}) {
  const q = useQuery({
    queryKey: ticketKeys.messages(record.id),
    queryFn: ({ signal }) => getTicketMessages(record.id, signal),
  });
  const messages = q.data?.data ?? [];
  return (
    <Stack gap="md" mb="md">
      <TicketSla record={record} />
      {can(meta, 'update') && <TicketAssign record={record} />}
      <TicketLinks meta={meta} record={record} />
      <Card withBorder padding="md">
        <Title order={3} size="h4" mb="sm">
          Conversation
        </Title>
        <Stack gap="sm" aria-label="Conversation">
          {messages.length === 0 && !q.isLoading && (
            <Text c="dimmed" size="sm">
              No messages yet.
            </Text>
          )}
          {messages.map((m) => (
            <Card key={m.id} withBorder padding="sm" bg={m.kind === 'note' ? 'yellow.0' : undefined}>
              <Group gap="xs" mb={4}>
                <Badge color={KIND_COLOR[m.kind]} variant="light">
                  {KIND_LABEL[m.kind]}
                </Badge>
                <Text size="sm" fw={600}>
                  {m.author?.name ?? m.from?.name ?? m.from?.address ?? 'System'}
                </Text>
                <Text size="xs" c="dimmed">
                  {new Date(m.createdAt).toLocaleString()}
                </Text>
              </Group>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {m.body}
              </Text>
              {m.attachments.length > 0 && (
                <Group gap="xs" mt={4} aria-label="Attachments">
                  {m.attachments.map((a) =>
                    a.url ? (
                      <Anchor key={a.id ?? a.filename} href={a.url} size="xs" download={a.filename}>
                        📎 {a.filename} ({formatSize(a.size)})
                      </Anchor>
                    ) : (
                      <Text key={`${a.filename}:${a.size}`} size="xs" c="dimmed">
                        {a.filename} ({formatSize(a.size)}, too large to keep)
                      </Text>
                    ),
                  )}
                </Group>
              )}
            </Card>
          ))}
        </Stack>
        {can(meta, 'update') && <TicketComposer record={record} latestMessageId={messages.at(-1)?.id ?? null} />}
      </Card>
    </Stack>
  );
}
