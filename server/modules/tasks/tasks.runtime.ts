import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Database } from '../../platform/db/database';
import type { EventDispatcher } from '../../platform/events/dispatcher';
import { assignmentNotifier } from './assignment-notifier';
import { ReminderSweeper } from './reminders';

/**
 * Wires tasks into the runtime: the assignment notifier consumes events (registered
 * always, so tests can drain the dispatcher), the reminder sweeper runs with the
 * background work.
 */
export function setupTaskWork(deps: { database: Database; events: EventDispatcher; log: Logger }) {
  deps.events.register(assignmentNotifier);
  const reminders = new ReminderSweeper({ database: deps.database, log: deps.log });
  return {
    reminders,
    start: () => reminders.start(),
    stop: () => reminders.stop(),
  };
}
