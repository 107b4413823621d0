import {
  DndContext,
  type DragEndEvent,
  DragOverlay,
  type DragStartEvent,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { Alert, Box, Group, Skeleton, Text } from '@mantine/core';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import type { RecordData } from '../../records/api/records.api';
import type { Pipeline } from '../api/sales.api';
import { useMoveOpportunity } from '../hooks/useMoveOpportunity';
import { BOARD_LIMIT, usePipelineOpportunities } from '../hooks/usePipelineOpportunities';
import { LostReasonModal } from './LostReasonModal';
import { OpportunityCard } from './OpportunityCard';
import { StageColumn } from './StageColumn';

/** Opportunities of one pipeline in columns by stage; drag (or use a card's menu) to change the stage. */
export function PipelineBoard({ pipeline }: { pipeline: Pipeline }) {
  const board = usePipelineOpportunities(pipeline.id);
  const move = useMoveOpportunity(pipeline.id);
  const [dragging, setDragging] = useState<RecordData | null>(null);
  const [losing, setLosing] = useState<{ record: RecordData; stageId: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor),
  );

  const records = board.data?.records ?? [];
  const requestMove = (record: RecordData, stageId: string) => {
    if (record.stageId === stageId) return;
    const stage = pipeline.stages.find((s) => s.id === stageId);
    if (!stage) return;
    setError(null);
    if (stage.kind === 'lost') setLosing({ record, stageId });
    else doMove(record, stageId);
  };
  const doMove = (record: RecordData, stageId: string, lostReason?: string) =>
    move.mutate(
      { record, stageId, lostReason },
      {
        onError: (err) => {
          const detail =
            err instanceof ApiError
              ? err.status === 412
                ? 'Someone changed this opportunity meanwhile; the board now shows the latest version.'
                : [err.message, ...err.errors.map((e) => `${e.path}: ${e.message}`)].join(' — ')
              : 'The stage could not be changed.';
          setError(`“${String(record.name)}” was not moved: ${detail}`);
          if (err instanceof ApiError && err.status === 412) void board.refetch();
        },
      },
    );

  const onDragStart = (e: DragStartEvent) => setDragging(records.find((r) => r.id === e.active.id) ?? null);
  const onDragEnd = (e: DragEndEvent) => {
    setDragging(null);
    const record = records.find((r) => r.id === e.active.id);
    if (record && e.over) requestMove(record, String(e.over.id));
  };

  if (board.isPending) {
    return (
      <Group
        gap="sm"
        wrap="nowrap"
        role="status"
        aria-busy="true"
        aria-label="Loading the board"
        style={{ overflow: 'hidden' }}
      >
        {pipeline.stages.slice(0, 4).map((s) => (
          <Skeleton key={s.id} w={272} h={240} radius="md" style={{ flexShrink: 0 }} />
        ))}
      </Group>
    );
  }
  if (board.isError) {
    return (
      <Alert color="red" role="alert" title="The board could not be loaded">
        {board.error.message}
      </Alert>
    );
  }

  return (
    <>
      {error && (
        <Alert
          color="red"
          role="alert"
          withCloseButton
          onClose={() => setError(null)}
          mb="sm"
          data-testid="board-error"
        >
          {error}
        </Alert>
      )}
      {board.data.hasMore && (
        <Text size="sm" c="dimmed" mb="xs">
          Showing the first {BOARD_LIMIT} opportunities (by expected close date).
        </Text>
      )}
      <DndContext
        sensors={sensors}
        onDragStart={onDragStart}
        onDragEnd={onDragEnd}
        onDragCancel={() => setDragging(null)}
      >
        <Box
          style={{
            display: 'flex',
            gap: 12,
            overflowX: 'auto',
            paddingBottom: 8,
            alignItems: 'stretch',
            scrollSnapType: 'x proximity',
          }}
          data-testid="pipeline-board"
        >
          {pipeline.stages.map((stage) => (
            <StageColumn
              key={stage.id}
              stage={stage}
              stages={pipeline.stages}
              records={records.filter((r) => r.stageId === stage.id)}
              onMove={requestMove}
            />
          ))}
        </Box>
        <DragOverlay>
          {dragging && <OpportunityCard record={dragging} stages={pipeline.stages} onMove={() => undefined} preview />}
        </DragOverlay>
      </DndContext>
      <LostReasonModal
        key={losing?.record.id ?? 'none'}
        opened={!!losing}
        name={String(losing?.record.name ?? '')}
        onCancel={() => setLosing(null)}
        onConfirm={(reason) => {
          if (losing) doMove(losing.record, losing.stageId, reason);
          setLosing(null);
        }}
      />
    </>
  );
}
