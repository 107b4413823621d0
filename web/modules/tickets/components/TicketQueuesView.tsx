import { Badge, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { slaState } from '../../../../common/sla-state';
import { AnchorLink } from '../../../ui/links';
import { meQuery } from '../../auth/api/auth.api';
import { getQueue, getQueueCounts, type QueueName, serviceDeskKeys } from '../api/service-desk.api';
import { AgentCapacity } from './AgentCapacity';

const QUEUES: { value: QueueName; label: string }[] = [
  { value: 'mine', label: 'My tickets' },
  { value: 'unassigned', label: 'Unassigned' },
  { value: 'breaching_soon', label: 'Breaching soon' },
];

const SLA_COLOR = { breached: 'red', at_risk: 'orange', on_track: 'teal', paused: 'gray', none: 'gray' } as const;

/** The agents' working lists: my open tickets, the ones nobody holds, and those whose SLA is about to break. */
export function TicketQueuesView() {
  const [queue, setQueue] = useState<QueueName>('mine');
  const counts = useQuery({ queryKey: serviceDeskKeys.queueCounts, queryFn: ({ signal }) => getQueueCounts(signal) });
  const list = useQuery({ queryKey: serviceDeskKeys.queue(queue), queryFn: ({ signal }) => getQueue(queue, signal) });
  const me = useQuery(meQuery);
  const now = new Date();
  const rows = list.data?.data ?? [];
  return (
    <Stack gap="md">
      <Title order={1}>Ticket queues</Title>
      <SegmentedControl
        value={queue}
        onChange={(v) => setQueue(v as QueueName)}
        data={QUEUES.map((q) => ({
          value: q.value,
          label: counts.data ? `${q.label} (${counts.data[q.value]})` : q.label,
        }))}
        w="fit-content"
        aria-label="Queue"
      />
      {list.isSuccess && rows.length === 0 && <Text c="dimmed">Nothing here.</Text>}
      {rows.length > 0 && (
        <Table striped highlightOnHover aria-label="Tickets in the queue">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Ticket</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Priority</Table.Th>
              <Table.Th>SLA</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((t) => {
              const sla = slaState(t, now);
              return (
                <Table.Tr key={String(t.id)}>
                  <Table.Td>
                    <AnchorLink to="/$object/$id" params={{ object: 'tickets', id: String(t.id) }}>
                      #{String(t.number)} {String(t.subject)}
                    </AnchorLink>
                  </Table.Td>
                  <Table.Td>{String(t.status ?? '')}</Table.Td>
                  <Table.Td>{String(t.priority ?? '')}</Table.Td>
                  <Table.Td>
                    {sla.state !== 'none' && (
                      <Badge
                        tt="none"
                        variant="default"
                        leftSection={<span style={{ color: `var(--mantine-color-${SLA_COLOR[sla.state]}-9)` }}>●</span>}
                      >
                        {sla.state.replace('_', ' ')}
                        {sla.nextDueAt ? ` · due ${new Date(sla.nextDueAt).toLocaleString()}` : ''}
                      </Badge>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      {me.data?.role === 'administrator' && <AgentCapacity />}
    </Stack>
  );
}
