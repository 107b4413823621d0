import { Group, Stack, Text } from '@mantine/core';
import type { FilterNode } from '../../../../common/filter';
import { useBoardAggregate } from '../../board/hooks/useBoard';
import { formatSum } from '../../board/utils/board';
import { CardError } from './CardError';

/**
 * Counts (and totals) of an object's records per option of a select field, from the
 * aggregate endpoint with the caller's permissions; options with no records are left out.
 */
export function Breakdown({
  object,
  groupBy,
  sum,
  filter,
  noun,
  empty,
}: {
  object: string;
  groupBy: string;
  sum?: string;
  filter?: FilterNode;
  /** Plural of what is counted, for the total line ("opportunities"). */
  noun: string;
  /** Why the breakdown is empty, in words for the caller. */
  empty: string;
}) {
  const aggregate = useBoardAggregate(object, { groupBy, sum, filter });
  if (aggregate.isPending)
    return (
      <Text size="sm" c="dimmed">
        Loading…
      </Text>
    );
  if (aggregate.isError) return <CardError error={aggregate.error} />;
  const { groups, total } = aggregate.data;
  if (total.count === 0)
    return (
      <Text size="sm" c="dimmed" data-testid={`breakdown-empty-${object}`}>
        {empty}
      </Text>
    );
  const totalSum = formatSum(total.sum);
  return (
    <Stack gap={4} data-testid={`breakdown-${object}`}>
      {groups
        .filter((g) => g.count > 0)
        .map((g) => (
          <Group key={g.value ?? 'none'} justify="space-between" wrap="nowrap" gap="sm" data-testid="breakdown-row">
            <Text size="sm" truncate>
              {g.value === null ? 'No value' : g.label}
            </Text>
            <Text size="sm" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
              {[String(g.count), formatSum(g.sum)].filter(Boolean).join(' · ')}
            </Text>
          </Group>
        ))}
      <Group
        justify="space-between"
        wrap="nowrap"
        gap="sm"
        pt={4}
        style={{ borderTop: '1px solid var(--mantine-color-default-border)' }}
      >
        <Text size="sm" fw={600}>
          {`${total.count} ${noun}`}
        </Text>
        <Text size="sm" fw={600} style={{ whiteSpace: 'nowrap' }} data-testid={`breakdown-total-${object}`}>
          {totalSum}
        </Text>
      </Group>
    </Stack>
  );
}
