import { Alert, Badge, Button, Card, Group, SegmentedControl, Stack, Text, Textarea, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { can, type ObjectMeta } from '../../objects/api/objects.api';
import { recordKeys } from '../../records/api/record-keys';
import { getTicketMessages, postTicketMessage, type TicketMessage, ticketKeys } from '../api/tickets.api';
import { TicketSla } from './TicketSla';

const KIND_LABEL: Record<TicketMessage['kind'], string> = { reply: 'Reply', note: 'Internal note', inbound: 'Email' };
const KIND_COLOR: Record<TicketMessage['kind'], string> = { reply: 'blue', note: 'dark', inbound: 'gray' };

/** A ticket's SLA state and conversation (replies, notes, inbound mail) with the reply / note composer. */
export function TicketConversation({
  meta,
  record,
}: {
  meta: ObjectMeta;
  record: Record<string, unknown> & { id: string };
}) {
  const queryClient = useQueryClient();
  const q = useQuery({
    queryKey: ticketKeys.messages(record.id),
    queryFn: ({ signal }) => getTicketMessages(record.id, signal),
  });
  const [kind, setKind] = useState<'reply' | 'note'>('reply');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const send = async () => {
    setBusy(true);
    setError(null);
    try {
      await postTicketMessage(record.id, { kind, body });
      setBody('');
      void queryClient.invalidateQueries({ queryKey: ticketKeys.messages(record.id) });
      void queryClient.invalidateQueries({ queryKey: recordKeys.all('tickets') });
    } catch (err) {
      setError(err instanceof ApiError ? (err.errors[0]?.message ?? err.message) : 'Could not send.');
    } finally {
      setBusy(false);
    }
  };
  const messages = q.data?.data ?? [];
  return (
    <Stack gap="md" mb="md">
      <TicketSla record={record} />
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
                <Text size="xs" c="dimmed">
                  Attachments: {m.attachments.map((a) => a.filename).join(', ')}
                </Text>
              )}
            </Card>
          ))}
        </Stack>
        {can(meta, 'update') && (
          <Stack gap="xs" mt="md">
            <SegmentedControl
              value={kind}
              onChange={(v) => setKind(v as 'reply' | 'note')}
              data={[
                { value: 'reply', label: 'Reply to customer' },
                { value: 'note', label: 'Internal note' },
              ]}
              w="fit-content"
            />
            <Textarea
              label={kind === 'reply' ? 'Reply (emailed to the contact)' : 'Note (never sent)'}
              value={body}
              onChange={(e) => setBody(e.currentTarget.value)}
              autosize
              minRows={3}
              maxLength={50_000}
            />
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <Group>
              <Button onClick={send} loading={busy} disabled={!body.trim()}>
                {kind === 'reply' ? 'Send reply' : 'Add internal note'}
              </Button>
            </Group>
          </Stack>
        )}
      </Card>
    </Stack>
  );
}
