import {
  type Announcements,
  type CollisionDetection,
  DndContext,
  type DragEndEvent,
  DragOverlay,
  type DragStartEvent,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { Alert, Paper, Text } from '@mantine/core';
import { useState } from 'react';
import type { FilterNode } from '../../../../common/filter';
import { can, type ObjectMeta } from '../../objects/api/objects.api';
import type { RecordData } from '../../records/api/records.api';
import { ListError, ListLoading } from '../../records/components/ListState';
import { recordTitle } from '../../records/utils/fields';
import { useBoardAggregate } from '../hooks/useBoard';
import { useMoveCard } from '../hooks/useMoveCard';
import { columnValue } from '../utils/board';
import { columnJump } from '../utils/keyboard';
import classes from './Board.module.css';
import { BoardColumn } from './BoardColumn';

interface Props {
  meta: ObjectMeta;
  groupBy: string;
  sum?: string;
  filter?: FilterNode;
  sort?: string;
}

// The pointer decides where a dragged card lands; keyboard moves (no pointer) use the card's box.
const collisions: CollisionDetection = (args) => {
  const hits = pointerWithin(args);
  return hits.length ? hits : rectIntersection(args);
};

/**
 * A kanban board of any object by any select field: one column per option (and one for
 * "no value"), counts and totals from the aggregate endpoint, cards moved by dragging
 * (mouse, touch or keyboard) or from their menu.
 */
export function BoardView({ meta, groupBy, sum, filter, sort }: Props) {
  const aggregate = useBoardAggregate(meta.name, { groupBy, sum, filter });
  const { move, message, dismiss } = useMoveCard(meta, groupBy);
  const [active, setActive] = useState<RecordData | null>(null);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: columnJump }),
  );
  const field = meta.fields.find((f) => f.name === groupBy);
  const sumField = meta.fields.find((f) => f.name === sum);
  const canMove = can(meta, 'update') && !!field && !field.readOnly;

  if (aggregate.isPending) return <ListLoading />;
  if (aggregate.isError) return <ListError error={aggregate.error} onRetry={() => void aggregate.refetch()} />;
  const groups = aggregate.data.groups;
  const columns = groups.map((g) => ({ value: g.value, label: g.label }));
  const labelOf = (id: string | number | undefined) =>
    id === undefined ? '' : (groups.find((g) => g.value === columnValue(String(id)))?.label ?? '');
  const titleOf = (id: string | number) => {
    const r = active?.id === id ? active : null;
    return r ? recordTitle(meta, r) : 'The card';
  };
  const announcements: Announcements = {
    onDragStart: ({ active: a }) =>
      `Picked up ${titleOf(a.id)}. Left and right arrows choose a column; space or enter drops it, escape cancels.`,
    onDragOver: ({ active: a, over }) => (over ? `${titleOf(a.id)} is over ${labelOf(over.id)}.` : undefined),
    onDragEnd: ({ active: a, over }) =>
      over ? `${titleOf(a.id)} was dropped in ${labelOf(over.id)}.` : `${titleOf(a.id)} was put back.`,
    onDragCancel: ({ active: a }) => `Moving ${titleOf(a.id)} was cancelled.`,
  };

  const onDragStart = (e: DragStartEvent) => setActive((e.active.data.current?.record as RecordData) ?? null);
  const onDragEnd = (e: DragEndEvent) => {
    setActive(null);
    const record = e.active.data.current?.record as RecordData | undefined;
    const from = e.active.data.current?.from as string | null | undefined;
    if (!record || !e.over || from === undefined) return;
    move({ record, from, to: columnValue(String(e.over.id)) });
  };

  return (
    <>
      {message && (
        <Alert color="orange" role="alert" withCloseButton onClose={dismiss} data-testid="board-message">
          {message}
        </Alert>
      )}
      <DndContext
        sensors={sensors}
        collisionDetection={collisions}
        onDragStart={onDragStart}
        onDragEnd={onDragEnd}
        onDragCancel={() => setActive(null)}
        accessibility={{
          announcements,
          screenReaderInstructions: {
            draggable:
              'To move this card, press space or enter, choose a column with the left and right arrow keys, and press space or enter again. Escape cancels.',
          },
        }}
      >
        <section className={classes.board} data-testid="board" aria-label={`${meta.labelPlural} board`}>
          {groups.map((g) => (
            <BoardColumn
              key={g.value ?? ''}
              meta={meta}
              groupBy={groupBy}
              group={g}
              columns={columns}
              filter={filter}
              sort={sort}
              sumField={sumField}
              canMove={canMove}
              onMove={(record, to) => move({ record, from: g.value, to })}
            />
          ))}
        </section>
        <DragOverlay>
          {active && (
            <Paper withBorder radius="md" p="sm" className={classes.overlay}>
              <Text fw={500} size="sm">
                {recordTitle(meta, active)}
              </Text>
            </Paper>
          )}
        </DragOverlay>
      </DndContext>
      <Text size="xs" c="dimmed" data-testid="board-total">
        {aggregate.data.total.count.toLocaleString()} {meta.labelPlural.toLowerCase()}
      </Text>
    </>
  );
}
