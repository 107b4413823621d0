import { useDraggable } from '@dnd-kit/core';
import { ActionIcon, Group, Menu, Paper, Stack, Text } from '@mantine/core';
import { Link } from '@tanstack/react-router';
import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';
import type { RecordData } from '../../records/api/records.api';
import { recordTitle } from '../../records/utils/fields';
import { formatValue } from '../../records/utils/format';
import classes from './Board.module.css';

interface Props {
  meta: ObjectMeta;
  record: RecordData;
  /** The column it is in (the group-by value, null for "no value"). */
  column: string | null;
  sumField?: FieldMeta;
  /** Every column, for the "Move to" menu (an alternative to dragging on small screens). */
  columns: { value: string | null; label: string }[];
  canMove: boolean;
  onMove: (to: string | null) => void;
}

/** A record on the board: title, subtitle and total field; dragged by its handle or moved from its menu. */
export function BoardCard({ meta, record, column, sumField, columns, canMove, onMove }: Props) {
  const title = recordTitle(meta, record);
  const { setNodeRef, setActivatorNodeRef, listeners, attributes, isDragging } = useDraggable({
    id: record.id,
    data: { record, from: column },
    disabled: !canMove,
  });
  return (
    <Paper
      ref={setNodeRef}
      withBorder
      radius="md"
      p="xs"
      className={classes.card}
      data-dragging={isDragging || undefined}
      data-testid="board-card"
      data-record={record.id}
    >
      <Group gap={4} wrap="nowrap" align="flex-start">
        {canMove && (
          <ActionIcon
            ref={setActivatorNodeRef}
            variant="subtle"
            color="gray"
            size={40}
            className={classes.handle}
            aria-label={`Drag ${title}`}
            {...attributes}
            {...listeners}
          >
            <svg width={16} height={16} viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="currentColor">
              {[6, 12, 18].flatMap((y) => [9, 15].map((x) => <circle key={`${x}-${y}`} cx={x} cy={y} r={1.6} />))}
            </svg>
          </ActionIcon>
        )}
        <Stack gap={0} style={{ flex: 1, minWidth: 0 }}>
          <Link to="/$object/$id" params={{ object: meta.name, id: record.id }} className={classes.cardTitle}>
            {title}
          </Link>
          <CardSubtitle meta={meta} record={record} />
          {sumField && record[sumField.name] != null && (
            <Text size="sm" fw={500} data-testid="card-sum">
              {formatValue(sumField, record[sumField.name])}
            </Text>
          )}
        </Stack>
        {canMove && (
          <Menu position="bottom-end" shadow="md">
            <Menu.Target>
              <ActionIcon variant="subtle" color="gray" size={40} aria-label={`Move ${title} to…`}>
                <svg
                  width={16}
                  height={16}
                  viewBox="0 0 24 24"
                  aria-hidden="true"
                  focusable="false"
                  fill="currentColor"
                >
                  {[5, 12, 19].map((x) => (
                    <circle key={x} cx={x} cy={12} r={1.8} />
                  ))}
                </svg>
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>Move to</Menu.Label>
              {columns
                .filter((c) => c.value !== column)
                .map((c) => (
                  <Menu.Item key={c.value ?? ''} mih={40} onClick={() => onMove(c.value)}>
                    {c.label}
                  </Menu.Item>
                ))}
            </Menu.Dropdown>
          </Menu>
        )}
      </Group>
    </Paper>
  );
}

function CardSubtitle({ meta, record }: { meta: ObjectMeta; record: RecordData }) {
  const text = meta.subtitleFields
    .map((name) => {
      const f = meta.fields.find((x) => x.name === name);
      return f ? formatValue(f, record[name]) : '';
    })
    .filter(Boolean)
    .join(' · ');
  if (!text) return null;
  return (
    <Text size="xs" c="dimmed" truncate>
      {text}
    </Text>
  );
}
