import type { FastifyBaseLogger as Logger } from 'fastify';
import type { Database } from '../../platform/db/database';
import type { EventDispatcher } from '../../platform/events/dispatcher';
import type { RecordService } from '../../platform/records/records.service';
import { lastContactedUpdater } from '../interactions/last-contacted';
import { ReminderSweeper } from './reminders';
import { taskAssignmentNotice } from './task-assignment';

/**
 * Wires activities into the runtime: event consumers (contacts' last-contacted date;
 * registered always, so tests can drain the dispatcher), the reminder sweeper, which
 * runs with the background work, and how tasks tell their assignee (`assignmentNotices`,
 * for the platform's one assignment notifier).
 */
export function setupActivityWork(deps: {
  database: Database;
  events: EventDispatcher;
  records: RecordService;
  log: Logger;
}) {
  deps.events.register(lastContactedUpdater(deps.records));
  const reminders = new ReminderSweeper({ database: deps.database, records: deps.records, log: deps.log });
  return {
    reminders,
    assignmentNotices: { tasks: taskAssignmentNotice },
    start: () => reminders.start(),
    stop: () => reminders.stop(),
  };
}
