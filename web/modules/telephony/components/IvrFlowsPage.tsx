import { Alert, Badge, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { AnchorLink } from '../../../ui/links';
import type { AdminPageProps } from '../../admin/admin-pages';
import { AdminLoadError, AdminLoading } from '../../admin/components/AdminState';
import { createFlow, flowsQuery, type IvrFlowInput, saveFlow, telephonyKeys } from '../api/telephony.api';
import { IvrFlowEditor } from './IvrFlowEditor';

/** A new flow to start from: a greeting and a hang-up. */
const BLANK: IvrFlowInput = {
  name: 'New flow',
  definition: {
    start: 'greeting',
    nodes: [
      {
        id: 'greeting',
        kind: 'greeting',
        prompt: { say: 'Thank you for calling.', language: 'en-US' },
        next: 'hangup',
      },
      { id: 'hangup', kind: 'hangup' },
    ],
  },
};

/** /admin/ivr-flows and /admin/ivr-flows/<id>: the workspace's IVR flows, and the editor of one. */
export function IvrFlowsPage({ rest }: AdminPageProps) {
  const flows = useQuery(flowsQuery);
  const client = useQueryClient();
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: () => createFlow(BLANK),
    onSuccess: (f) => {
      void client.invalidateQueries({ queryKey: telephonyKeys.flows });
      void navigate({ to: '/admin/$', params: { _splat: `ivr-flows/${f.id}` } });
    },
  });
  const id = rest[0];
  const save = useMutation({
    mutationFn: (input: IvrFlowInput) => saveFlow(id as string, input),
    onSuccess: () => client.invalidateQueries({ queryKey: telephonyKeys.flows }),
  });
  if (flows.isPending) return <AdminLoading label="Loading IVR flows" />;
  if (flows.error) return <AdminLoadError error={flows.error} onRetry={() => flows.refetch()} what="IVR flows" />;
  if (id) {
    const flow = flows.data.find((f) => f.id === id);
    if (!flow) return <Alert color="red">No such IVR flow.</Alert>;
    return (
      <Stack gap="md">
        <AnchorLink to="/admin/$" params={{ _splat: 'ivr-flows' }} size="sm">
          ← IVR flows
        </AnchorLink>
        <Group gap="sm">
          <Title order={2}>{flow.name}</Title>
          <Badge variant="light">version {flow.version}</Badge>
          {flow.isDefault && <Badge color="green">default</Badge>}
        </Group>
        <Text size="sm" c="dimmed">
          Each save is a new version: calls under way keep the version they started with.
        </Text>
        {save.isSuccess && !save.isPending && (
          <Text size="sm" c="green" role="status">
            Saved as version {save.data.version}.
          </Text>
        )}
        <IvrFlowEditor
          key={flow.id}
          initial={{ name: flow.name, definition: flow.definition }}
          saving={save.isPending}
          error={save.error}
          onSave={(input) => save.mutate(input)}
        />
      </Stack>
    );
  }
  return (
    <Stack gap="md">
      <Group justify="space-between">
        <Title order={2}>IVR flows</Title>
        <Button onClick={() => create.mutate()} loading={create.isPending}>
          New flow
        </Button>
      </Group>
      <Text size="sm" c="dimmed">
        What callers hear and the keys they press. A phone number answers with its flow; new numbers with the default.
      </Text>
      {create.error && <Alert color="red">{create.error.message}</Alert>}
      <Table>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Flow</Table.Th>
            <Table.Th>Version</Table.Th>
            <Table.Th>Nodes</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {flows.data.map((f) => (
            <Table.Tr key={f.id}>
              <Table.Td>
                <AnchorLink to="/admin/$" params={{ _splat: `ivr-flows/${f.id}` }}>
                  {f.name}
                </AnchorLink>{' '}
                {f.isDefault && <Badge color="green">default</Badge>}
              </Table.Td>
              <Table.Td>{f.version}</Table.Td>
              <Table.Td>{f.definition.nodes.length}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
