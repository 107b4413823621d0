import { Alert, Badge, Button, Code, Drawer, Group, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AnchorLink } from '../../../ui/links';
import { type RunStatus, type RunStep, retryStep, runQuery, runsQuery } from '../api/workflows.api';

export const STATUS_COLOR: Record<RunStatus | RunStep['status'], string> = {
  pending: 'gray',
  running: 'blue',
  waiting: 'yellow',
  completed: 'green',
  failed: 'red',
  skipped: 'gray',
  cancelled: 'gray',
};

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');
const took = (ms: number | null) => (ms === null ? '—' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

function RunSteps({ workflowId, runId }: { workflowId: string; runId: string }) {
  const client = useQueryClient();
  const run = useQuery(runQuery(workflowId, runId)).data;
  const retry = useMutation({
    mutationFn: (stepId: string) => retryStep(workflowId, runId, stepId),
    onSuccess: () => client.invalidateQueries({ queryKey: ['workflows', workflowId, 'runs'] }),
  });
  if (!run) return null;
  return (
    <Stack gap="sm">
      <Group>
        <Badge color={STATUS_COLOR[run.status]}>{run.status}</Badge>
        <Text size="sm">version {run.version}</Text>
        {run.object && run.recordId && (
          <AnchorLink to="/$object/$id" params={{ object: run.object, id: run.recordId }} size="sm">
            Open the record
          </AnchorLink>
        )}
      </Group>
      {run.error && <Alert color="red">{run.error}</Alert>}
      {retry.error && <Alert color="red">{retry.error.message}</Alert>}
      {run.steps.map((s) => (
        <Stack
          key={s.id}
          gap={4}
          data-testid="run-step"
          p="xs"
          style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 4 }}
        >
          <Group justify="space-between">
            <Text size="sm" fw={600}>
              {s.stepId === '_conditions' ? 'Conditions' : `${s.stepId} · ${s.type}`}
            </Text>
            <Badge color={STATUS_COLOR[s.status]}>{s.status}</Badge>
          </Group>
          <Text size="xs" c="dimmed">
            started {when(s.startedAt)} · took {took(s.durationMs)} · attempts {s.attempts}
            {s.wakeAt ? ` · next ${when(s.wakeAt)}` : ''}
          </Text>
          {s.error && (
            <Text size="sm" c="red">
              {s.error}
            </Text>
          )}
          {s.output && Object.keys(s.output).length > 0 && <Code block>{JSON.stringify(s.output, null, 2)}</Code>}
          {s.status === 'failed' && (
            <Button size="compact-sm" w="fit-content" onClick={() => retry.mutate(s.id)} loading={retry.isPending}>
              Retry this step
            </Button>
          )}
        </Stack>
      ))}
    </Stack>
  );
}

/** Runs of a workflow, newest first; a run opens its step log (status, timing, output, error, retry). */
export function RunsPanel({ workflowId }: { workflowId: string }) {
  const runs = useQuery(runsQuery(workflowId));
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Stack gap="sm">
      {runs.error && <Alert color="red">{runs.error.message}</Alert>}
      {runs.data?.length === 0 && <Text c="dimmed">No runs yet.</Text>}
      {runs.data && runs.data.length > 0 && (
        <Table.ScrollContainer minWidth={600}>
          <Table highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Started</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Trigger</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {runs.data.map((r) => (
                <Table.Tr key={r.id} data-testid="run-row">
                  <Table.Td>{when(r.createdAt)}</Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOR[r.status]}>{r.status}</Badge>
                  </Table.Td>
                  <Table.Td>{r.triggerType}</Table.Td>
                  <Table.Td>{r.version}</Table.Td>
                  <Table.Td>
                    <Button size="compact-sm" variant="subtle" onClick={() => setOpen(r.id)}>
                      Steps
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Drawer opened={open !== null} onClose={() => setOpen(null)} position="right" size="lg" title="Run log">
        {open && <RunSteps workflowId={workflowId} runId={open} />}
      </Drawer>
    </Stack>
  );
}
