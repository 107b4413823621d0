import { Alert, Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Icon } from '../../../ui/Icon';
import { AnchorLink, ButtonLink } from '../../../ui/links';
import { workflowsQuery } from '../api/workflows.api';
import { describeTrigger } from '../utils/definition';

/** /workflows: every workflow with its trigger, state and last run. */
export function WorkflowsPage() {
  const query = useQuery(workflowsQuery);
  return (
    <Stack p="md" gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          Workflows
        </Title>
        <ButtonLink to="/workflows/new" leftSection={<Icon name="plus" size={16} />}>
          New workflow
        </ButtonLink>
      </Group>
      {query.error && <Alert color="red">{query.error.message}</Alert>}
      {query.data?.length === 0 && <Text c="dimmed">No workflows yet. Automate a routine: create one.</Text>}
      {query.data && query.data.length > 0 && (
        <Table.ScrollContainer minWidth={600}>
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Last run</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.map((w) => (
                <Table.Tr key={w.id} data-testid="workflow-row">
                  <Table.Td>
                    <AnchorLink to="/workflows/$id" params={{ id: w.id }}>
                      {w.name}
                    </AnchorLink>
                  </Table.Td>
                  <Table.Td>{describeTrigger(w.definition.trigger)}</Table.Td>
                  <Table.Td>
                    <Badge color={w.active ? 'green' : 'gray'}>
                      {w.active ? `active · v${w.activeVersion}` : 'inactive'}
                    </Badge>
                  </Table.Td>
                  <Table.Td>{w.lastRunAt ? new Date(w.lastRunAt).toLocaleString() : '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
