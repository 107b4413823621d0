import type { ModuleWorkDeps } from '../../platform/modules';
import { invitationConsumer } from './invitations';
import { ReminderSweeper } from './reminders';

/**
 * Activities' running part: the reminder sweeper, which runs with the background work
 * (tests sweep directly with their own clock), and the consumer sending meetings' iTIP
 * invitations (invitations.ts). Task assignment notices are a rule the
 * module registers (index.ts), told by the platform's one assignment notifier.
 */
export function activityWork(deps: ModuleWorkDeps) {
  const reminders = new ReminderSweeper({ database: deps.database, records: deps.records, log: deps.log });
  return {
    reminders,
    consumers: [
      invitationConsumer(deps.records, {
        mailDomain: deps.config.mailDomain,
        baseUrl: deps.config.baseUrl,
        now: deps.now,
      }),
    ],
    start: () => reminders.start(),
    stop: () => reminders.stop(),
  };
}
