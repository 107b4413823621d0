import { Badge, Card, Group, Stack, Text } from '@mantine/core';

const TARGETS = [
  { field: 'firstResponseDueAt', label: 'First response', doneField: 'firstRespondedAt' },
  { field: 'nextResponseDueAt', label: 'Next response', doneField: null },
  { field: 'resolutionDueAt', label: 'Resolution', doneField: 'solvedAt' },
] as const;

/** "in 3 h 20 min" / "5 min overdue". */
function remaining(due: Date, now: Date): string {
  const minutes = Math.round((due.getTime() - now.getTime()) / 60_000);
  const abs = Math.abs(minutes);
  const text =
    abs >= 1440
      ? `${Math.floor(abs / 1440)} d ${Math.floor((abs % 1440) / 60)} h`
      : abs >= 60
        ? `${Math.floor(abs / 60)} h ${abs % 60} min`
        : `${abs} min`;
  return minutes >= 0 ? `in ${text}` : `${text} overdue`;
}

/** A ticket's SLA due times with the time remaining, its paused state and its satisfaction rating. */
export function TicketSla({ record }: { record: Record<string, unknown> }) {
  const now = new Date();
  const paused = typeof record.slaPausedAt === 'string';
  const rows = TARGETS.filter((t) => typeof record[t.field] === 'string');
  if (rows.length === 0 && record.csatRating == null) return null;
  return (
    <Card withBorder padding="md" aria-label="SLA">
      <Stack gap={6}>
        <Group gap="xs">
          <Text fw={600}>SLA</Text>
          {record.slaBreached === true && <Badge color="red">Breached</Badge>}
          {paused && <Badge color="gray">Paused (pending on customer)</Badge>}
          {typeof record.csatRating === 'number' && <Badge color="teal">CSAT {record.csatRating} / 5</Badge>}
        </Group>
        {rows.map((t) => {
          const due = new Date(record[t.field] as string);
          const done = t.doneField && typeof record[t.doneField] === 'string';
          return (
            <Group key={t.field} gap="xs">
              <Text size="sm" w={130}>
                {t.label}
              </Text>
              <Text size="sm">{due.toLocaleString()}</Text>
              <Text size="sm" c={done ? 'dimmed' : due < now ? 'red' : undefined}>
                {done ? 'done' : paused ? 'paused' : remaining(due, now)}
              </Text>
            </Group>
          );
        })}
        {typeof record.csatComment === 'string' && (
          <Text size="sm" c="dimmed">
            “{record.csatComment}”
          </Text>
        )}
      </Stack>
    </Card>
  );
}
