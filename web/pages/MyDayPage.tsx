import { MyDayView } from '../modules/tasks/components/MyDayView';

/** The caller's day: tasks due and meetings. */
export function MyDayPage() {
  return <MyDayView />;
}
