import { Stack, Title } from '@mantine/core';
import { CalendarView } from '../modules/calendar/components/CalendarView';
import { FeedUrlCard } from '../modules/calendar/components/FeedUrlCard';

/** Meetings and tasks on a month or week grid, and the iCalendar feed. */
export function CalendarPage() {
  return (
    <Stack gap="md">
      <Title order={1} fz="h2">
        Calendar
      </Title>
      <CalendarView />
      <FeedUrlCard />
    </Stack>
  );
}
