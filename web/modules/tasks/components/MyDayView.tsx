import { Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { recordKeys } from '../../records/api/record-keys';
import { updateRecord } from '../../records/api/records.api';
import { browserTimeZone, myDayQuery } from '../api/tasks.api';
import { AgendaItem } from './AgendaItem';

const longDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeZone: 'UTC' });

/** Today's open and overdue tasks and today's meetings, with quick complete. */
export function MyDayView() {
  const tz = browserTimeZone();
  const day = useQuery(myDayQuery(tz));
  const queryClient = useQueryClient();
  const toggle = async (id: string, done: boolean) => {
    await updateRecord('tasks', id, { status: done ? 'done' : 'open' }, null);
    await queryClient.invalidateQueries({ queryKey: ['my-day'] });
    void queryClient.invalidateQueries({ queryKey: recordKeys.all('tasks') });
  };
  if (day.isPending) return <Text c="dimmed">Loading…</Text>;
  if (day.isError)
    return (
      <Text c="red.8" role="alert">
        {day.error.message}
      </Text>
    );
  const { tasks, meetings, date } = day.data;
  return (
    <Stack gap="md">
      <div>
        <Title order={1} fz="h2">
          My day
        </Title>
        <Text c="dimmed">{longDate.format(new Date(`${date}T00:00:00Z`))}</Text>
      </div>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Card withBorder radius="md" component="section" aria-labelledby="my-tasks">
          <Title order={2} fz="h5" id="my-tasks" mb="sm">
            Tasks ({tasks.length})
          </Title>
          {tasks.length === 0 ? (
            <Text size="sm" c="dimmed">
              Nothing due today.
            </Text>
          ) : (
            <Stack gap="sm" component="ul" p={0} m={0}>
              {tasks.map((t) => (
                <AgendaItem key={t.id} kind="task" record={t} onToggle={toggle} />
              ))}
            </Stack>
          )}
        </Card>
        <Card withBorder radius="md" component="section" aria-labelledby="my-meetings">
          <Title order={2} fz="h5" id="my-meetings" mb="sm">
            Meetings ({meetings.length})
          </Title>
          {meetings.length === 0 ? (
            <Text size="sm" c="dimmed">
              No meetings today.
            </Text>
          ) : (
            <Stack gap="sm" component="ul" p={0} m={0}>
              {meetings.map((m) => (
                <AgendaItem key={m.id} kind="meeting" record={m} />
              ))}
            </Stack>
          )}
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
