import { Alert, Badge, Button, Card, Group, Modal, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { AnchorLink } from '../../../ui/links';
import { chatKeys, getChat } from '../../chat/api/chat.api';
import { OpenChatLink } from '../../chat/components/ChatLink';
import { formatDateTime } from '../../timeline/utils/relative-time';
import { getServiceSummary, type ServiceSummary, serviceDeskKeys } from '../api/service-desk.api';
import { ratingStars, recentChatSummary } from '../utils/recent-chats';

const SLA_BADGE: Record<ServiceSummary['openTickets'][number]['slaState'], { color: string; label: string } | null> = {
  none: null,
  on_track: { color: 'teal', label: 'On track' },
  at_risk: { color: 'orange', label: 'At risk' },
  breached: { color: 'red', label: 'Breached' },
  paused: { color: 'gray', label: 'Paused' },
};

/** A chat's transcript, read in a dialog from the contact's page. */
function ChatTranscript({ id, onClose }: { id: string; onClose: () => void }) {
  const q = useQuery({ queryKey: chatKeys.detail(id), queryFn: ({ signal }) => getChat(id, signal) });
  return (
    <Modal opened onClose={onClose} title="Chat transcript" size="lg" closeButtonProps={{ 'aria-label': 'Close' }}>
      {q.isPending && <Text role="status">Loading the transcript…</Text>}
      {q.isError && <Alert color="red">The transcript could not be loaded.</Alert>}
      {q.data && (
        <Stack gap={6} role="log" aria-label="Transcript">
          {q.data.messages.map((m) => (
            <Text key={m.id} size="sm" c={m.author === 'system' ? 'dimmed' : undefined}>
              <Text span size="xs" c="dimmed">
                {formatDateTime(m.createdAt)}
              </Text>{' '}
              <Text span fw={600} size="sm">
                {m.author === 'agent' ? m.authorName || 'Agent' : m.author === 'visitor' ? 'Visitor' : ''}
              </Text>
              {m.author === 'system' ? '' : ': '}
              {m.body}
              {m.attachments.length > 0 ? ` (${m.attachments.map((a) => a.filename).join(', ')})` : ''}
            </Text>
          ))}
        </Stack>
      )}
    </Modal>
  );
}

/** The service side of a contact or account (single customer view): open tickets with SLA state, recent live chats, CSAT history (ticket surveys and live chats). */
export function ServiceSummaryCard({ object, id }: { object: 'contacts' | 'accounts'; id: string }) {
  const q = useQuery({
    queryKey: serviceDeskKeys.summary(object, id),
    queryFn: ({ signal }) => getServiceSummary(object, id, signal),
  });
  const [transcript, setTranscript] = useState<string | null>(null);
  const s = q.data;
  if (!s || (s.openTickets.length === 0 && s.csat.length === 0 && s.recentChats.length === 0)) return null;
  return (
    <Card withBorder padding="md" component="section" aria-label="Service">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h5">
          Service
        </Title>
        {s.csatAverage !== null && (
          <Badge variant="default" tt="none">
            CSAT {s.csatAverage} / 5
          </Badge>
        )}
      </Group>
      <Stack gap={6}>
        <Text size="sm" fw={600}>
          Open tickets ({s.openTickets.length})
        </Text>
        {s.openTickets.map((t) => {
          const badge = SLA_BADGE[t.slaState];
          return (
            <Group key={t.id} gap="xs" wrap="nowrap" data-testid="service-open-ticket">
              <AnchorLink to="/$object/$id" params={{ object: 'tickets', id: t.id }} size="sm" truncate>
                #{t.number} {t.subject}
              </AnchorLink>
              {badge && (
                <Badge
                  size="xs"
                  variant="default"
                  tt="none"
                  leftSection={<span style={{ color: `var(--mantine-color-${badge.color}-9)` }}>●</span>}
                >
                  {badge.label}
                </Badge>
              )}
            </Group>
          );
        })}
        {s.recentChats.length > 0 && (
          <>
            <Text size="sm" fw={600} mt="xs">
              Recent chats
            </Text>
            {s.recentChats.map((c) => {
              const rated = ratingStars(c.rating);
              return (
                <Group key={c.id} gap="xs" wrap="wrap" data-testid="service-recent-chat">
                  <Text size="sm">
                    {formatDateTime(c.startedAt)} · {recentChatSummary(c)}
                    {rated && (
                      <>
                        {' · '}
                        <span role="img" aria-label={rated.label}>
                          {rated.stars}
                        </span>
                      </>
                    )}
                  </Text>
                  {c.ticketId && (
                    <AnchorLink to="/$object/$id" params={{ object: 'tickets', id: c.ticketId }} size="sm">
                      Ticket
                    </AnchorLink>
                  )}
                  <OpenChatLink id={c.id} label={`Open the chat of ${formatDateTime(c.startedAt)} in the console`} />
                  <Button
                    variant="subtle"
                    size="compact-sm"
                    onClick={() => setTranscript(c.id)}
                    aria-label={`Transcript of the chat of ${formatDateTime(c.startedAt)}`}
                  >
                    Transcript
                  </Button>
                </Group>
              );
            })}
          </>
        )}
        {s.csat.length > 0 && (
          <>
            <Text size="sm" fw={600} mt="xs">
              Satisfaction history
            </Text>
            {s.csat.map((c) => (
              <Text key={c.ticketId ?? c.conversationId} size="sm" data-testid="service-csat">
                <span role="img" aria-label={`${c.rating} of 5`}>
                  {'★'.repeat(c.rating)}
                  {'☆'.repeat(5 - c.rating)}
                </span>{' '}
                {c.channel === 'ticket' ? `#${c.number} ` : ''}
                {c.subject}
                {c.comment ? ` — “${c.comment}”` : ''}
              </Text>
            ))}
          </>
        )}
      </Stack>
      {transcript && <ChatTranscript id={transcript} onClose={() => setTranscript(null)} />}
    </Card>
  );
}
