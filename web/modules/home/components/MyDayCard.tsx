import { Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { AnchorLink, TAPPABLE } from '../../../ui/links';
import { recordKeys } from '../../records/api/record-keys';
import { updateRecord } from '../../records/api/records.api';
import { browserTimeZone, myDayQuery } from '../../tasks/api/tasks.api';
import { AgendaItem } from '../../tasks/components/AgendaItem';
import { CardError } from './CardError';
import { HomeCardFrame } from './HomeCardFrame';

const SHOWN = 5;

/** Today's tasks (due and overdue) and meetings, with quick complete; the whole day one click away. */
export function MyDayCard() {
  const day = useQuery(myDayQuery(browserTimeZone()));
  const queryClient = useQueryClient();
  const toggle = async (id: string, done: boolean) => {
    await updateRecord('tasks', id, { status: done ? 'done' : 'open' }, null);
    await queryClient.invalidateQueries({ queryKey: ['my-day'] });
    void queryClient.invalidateQueries({ queryKey: recordKeys.all('tasks') });
  };
  const action = (
    <AnchorLink to="/my-day" size="sm" {...TAPPABLE}>
      See all of today
    </AnchorLink>
  );
  return (
    <HomeCardFrame id="my-day" title="Today" action={action}>
      {day.isPending ? (
        <Text c="dimmed" size="sm">
          Loading…
        </Text>
      ) : day.isError ? (
        <CardError error={day.error} />
      ) : (
        <Stack gap="sm">
          <Text size="sm" fw={600}>
            {day.data.tasks.length === 0
              ? 'No tasks due today.'
              : `${day.data.tasks.length} task${day.data.tasks.length === 1 ? '' : 's'} due${
                  day.data.overdue > 0 ? `, ${day.data.overdue} overdue` : ''
                }`}
          </Text>
          {day.data.tasks.length > 0 && (
            <Stack gap="sm" component="ul" p={0} m={0}>
              {day.data.tasks.slice(0, SHOWN).map((t) => (
                <AgendaItem key={t.id} kind="task" record={t} onToggle={toggle} />
              ))}
            </Stack>
          )}
          <Text size="sm" fw={600}>
            {day.data.meetings.length === 0
              ? 'No meetings today.'
              : `${day.data.meetings.length} meeting${day.data.meetings.length === 1 ? '' : 's'}`}
          </Text>
          {day.data.meetings.length > 0 && (
            <Stack gap="sm" component="ul" p={0} m={0}>
              {day.data.meetings.slice(0, SHOWN).map((m) => (
                <AgendaItem key={m.id} kind="meeting" record={m} />
              ))}
            </Stack>
          )}
        </Stack>
      )}
    </HomeCardFrame>
  );
}
