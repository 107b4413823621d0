import type { ModuleWorkDeps } from '../../platform/modules';
import { assignmentNotifier } from './assignment-notifier';
import { ReminderSweeper } from './reminders';

/**
 * Activities' running parts: the task assignment notification consumer (registered
 * always, so tests can drain the dispatcher) and the reminder sweeper, which runs with
 * the background work (tests sweep directly with their own clock).
 */
export function activityWork(deps: ModuleWorkDeps) {
  const reminders = new ReminderSweeper({ database: deps.database, records: deps.records, log: deps.log });
  return {
    consumers: [assignmentNotifier(deps.records)],
    reminders,
    start: () => reminders.start(),
    stop: () => reminders.stop(),
  };
}
