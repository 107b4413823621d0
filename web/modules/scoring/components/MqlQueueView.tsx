import { Alert, Badge, Button, Group, Modal, Stack, Table, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { AnchorLink } from '../../../ui/links';
import { acceptMql, getMqlQueue, type QueueLead, rejectMql, scoringKeys } from '../api/scoring.api';

const name = (l: QueueLead) => [l.firstName, l.lastName].filter(Boolean).join(' ') || String(l.company ?? 'Lead');

/** The MQL queue: marketing-qualified leads, newest first, for sales to accept (SQL) or reject with a reason. */
export function MqlQueueView() {
  const queryClient = useQueryClient();
  const { data, isLoading } = useQuery({ queryKey: scoringKeys.queue, queryFn: ({ signal }) => getMqlQueue(signal) });
  const [rejecting, setRejecting] = useState<QueueLead | null>(null);
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const done = () => queryClient.invalidateQueries({ queryKey: scoringKeys.queue });
  const accept = useMutation({
    mutationFn: (id: string) => acceptMql(id),
    onSuccess: done,
    onError: (e) => setProblem(e.message),
  });
  const reject = useMutation({
    mutationFn: ({ id, why }: { id: string; why: string }) => rejectMql(id, why),
    onSuccess: () => {
      setRejecting(null);
      setReason('');
      void done();
    },
    onError: (e) =>
      setProblem(e instanceof ApiError && e.errors[0] ? `${e.errors[0].path}: ${e.errors[0].message}` : e.message),
  });
  const leads = data?.data ?? [];
  return (
    <Stack gap="md">
      <Title order={1}>MQL queue</Title>
      <Text c="dimmed">
        Leads marketing qualified by their score, newest first. Accept them as sales-qualified or send them back to
        nurturing.
      </Text>
      {problem && (
        <Alert color="red" role="alert" withCloseButton onClose={() => setProblem(null)}>
          {problem}
        </Alert>
      )}
      {!isLoading && leads.length === 0 && <Text>No MQL is waiting.</Text>}
      {leads.length > 0 && (
        <Table data-testid="mql-queue">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Lead</Table.Th>
              <Table.Th>Company</Table.Th>
              <Table.Th>Score</Table.Th>
              <Table.Th>MQL since</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {leads.map((l) => (
              <Table.Tr key={l.id}>
                <Table.Td>
                  <AnchorLink to="/$object/$id" params={{ object: 'leads', id: l.id }}>
                    {name(l)}
                  </AnchorLink>
                </Table.Td>
                <Table.Td>{String(l.company ?? '')}</Table.Td>
                <Table.Td>
                  {String(l.score ?? 0)} <Badge variant="light">{String(l.grade ?? '')}</Badge>
                </Table.Td>
                <Table.Td>{l.mqlAt ? new Date(String(l.mqlAt)).toLocaleString() : ''}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end">
                    <Button
                      size="xs"
                      onClick={() => accept.mutate(l.id)}
                      loading={accept.isPending && accept.variables === l.id}
                    >
                      Accept
                    </Button>
                    <Button size="xs" variant="default" color="red" onClick={() => setRejecting(l)}>
                      Reject
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Modal
        opened={!!rejecting}
        onClose={() => setRejecting(null)}
        title={rejecting ? `Reject ${name(rejecting)}` : ''}
      >
        <Stack>
          <Textarea
            label="Reason"
            description="Why the lead goes back to nurturing (kept on its timeline)"
            required
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            maxLength={500}
            autosize
            minRows={2}
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setRejecting(null)}>
              Cancel
            </Button>
            <Button
              color="red"
              disabled={!reason.trim()}
              loading={reject.isPending}
              onClick={() => rejecting && reject.mutate({ id: rejecting.id, why: reason })}
            >
              Reject
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Stack>
  );
}
