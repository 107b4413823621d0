import { Checkbox, Group, Stack, Text } from '@mantine/core';
import { AnchorLink } from '../../../ui/links';
import type { RecordData } from '../../records/api/records.api';
import { formatDateTime } from '../../timeline/utils/relative-time';

const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

/** A task (with a quick-complete box) or a meeting in a list. */
export function AgendaItem({
  kind,
  record,
  onToggle,
}: {
  kind: 'task' | 'meeting';
  record: RecordData;
  onToggle?: (id: string, done: boolean) => void;
}) {
  const title = String(record.title ?? '');
  const done = record.status === 'done';
  const when = String(kind === 'task' ? record.dueAt : record.startAt);
  const overdue = kind === 'task' && !done && Date.parse(when) < Date.now();
  return (
    <Group
      gap="sm"
      wrap="nowrap"
      align="flex-start"
      component="li"
      style={{ listStyle: 'none' }}
      data-testid={`${kind}-item`}
    >
      {kind === 'task' && onToggle && (
        <Checkbox
          aria-label={done ? `Reopen ${title}` : `Complete ${title}`}
          checked={done}
          onChange={(e) => onToggle(record.id, e.currentTarget.checked)}
          mt={2}
          size="md"
        />
      )}
      <Stack gap={0} miw={0}>
        <AnchorLink
          to="/$object/$id"
          params={{ object: kind === 'task' ? 'tasks' : 'meetings', id: record.id }}
          fw={600}
          td={done ? 'line-through' : undefined}
        >
          {title}
        </AnchorLink>
        <Text size="xs" c={overdue ? 'red.8' : 'dimmed'}>
          {kind === 'task'
            ? overdue
              ? `Overdue · due ${formatDateTime(when)}`
              : `Due ${time.format(new Date(when))}`
            : ''}
          {kind === 'meeting'
            ? `${time.format(new Date(when))}${record.endAt ? `–${time.format(new Date(String(record.endAt)))}` : ''}${record.location ? ` · ${String(record.location)}` : ''}`
            : ''}
        </Text>
      </Stack>
    </Group>
  );
}
