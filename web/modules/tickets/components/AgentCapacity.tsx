import { NumberInput, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { listAgents, serviceDeskKeys, setAgentCapacity } from '../api/service-desk.api';

/** Administrators: how many open tickets each agent may hold before round robin passes them by. */
export function AgentCapacity() {
  const queryClient = useQueryClient();
  const agents = useQuery({ queryKey: serviceDeskKeys.agents, queryFn: ({ signal }) => listAgents(signal) });
  if (!agents.data?.length) return null;
  return (
    <Stack gap="xs" component="section" aria-label="Agent capacity">
      <Title order={2} size="h4">
        Agent capacity
      </Title>
      <Text size="sm" c="dimmed">
        Round robin passes by an agent whose open tickets reach their capacity. Empty: no limit.
      </Text>
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Agent</Table.Th>
            <Table.Th>Open tickets</Table.Th>
            <Table.Th>Capacity</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {agents.data.map((a) => (
            <Table.Tr key={a.userId}>
              <Table.Td>{a.name}</Table.Td>
              <Table.Td>{a.openTickets}</Table.Td>
              <Table.Td>
                <NumberInput
                  aria-label={`Capacity of ${a.name}`}
                  defaultValue={a.capacity ?? ''}
                  min={0}
                  max={10_000}
                  w={110}
                  onBlur={async (e) => {
                    const raw = e.currentTarget.value.trim();
                    const capacity = raw === '' ? null : Number(raw);
                    if (capacity === a.capacity || (capacity !== null && !Number.isInteger(capacity))) return;
                    queryClient.setQueryData(serviceDeskKeys.agents, await setAgentCapacity(a.userId, capacity));
                  }}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
