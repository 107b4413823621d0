import { useDraggable } from '@dnd-kit/core';
import { ActionIcon, Group, Menu, Paper, Stack, Text } from '@mantine/core';
import { AnchorLink } from '../../../ui/links';
import type { RecordData } from '../../records/api/records.api';
import { formatMoney, type Money } from '../../records/utils/format';
import type { Stage } from '../api/sales.api';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });

interface Props {
  record: RecordData;
  stages: Stage[];
  onMove: (stageId: string) => void;
  /** Drawn in the drag overlay: no handle, no menu. */
  preview?: boolean;
}

/** One opportunity on the board: name, account, amount, close date; drag it by its handle or move it from its menu. */
export function OpportunityCard({ record, stages, onMove, preview }: Props) {
  const { setNodeRef, attributes, listeners, isDragging } = useDraggable({ id: record.id, disabled: preview });
  const name = String(record.name ?? 'Untitled opportunity');
  const account = record.account as { name?: string } | null | undefined;
  const amount = record.amount as Money | null;
  // A calendar date (some engines send it with a time part: keep the date).
  const close =
    typeof record.expectedCloseDate === 'string' && /^\d{4}-\d{2}-\d{2}/.test(record.expectedCloseDate)
      ? record.expectedCloseDate.slice(0, 10)
      : null;
  return (
    <Paper
      ref={preview ? undefined : setNodeRef}
      withBorder
      radius="md"
      p="xs"
      shadow={preview ? 'md' : undefined}
      style={{ opacity: isDragging ? 0.4 : 1 }}
      data-testid="opportunity-card"
      data-id={record.id}
    >
      <Group gap={4} wrap="nowrap" align="flex-start">
        {!preview && (
          <ActionIcon
            variant="subtle"
            color="gray"
            size={40}
            aria-label={`Drag ${name} to another stage`}
            style={{ cursor: 'grab', touchAction: 'none', flexShrink: 0 }}
            {...attributes}
            {...listeners}
          >
            <DragDots />
          </ActionIcon>
        )}
        <Stack gap={2} style={{ minWidth: 0, flex: 1 }}>
          <AnchorLink
            to="/$object/$id"
            params={{ object: 'opportunities', id: record.id }}
            fw={600}
            size="sm"
            style={{ overflowWrap: 'anywhere', minHeight: 40, display: 'flex', alignItems: 'center' }}
          >
            {name}
          </AnchorLink>
          {account?.name && (
            <Text size="xs" c="dimmed" truncate>
              {account.name}
            </Text>
          )}
          <Group gap="xs" justify="space-between">
            <Text size="sm" fw={500} data-testid="card-amount">
              {amount ? formatMoney(amount) : '—'}
            </Text>
            {close && (
              <Text size="xs" c="dimmed">
                {dateFormat.format(new Date(`${close}T00:00:00Z`))}
              </Text>
            )}
          </Group>
        </Stack>
        {!preview && (
          <Menu position="bottom-end" withinPortal>
            <Menu.Target>
              <ActionIcon variant="subtle" color="gray" size={40} aria-label={`Move ${name}`} style={{ flexShrink: 0 }}>
                <span aria-hidden="true">⋯</span>
              </ActionIcon>
            </Menu.Target>
            <Menu.Dropdown>
              <Menu.Label>Move to stage</Menu.Label>
              {stages
                .filter((s) => s.id !== record.stageId)
                .map((s) => (
                  <Menu.Item key={s.id} onClick={() => onMove(s.id)} mih={40}>
                    {s.name}
                  </Menu.Item>
                ))}
            </Menu.Dropdown>
          </Menu>
        )}
      </Group>
    </Paper>
  );
}

function DragDots() {
  return (
    <svg width={16} height={16} viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" focusable="false">
      {[6, 12, 18].flatMap((y) => [9, 15].map((x) => <circle key={`${x}-${y}`} cx={x} cy={y} r={1.6} />))}
    </svg>
  );
}
