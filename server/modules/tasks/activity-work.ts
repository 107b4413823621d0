import type { ModuleWorkDeps } from '../../platform/modules';
import { ReminderSweeper } from './reminders';

/**
 * Activities' running part: the reminder sweeper, which runs with the background work
 * (tests sweep directly with their own clock). Task assignment notices are a rule the
 * module registers (index.ts), told by the platform's one assignment notifier.
 */
export function activityWork(deps: ModuleWorkDeps) {
  const reminders = new ReminderSweeper({ database: deps.database, records: deps.records, log: deps.log });
  return {
    reminders,
    start: () => reminders.start(),
    stop: () => reminders.stop(),
  };
}
