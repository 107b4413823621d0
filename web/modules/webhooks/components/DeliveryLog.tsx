import { Button, Code, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { StatusBadge } from '../../jobs/components/StatusBadge';
import { deliveriesQuery, replayDelivery } from '../api/webhooks.api';

/** The delivery log of one webhook: status, response code, attempts, timing; replay any delivery. */
export function DeliveryLog({ webhookId }: { webhookId: string }) {
  const log = useQuery(deliveriesQuery(webhookId));
  const client = useQueryClient();
  const replay = useMutation({
    mutationFn: (deliveryId: string) => replayDelivery(webhookId, deliveryId),
    onSettled: () => client.invalidateQueries({ queryKey: ['admin', 'webhooks', webhookId, 'deliveries'] }),
  });
  if (!log.data) return <Text c="dimmed">Loading deliveries…</Text>;
  if (log.data.length === 0) return <Text c="dimmed">No deliveries yet. Send a ping to try the receiver.</Text>;
  return (
    <Table.ScrollContainer minWidth={720}>
      <Table striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Event</Table.Th>
            <Table.Th>Status</Table.Th>
            <Table.Th>Response</Table.Th>
            <Table.Th>Attempts</Table.Th>
            <Table.Th>When</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {log.data.map((d) => (
            <Table.Tr key={d.id} data-testid="delivery-row">
              <Table.Td>
                <Code>{d.eventType}</Code>
                <Text size="xs" c="dimmed">
                  {d.eventId}
                </Text>
              </Table.Td>
              <Table.Td>
                <StatusBadge status={d.status} />
              </Table.Td>
              <Table.Td>
                {d.lastStatusCode ?? '—'}
                {d.lastDurationMs !== null && ` · ${d.lastDurationMs} ms`}
                {d.lastError && (
                  <Text size="xs" c="red.9" lineClamp={1}>
                    {d.lastError}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>{d.attempts}</Table.Td>
              <Table.Td>{new Date(d.deliveredAt ?? d.createdAt).toLocaleString()}</Table.Td>
              <Table.Td>
                <Button size="xs" variant="default" onClick={() => replay.mutate(d.id)}>
                  Replay
                </Button>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
