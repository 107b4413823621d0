import { Alert, Paper, SimpleGrid, Skeleton, Text } from '@mantine/core';
import type { DealsParams } from '../api/sales.api';
import { useDealStats } from '../hooks/useDeals';
import { formatSums } from '../utils/money';

const pct = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });
const days = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });

/** The stats of the deals in view, as the API computes them. */
export function DealStatsCards({ params }: { params: DealsParams }) {
  const stats = useDealStats(params);
  if (stats.isPending) return <Skeleton h={84} radius="md" role="status" aria-label="Loading statistics" />;
  if (stats.isError)
    return (
      <Alert color="red" role="alert" title="Statistics could not be loaded">
        {stats.error.message}
      </Alert>
    );
  const s = stats.data;
  const items = [
    {
      label: 'Win rate',
      value: s.winRate === null ? '—' : pct.format(s.winRate),
      hint: `${s.won} won · ${s.lost} lost`,
      id: 'win-rate',
    },
    {
      label: 'Average cycle',
      value: s.averageCycleDays === null ? '—' : `${days.format(s.averageCycleDays)} days`,
      hint: s.medianCycleDays === null ? 'of won deals' : `median ${days.format(s.medianCycleDays)} days`,
      id: 'cycle',
    },
    {
      label: 'Won',
      value: s.wonAmounts ? formatSums(s.wonAmounts.map((a) => ({ amount: a.amount, currency: a.currency }))) : '—',
      hint: `${s.won} deals`,
      id: 'won-total',
    },
    {
      label: 'Lost',
      value: s.lostAmounts ? formatSums(s.lostAmounts.map((a) => ({ amount: a.amount, currency: a.currency }))) : '—',
      hint: `${s.lost} deals`,
      id: 'lost-total',
    },
  ];
  return (
    <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm" component="dl" m={0}>
      {items.map((i) => (
        <Paper key={i.id} withBorder radius="md" p="sm" style={{ minWidth: 0 }}>
          <Text component="dt" size="xs" c="dimmed" fw={600}>
            {i.label}
          </Text>
          <Text component="dd" m={0}>
            <Text
              span
              fw={700}
              size="lg"
              display="block"
              style={{ overflowWrap: 'anywhere' }}
              data-testid={`stat-${i.id}`}
            >
              {i.value}
            </Text>
            <Text span size="xs" c="dimmed" display="block">
              {i.hint}
            </Text>
          </Text>
        </Paper>
      ))}
    </SimpleGrid>
  );
}
