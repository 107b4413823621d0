import { Badge, Card, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { getScore, scoringKeys } from '../api/scoring.api';

const SCORED = new Set(['leads', 'contacts']);
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** A lead's or contact's score, explained: each rule that contributed, when, and its points now and at first. */
export function ScoreBreakdownCard({ object, id }: { object: string; id: string }) {
  const enabled = SCORED.has(object);
  const { data } = useQuery({
    queryKey: scoringKeys.score(object, id),
    queryFn: ({ signal }) => getScore(object, id, signal),
    enabled,
  });
  if (!enabled || !data) return null;
  return (
    <Card withBorder padding="md" data-testid="score-breakdown">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={3} size="h4">
            Score
          </Title>
          <Group gap="xs">
            <Text fw={700} size="xl" data-testid="score-total">
              {fmt(data.total)}
            </Text>
            <Badge variant="light">Grade {data.grade}</Badge>
          </Group>
        </Group>
        <Text size="sm" c="dimmed">
          Fit {fmt(data.fit)} · Engagement {fmt(data.engagement)} · MQL at {data.mqlThreshold}
        </Text>
        {data.factors.length === 0 ? (
          <Text size="sm">No rule has scored this record yet.</Text>
        ) : (
          <Table fz="sm" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Rule</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th ta="right">Points</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.factors.map((f, i) => (
                <Table.Tr key={`${f.ruleId}-${f.at ?? i}`}>
                  <Table.Td>{f.rule}</Table.Td>
                  <Table.Td>{f.at ? new Date(f.at).toLocaleDateString() : 'fit'}</Table.Td>
                  <Table.Td ta="right" title={`originally ${f.originalPoints}`}>
                    {fmt(f.points)}
                    {f.points !== f.originalPoints && (
                      <Text span size="xs" c="dimmed">
                        {' '}
                        of {f.originalPoints}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>
    </Card>
  );
}
