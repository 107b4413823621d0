import { useDroppable } from '@dnd-kit/core';
import { Group, Paper, Stack, Text } from '@mantine/core';
import type { RecordData } from '../../records/api/records.api';
import type { Money } from '../../records/utils/format';
import type { Stage } from '../api/sales.api';
import { formatSums, sumByCurrency } from '../utils/money';
import { OpportunityCard } from './OpportunityCard';
import { type Tone, ToneBadge } from './ToneBadge';

const KIND_COLOR = { open: 'blue', won: 'green', lost: 'gray' } as const satisfies Record<string, Tone>;

interface Props {
  stage: Stage;
  stages: Stage[];
  records: RecordData[];
  onMove: (record: RecordData, stageId: string) => void;
}

/** A stage of the board: its probability, how many opportunities it holds and their amounts (exact, per currency). */
export function StageColumn({ stage, stages, records, onMove }: Props) {
  const { setNodeRef, isOver } = useDroppable({ id: stage.id });
  const sums = sumByCurrency(records.map((r) => r.amount as Money | null));
  const headingId = `stage-${stage.id}`;
  return (
    <Paper
      ref={setNodeRef}
      component="section"
      aria-labelledby={headingId}
      withBorder
      radius="md"
      p="xs"
      bg={isOver ? 'var(--mantine-color-blue-light)' : 'var(--mantine-color-default-hover)'}
      style={{
        width: 'min(272px, 85vw)',
        flexShrink: 0,
        display: 'flex',
        flexDirection: 'column',
        minHeight: 200,
        scrollSnapAlign: 'start',
      }}
      data-testid="stage-column"
      data-stage={stage.name}
    >
      <Stack gap={2} mb="xs">
        <Group justify="space-between" gap="xs" wrap="nowrap">
          <Text component="h2" id={headingId} fw={700} size="sm" m={0} truncate>
            {stage.name}
          </Text>
          <ToneBadge tone={KIND_COLOR[stage.kind]} style={{ flexShrink: 0 }}>
            {stage.probability} %
          </ToneBadge>
        </Group>
        <Text size="xs" c="dimmed" data-testid="stage-summary">
          <span data-testid="stage-count">{records.length}</span> ·{' '}
          <span data-testid="stage-sum">{formatSums(sums)}</span>
        </Text>
      </Stack>
      <Stack gap="xs" style={{ flex: 1 }}>
        {records.map((r) => (
          <OpportunityCard key={r.id} record={r} stages={stages} onMove={(to) => onMove(r, to)} />
        ))}
        {records.length === 0 && (
          <Text size="xs" c="dimmed" ta="center" py="md">
            No opportunities
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
