import { Badge, Button, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { AnchorLink } from '../../../ui/links';
import type { RecordData } from '../../records/api/records.api';
import { agendaQuery } from '../../tasks/api/tasks.api';
import { addDays, byDay, dayKey, monthDays, weekDays } from '../utils/calendar-grid';
import classes from './CalendarView.module.css';

const monthTitle = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' });
const dayTitle = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

function Entry({ kind, r }: { kind: 'task' | 'meeting'; r: RecordData }) {
  const at = String(kind === 'task' ? r.dueAt : r.startAt);
  return (
    <AnchorLink
      to="/$object/$id"
      params={{ object: kind === 'task' ? 'tasks' : 'meetings', id: r.id }}
      size="xs"
      className={classes.entry}
      data-kind={kind}
      title={`${kind === 'task' ? 'Task' : 'Meeting'}: ${String(r.title)} at ${time.format(new Date(at))}`}
    >
      {time.format(new Date(at))} {kind === 'task' ? '☐ ' : ''}
      {String(r.title)}
    </AnchorLink>
  );
}

/** Month or week grid of the caller's meetings and tasks (week as a list on phones). */
export function CalendarView() {
  const phone = useMediaQuery('(max-width: 48em)');
  const [view, setView] = useState<'month' | 'week'>('month');
  const [anchor, setAnchor] = useState(() => new Date());
  const mode = phone ? 'week' : view;
  const days = mode === 'month' ? monthDays(anchor) : weekDays(anchor);
  const from = days[0] as Date;
  const to = addDays(days.at(-1) as Date, 1);
  const agenda = useQuery({ ...agendaQuery(from, to), placeholderData: keepPreviousData });
  const meetings = byDay(agenda.data?.meetings ?? [], (m) => String(m.startAt));
  const tasks = byDay(agenda.data?.tasks ?? [], (t) => String(t.dueAt));
  const step = (n: number) =>
    setAnchor((a) => (mode === 'month' ? new Date(a.getFullYear(), a.getMonth() + n, 1) : addDays(a, 7 * n)));
  const today = dayKey(new Date());

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Title order={2} fz="h4" aria-live="polite">
          {mode === 'month' ? monthTitle.format(anchor) : `Week of ${dayTitle.format(from)}`}
        </Title>
        <Group gap="xs" wrap="wrap">
          <Button variant="default" h={40} onClick={() => step(-1)} aria-label={`Previous ${mode}`}>
            ‹
          </Button>
          <Button variant="default" h={40} onClick={() => setAnchor(new Date())}>
            Today
          </Button>
          <Button variant="default" h={40} onClick={() => step(1)} aria-label={`Next ${mode}`}>
            ›
          </Button>
          {!phone && (
            <SegmentedControl
              aria-label="View"
              value={view}
              onChange={(v) => setView(v as 'month' | 'week')}
              data={[
                { value: 'month', label: 'Month' },
                { value: 'week', label: 'Week' },
              ]}
            />
          )}
        </Group>
      </Group>
      {agenda.isError && (
        <Text c="red.8" role="alert">
          {agenda.error.message}
        </Text>
      )}
      <div
        className={mode === 'month' ? classes.month : phone ? classes.list : classes.week}
        data-testid="calendar-grid"
      >
        {!phone &&
          days.slice(0, 7).map((d) => (
            <div key={`h-${dayKey(d)}`} className={classes.head} aria-hidden="true">
              {weekday.format(d)}
            </div>
          ))}
        {days.map((d) => {
          const key = dayKey(d);
          const outside = mode === 'month' && d.getMonth() !== anchor.getMonth();
          const items = [
            ...(meetings.get(key) ?? []).map((r) => ['meeting', r] as const),
            ...(tasks.get(key) ?? []).map((r) => ['task', r] as const),
          ];
          return (
            <section
              key={key}
              className={classes.day}
              data-outside={outside || undefined}
              data-today={key === today || undefined}
              aria-label={dayTitle.format(d)}
            >
              <Text size="xs" fw={key === today ? 800 : 600} c={outside ? 'dimmed' : undefined}>
                {phone || mode === 'week' ? dayTitle.format(d) : d.getDate()}
              </Text>
              {items.map(([kind, r]) => (
                <Entry key={r.id} kind={kind} r={r} />
              ))}
              {phone && items.length === 0 && (
                <Text size="xs" c="dimmed">
                  Nothing planned
                </Text>
              )}
            </section>
          );
        })}
      </div>
      <Group gap="xs">
        <Badge variant="light" color="teal" c="var(--mantine-color-text)">
          Meeting
        </Badge>
        <Badge variant="light" color="orange" c="var(--mantine-color-text)">
          ☐ Task
        </Badge>
      </Group>
    </Stack>
  );
}
