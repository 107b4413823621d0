import { Alert, Badge, Button, Code, Group, SegmentedControl, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { cancelJob, JOB_STATES, type JobItem, type JobState, jobsQuery, retryJob } from '../api/jobs.api';

const STATE_COLOR: Record<JobState, string> = {
  queued: 'blue',
  running: 'yellow',
  failed: 'red',
  completed: 'green',
  cancelled: 'gray',
};

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

/** /admin/jobs: the workspace's background jobs by state, with retry for failed ones. */
export function JobsPage() {
  const [state, setState] = useState<JobState | 'all'>('failed');
  const query = useQuery(jobsQuery(state === 'all' ? undefined : state));
  const client = useQueryClient();
  const act = useMutation({
    mutationFn: ({ job, action }: { job: JobItem; action: 'retry' | 'cancel' }) =>
      action === 'retry' ? retryJob(job.id) : cancelJob(job.id),
    onSettled: () => client.invalidateQueries({ queryKey: ['admin', 'jobs'] }),
  });
  const counts = query.data?.counts;
  return (
    <Stack p="md" gap="md">
      <Title order={1} size="h2">
        Background jobs
      </Title>
      <SegmentedControl
        aria-label="Job state"
        value={state}
        onChange={(v) => setState(v as JobState | 'all')}
        data={[
          { value: 'all', label: 'All' },
          ...JOB_STATES.map((s) => ({ value: s, label: `${s[0]?.toUpperCase()}${s.slice(1)} (${counts?.[s] ?? 0})` })),
        ]}
      />
      {query.error && <Alert color="red">{query.error.message}</Alert>}
      {act.error && <Alert color="red">{act.error.message}</Alert>}
      {query.data && query.data.data.length === 0 && <Text c="dimmed">No jobs in this state.</Text>}
      {query.data && query.data.data.length > 0 && (
        <Table.ScrollContainer minWidth={720}>
          <Table striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Queue</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Attempts</Table.Th>
                <Table.Th>Due / finished</Table.Th>
                <Table.Th>Last error</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.data.map((job) => (
                <Table.Tr key={job.id} data-testid="job-row">
                  <Table.Td>
                    <Code>{job.queue}</Code>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={STATE_COLOR[job.state]} variant="light">
                      {job.state}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {job.attempts} / {job.maxAttempts}
                  </Table.Td>
                  <Table.Td>{when(job.finishedAt ?? job.runAt)}</Table.Td>
                  <Table.Td maw={320}>
                    <Text size="sm" lineClamp={2}>
                      {job.lastError ?? ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" wrap="nowrap">
                      {(job.state === 'failed' || job.state === 'cancelled') && (
                        <Button size="xs" onClick={() => act.mutate({ job, action: 'retry' })}>
                          Retry
                        </Button>
                      )}
                      {job.state === 'queued' && (
                        <Button size="xs" variant="default" onClick={() => act.mutate({ job, action: 'cancel' })}>
                          Cancel
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}
