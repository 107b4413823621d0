import { useDroppable } from '@dnd-kit/core';
import { Alert, Badge, Button, Group, Loader, Text } from '@mantine/core';
import { useId } from 'react';
import type { FilterNode } from '../../../../common/filter';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';
import type { AggregateGroup } from '../api/aggregate.api';
import { useBoardColumn } from '../hooks/useBoard';
import { columnId, formatSum } from '../utils/board';
import classes from './Board.module.css';
import { BoardCard } from './BoardCard';

interface Props {
  meta: ObjectMeta;
  groupBy: string;
  group: AggregateGroup;
  columns: { value: string | null; label: string }[];
  filter?: FilterNode;
  sort?: string;
  sumField?: FieldMeta;
  canMove: boolean;
  onMove: (record: Parameters<typeof BoardCard>[0]['record'], to: string | null) => void;
}

/** One option of the group-by field: its count and total, and its cards a page at a time. */
export function BoardColumn({ meta, groupBy, group, columns, filter, sort, sumField, canMove, onMove }: Props) {
  const headingId = useId();
  const { setNodeRef, isOver } = useDroppable({ id: columnId(group.value), data: { value: group.value } });
  const list = useBoardColumn(meta.name, { groupBy, value: group.value, filter, sort });
  const total = formatSum(group.sum);
  return (
    <section
      ref={setNodeRef}
      className={classes.column}
      data-over={isOver || undefined}
      aria-labelledby={headingId}
      data-testid="board-column"
      data-value={group.value ?? ''}
    >
      <div className={classes.columnHeader}>
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Text id={headingId} fw={600} size="sm" truncate component="h2">
            {group.label}
          </Text>
          <Badge variant="light" color="gray" data-testid="column-count" aria-label={`${group.count} records`}>
            {group.count.toLocaleString()}
          </Badge>
        </Group>
        {sumField && (
          <Text size="xs" c="dimmed" data-testid="column-sum" mih={18}>
            {total || '—'}
          </Text>
        )}
      </div>
      <div className={classes.cards}>
        {list.isError && (
          <Alert color="red" p="xs">
            The cards could not be loaded.
          </Alert>
        )}
        {list.cards.map((record) => (
          <BoardCard
            key={record.id}
            meta={meta}
            record={record}
            column={group.value}
            sumField={sumField}
            columns={columns}
            canMove={canMove}
            onMove={(to) => onMove(record, to)}
          />
        ))}
        {list.isPending && <Loader size="sm" mx="auto" role="status" aria-label="Loading cards" />}
        {list.hasNextPage && (
          <Button variant="subtle" h={40} loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            Show more
          </Button>
        )}
      </div>
    </section>
  );
}
