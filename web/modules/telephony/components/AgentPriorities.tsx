import { Alert, Select, Table, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type Agent, setAgentPriority, telephonyKeys } from '../api/telephony.api';

const PRIORITIES = Array.from({ length: 9 }, (_, i) => ({
  value: String(i + 1),
  label: i === 0 ? '1 (first)' : i === 8 ? '9 (last)' : String(i + 1),
}));

/**
 * The agents and their routing priority, for administrators: a call goes to the available agent
 * with the queue's skill of the best priority (1 first), then to the one idle longest, so backup
 * agents (a higher number) only take calls when the primary ones are busy.
 */
export function AgentPriorities({ agents }: { agents: Agent[] }) {
  const client = useQueryClient();
  const change = useMutation({
    mutationFn: ({ userId, priority }: { userId: string; priority: number }) => setAgentPriority(userId, priority),
    onSuccess: () => void client.invalidateQueries({ queryKey: telephonyKeys.agents }),
  });
  return (
    <section aria-label="Agents">
      <Title order={3}>Agents</Title>
      <Text size="sm" c="dimmed">
        Calls go to the available agent with the queue of the best priority, then to the one idle longest.
      </Text>
      {change.error && (
        <Alert color="red" role="alert">
          {change.error.message}
        </Alert>
      )}
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Agent</Table.Th>
            <Table.Th>Presence</Table.Th>
            <Table.Th>Queues</Table.Th>
            <Table.Th>Priority</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {agents.map((a) => (
            <Table.Tr key={a.userId}>
              <Table.Td>{a.name ?? 'A former member'}</Table.Td>
              <Table.Td>{a.status.replace('_', ' ')}</Table.Td>
              <Table.Td>{a.skills.length ? a.skills.join(', ') : 'every queue'}</Table.Td>
              <Table.Td>
                <Select
                  aria-label={`Priority of ${a.name ?? 'the agent'}`}
                  data={PRIORITIES}
                  value={String(a.priority)}
                  allowDeselect={false}
                  onChange={(v) => v && change.mutate({ userId: a.userId, priority: Number(v) })}
                  w={120}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </section>
  );
}
