import { Badge, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { AnchorLink } from '../../../ui/links';
import { getServiceSummary, type ServiceSummary, serviceDeskKeys } from '../api/service-desk.api';

const SLA_BADGE: Record<ServiceSummary['openTickets'][number]['slaState'], { color: string; label: string } | null> = {
  none: null,
  on_track: { color: 'teal', label: 'On track' },
  at_risk: { color: 'orange', label: 'At risk' },
  breached: { color: 'red', label: 'Breached' },
  paused: { color: 'gray', label: 'Paused' },
};

/** The service side of a contact or account (single customer view): open tickets with SLA state, CSAT history (ticket surveys and live chats). */
export function ServiceSummaryCard({ object, id }: { object: 'contacts' | 'accounts'; id: string }) {
  const q = useQuery({
    queryKey: serviceDeskKeys.summary(object, id),
    queryFn: ({ signal }) => getServiceSummary(object, id, signal),
  });
  const s = q.data;
  if (!s || (s.openTickets.length === 0 && s.csat.length === 0)) return null;
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
    </Card>
  );
}
