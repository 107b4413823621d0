import { Alert, Button, Checkbox, Group, Modal, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError } from '../../../lib/http';
import { type BusinessCalendar, createCalendar, serviceDeskKeys, updateCalendar } from '../api/service-desk.api';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Day = (typeof DAYS)[number];
type Hours = Partial<Record<Day, { start: string; end: string }>>;

const summary = (c: BusinessCalendar) =>
  DAYS.filter((d) => c.weeklyHours[d]?.length)
    .map((d) => `${d} ${(c.weeklyHours[d] ?? []).map((w) => `${w.start}–${w.end}`).join(', ')}`)
    .join('; ');

/** Business-hours calendars (administrators edit): the time an SLA target counts in. */
export function BusinessCalendars({ calendars, admin }: { calendars: BusinessCalendar[]; admin: boolean }) {
  const [editing, setEditing] = useState<BusinessCalendar | 'new' | null>(null);
  return (
    <Stack gap="xs" component="section" aria-label="Business hours">
      <Group justify="space-between">
        <Title order={2} size="h4">
          Business hours
        </Title>
        {admin && (
          <Button variant="default" onClick={() => setEditing('new')}>
            New calendar
          </Button>
        )}
      </Group>
      {calendars.length === 0 && <Text c="dimmed">No calendars: every policy counts around the clock.</Text>}
      {calendars.map((c) => (
        <Group key={c.id} justify="space-between" wrap="nowrap">
          <Text size="sm">
            <b>{c.name}</b> ({c.timeZone}): {summary(c) || 'closed'}
            {c.holidays.length ? `; ${c.holidays.length} holidays` : ''}
          </Text>
          {admin && (
            <Button size="xs" variant="default" onClick={() => setEditing(c)}>
              Edit
            </Button>
          )}
        </Group>
      ))}
      {editing && <CalendarEditor calendar={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </Stack>
  );
}

function CalendarEditor({ calendar, onClose }: { calendar: BusinessCalendar | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState(calendar?.name ?? 'Office hours');
  const [timeZone, setTimeZone] = useState(calendar?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [hours, setHours] = useState<Hours>(() => {
    if (calendar)
      return Object.fromEntries(
        DAYS.flatMap((d) => (calendar.weeklyHours[d]?.[0] ? [[d, calendar.weeklyHours[d][0]]] : [])),
      );
    return Object.fromEntries(DAYS.slice(0, 5).map((d) => [d, { start: '09:00', end: '17:00' }]));
  });
  const [holidays, setHolidays] = useState((calendar?.holidays ?? []).join('\n'));
  const [error, setError] = useState<string | null>(null);
  const save = async () => {
    setError(null);
    const body = {
      name,
      timeZone,
      weeklyHours: Object.fromEntries(Object.entries(hours).map(([d, w]) => [d, [w]])),
      holidays: holidays
        .split(/[\s,]+/)
        .map((h) => h.trim())
        .filter(Boolean),
    };
    try {
      if (calendar) await updateCalendar(calendar.id, body);
      else await createCalendar(body);
      void queryClient.invalidateQueries({ queryKey: serviceDeskKeys.calendars });
      onClose();
    } catch (err) {
      setError(
        err instanceof ApiError
          ? err.errors.map((e) => `${e.path}: ${e.message}`).join('; ') || err.message
          : 'Could not save.',
      );
    }
  };
  return (
    <Modal opened onClose={onClose} title={calendar ? 'Edit business hours' : 'New business hours'} size="lg">
      <Stack>
        <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
        <TextInput
          label="Time zone"
          description="IANA name, e.g. Europe/Berlin"
          value={timeZone}
          onChange={(e) => setTimeZone(e.currentTarget.value)}
          required
        />
        <Table aria-label="Weekly hours">
          <Table.Tbody>
            {DAYS.map((d) => {
              const w = hours[d];
              return (
                <Table.Tr key={d}>
                  <Table.Td>
                    <Checkbox
                      label={d}
                      checked={!!w}
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        setHours((h) => {
                          const next = { ...h };
                          if (on) next[d] = { start: '09:00', end: '17:00' };
                          else delete next[d];
                          return next;
                        });
                      }}
                    />
                  </Table.Td>
                  {(['start', 'end'] as const).map((k) => (
                    <Table.Td key={k}>
                      <TextInput
                        aria-label={`${d} ${k}`}
                        type="time"
                        value={w?.[k] ?? ''}
                        disabled={!w}
                        onChange={(e) => {
                          const v = e.currentTarget.value;
                          setHours((h) => ({ ...h, [d]: { ...(h[d] as { start: string; end: string }), [k]: v } }));
                        }}
                        w={120}
                      />
                    </Table.Td>
                  ))}
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
        <Textarea
          label="Holidays"
          description="One date per line, YYYY-MM-DD"
          value={holidays}
          onChange={(e) => setHolidays(e.currentTarget.value)}
          autosize
          minRows={2}
        />
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button onClick={save} disabled={!name.trim() || !timeZone.trim()}>
            Save business hours
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
