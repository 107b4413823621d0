import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Database } from '../../platform/db/database';
import type { EventDispatcher } from '../../platform/events/dispatcher';
import type { RecordService } from '../../platform/records/records.service';
import { lastContactedUpdater } from '../interactions/last-contacted';
import { assignmentNotifier } from './assignment-notifier';
import { ReminderSweeper } from './reminders';

/**
 * Wires activities into the runtime: event consumers (task assignment notifications,
 * contacts' last-contacted date; registered always, so tests can drain the dispatcher)
 * and the reminder sweeper, which runs with the background work.
 */
export function setupActivityWork(deps: {
  database: Database;
  events: EventDispatcher;
  records: RecordService;
  log: Logger;
}) {
  deps.events.register(assignmentNotifier(deps.records));
  deps.events.register(lastContactedUpdater(deps.records));
  const reminders = new ReminderSweeper({ database: deps.database, records: deps.records, log: deps.log });
  return {
    reminders,
    start: () => reminders.start(),
    stop: () => reminders.stop(),
  };
}
