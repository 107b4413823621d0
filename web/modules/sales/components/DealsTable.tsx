import { Alert, Button, Center, Group, Paper, Skeleton, Stack, Table, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { AnchorLink } from '../../../ui/links';
import { useObjectMeta } from '../../objects/hooks/useObjectMeta';
import { membersQuery } from '../../people/api/people.api';
import { formatMoney } from '../../records/utils/format';
import type { DealsParams } from '../api/sales.api';
import { useDeals } from '../hooks/useDeals';
import { ToneBadge } from './ToneBadge';

const when = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Won and lost opportunities: when, amount, reason, owner. */
export function DealsTable({ params }: { params: DealsParams }) {
  const deals = useDeals(params);
  const members = useQuery(membersQuery);
  const meta = useObjectMeta('opportunities');
  // On a phone, one card per deal: the amount stays in view (a wide table would scroll sideways).
  const phone = useMediaQuery('(max-width: 36em)');
  const reasons = meta?.fields.find((f) => f.name === 'lostReason')?.options ?? [];
  const owner = (id: string | null) => {
    const m = members.data?.find((x) => x.id === id);
    return m ? m.name || m.email : '—';
  };

  if (deals.isPending) return <Skeleton h={160} radius="md" role="status" aria-label="Loading deals" />;
  if (deals.isError)
    return (
      <Alert color="red" role="alert" title="Deals could not be loaded">
        {deals.error.message}
        <Button variant="light" color="red" mt="sm" onClick={() => void deals.refetch()}>
          Try again
        </Button>
      </Alert>
    );
  const rows = deals.data.pages.flatMap((p) => p.data);
  if (rows.length === 0)
    return (
      <Paper withBorder p="xl" radius="md" data-testid="deals-empty">
        <Center>
          <Text fw={600}>No deals closed in this view yet</Text>
        </Center>
      </Paper>
    );
  const reason = (r: string | null) => (r ? (reasons.find((x) => x.value === r)?.label ?? r) : '—');
  const more = deals.hasNextPage && (
    <Button variant="default" onClick={() => void deals.fetchNextPage()} loading={deals.isFetchingNextPage} h={40}>
      Load more
    </Button>
  );
  if (phone)
    return (
      <Stack gap="xs" component="ul" p={0} m={0} style={{ listStyle: 'none' }} data-testid="deals-table">
        {rows.map((d) => (
          <Paper component="li" key={d.id} withBorder radius="md" p="sm" data-testid="deal-row">
            <Group justify="space-between" wrap="nowrap" gap="xs">
              <AnchorLink
                to="/$object/$id"
                params={{ object: 'opportunities', id: d.id }}
                fw={600}
                style={{ minHeight: 40, display: 'flex', alignItems: 'center', overflowWrap: 'anywhere' }}
              >
                {d.name}
              </AnchorLink>
              <ToneBadge tone={d.status === 'won' ? 'green' : 'gray'}>{d.status}</ToneBadge>
            </Group>
            <Text fw={700} data-testid="deal-amount">
              {d.amount ? formatMoney(d.amount) : '—'}
            </Text>
            <Text size="sm" c="dimmed">
              {when.format(new Date(d.closedAt))} · {owner(d.ownerId)} · {d.cycleDays.toFixed(1)} d
              {d.status === 'lost' ? ` · ${reason(d.lostReason)}` : ''}
            </Text>
          </Paper>
        ))}
        {more}
      </Stack>
    );
  return (
    <Stack gap="sm">
      <Table.ScrollContainer minWidth={640}>
        <Table striped highlightOnHover verticalSpacing="sm" data-testid="deals-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Opportunity</Table.Th>
              <Table.Th>Result</Table.Th>
              <Table.Th>Closed</Table.Th>
              <Table.Th style={{ textAlign: 'right' }}>Amount</Table.Th>
              <Table.Th>Reason</Table.Th>
              <Table.Th>Owner</Table.Th>
              <Table.Th style={{ textAlign: 'right' }}>Cycle</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((d) => (
              <Table.Tr key={d.id} data-testid="deal-row">
                <Table.Td>
                  <AnchorLink to="/$object/$id" params={{ object: 'opportunities', id: d.id }} size="sm" fw={600}>
                    {d.name}
                  </AnchorLink>
                </Table.Td>
                <Table.Td>
                  <ToneBadge tone={d.status === 'won' ? 'green' : 'gray'}>{d.status}</ToneBadge>
                </Table.Td>
                <Table.Td>{when.format(new Date(d.closedAt))}</Table.Td>
                <Table.Td style={{ textAlign: 'right', whiteSpace: 'nowrap' }} data-testid="deal-amount">
                  {d.amount ? formatMoney(d.amount) : '—'}
                </Table.Td>
                <Table.Td>{reason(d.lostReason)}</Table.Td>
                <Table.Td>{owner(d.ownerId)}</Table.Td>
                <Table.Td style={{ textAlign: 'right' }}>{d.cycleDays.toFixed(1)} d</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {more}
    </Stack>
  );
}
