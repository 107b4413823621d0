import { Card, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { getStageHistory, salesKeys } from '../api/sales.api';
import { formatDuration } from '../utils/money';
import { ToneBadge } from './ToneBadge';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Every stay of the opportunity in a stage: when it entered, left, and how long it stayed. */
export function StageHistory({ opportunityId, version }: { opportunityId: string; version: number }) {
  const history = useQuery({
    queryKey: [...salesKeys.history(opportunityId), version],
    queryFn: ({ signal }) => getStageHistory(opportunityId, signal),
  });
  return (
    <Card withBorder radius="md" padding="md" component="section" aria-labelledby="stage-history-title">
      <Title order={2} fz="h5" mb="sm" id="stage-history-title">
        Stage history
      </Title>
      {history.isPending ? (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      ) : history.isError ? (
        <Text size="sm" c="red.8" role="alert">
          {history.error.message}
        </Text>
      ) : history.data.length === 0 ? (
        <Text size="sm" c="dimmed">
          No stage changes yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing={6} data-testid="stage-history">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Stage</Table.Th>
                <Table.Th>Entered</Table.Th>
                <Table.Th>Left</Table.Th>
                <Table.Th style={{ textAlign: 'right' }}>Time in stage</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[...history.data].reverse().map((h) => (
                <Table.Tr key={h.id}>
                  <Table.Td>
                    <Stack gap={0}>
                      <Text size="sm" fw={600}>
                        {h.stageName ?? 'Removed stage'}
                      </Text>
                      {!h.leftAt && (
                        <ToneBadge size="xs" tone="blue" w="fit-content">
                          current
                        </ToneBadge>
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td>{when.format(new Date(h.enteredAt))}</Table.Td>
                  <Table.Td>{h.leftAt ? when.format(new Date(h.leftAt)) : '—'}</Table.Td>
                  <Table.Td style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>
                    {formatDuration(h.durationSeconds)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}
