import type { FastifyBaseLogger as Logger } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Database } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import type { JobQueue } from '../../platform/jobs/job-queue';
import { assignmentNotifier } from '../../platform/notifications/assignment-notifier';
import { NotificationMailer } from '../../platform/notifications/notification-mailer';
import type { RecordService } from '../../platform/records/records.service';
import { AutomationSettingsService } from './automation-settings.service';
import { httpWebhookSender, type WebhookSender } from './outbound-webhook';
import { WorkflowRunner } from './workflow-runner';
import { WorkflowScheduler, workflowTriggerConsumer } from './workflow-triggers';
import { workflowRoutes } from './workflows.routes';
import { WorkflowService } from './workflows.service';

/** The workflow API (registered by buildApp). */
export function workflowPlugin(deps: {
  database: Database;
  records: RecordService;
  webhooksAllowPrivate: boolean;
}): FastifyPluginAsyncZod {
  return workflowRoutes({ workflows: new WorkflowService(deps), settings: new AutomationSettingsService(deps) });
}

/** Background automation: the workflow trigger consumer, step runner, date/schedule scanner, notification emails. */
export interface Automation {
  /** The workflow trigger consumer. */
  triggers: EventConsumer;
  /** Every event consumer of automation (triggers, assignment notifications): register before the dispatcher starts. */
  consumers: EventConsumer[];
  runner: WorkflowRunner;
  scheduler: WorkflowScheduler;
  notificationMailer: NotificationMailer;
  start(): void;
  stop(): Promise<void>;
}

export function createAutomation(deps: {
  database: Database;
  records: RecordService;
  log: Logger;
  baseUrl: string;
  now?: () => Date;
  webhooks?: WebhookSender;
  /** config.webhooksAllowPrivate (RAPPORT_WEBHOOKS_ALLOW_PRIVATE) */
  webhooksAllowPrivate?: boolean;
  /** config.workflowWebhookLeaseSeconds (the runner's default when absent) */
  webhookLeaseSeconds?: number;
  /** With the job queue, the date/schedule scan is its cron job: once a minute across all app servers. */
  jobs?: JobQueue;
  /** config.mailDomain: Message-IDs of the campaign emails steps send. */
  mailDomain?: string;
}): Automation {
  const now = deps.now ?? (() => new Date());
  // Outbound webhooks never reach private or loopback addresses unless the operator allows it
  // (on-premise receivers, tests): RAPPORT_WEBHOOKS_ALLOW_PRIVATE=1.
  const webhooks = deps.webhooks ?? httpWebhookSender({ allowPrivate: deps.webhooksAllowPrivate ?? false });
  const runner = new WorkflowRunner({
    database: deps.database,
    records: deps.records,
    log: deps.log,
    webhooks,
    now,
    // How long a webhook attempt holds its step: after a crash mid-request, the same delivery is resent then.
    leaseSeconds: deps.webhookLeaseSeconds,
    mail: { baseUrl: deps.baseUrl, mailDomain: deps.mailDomain ?? 'rapport.local' },
  });
  const scheduler = new WorkflowScheduler({ database: deps.database, records: deps.records, log: deps.log, now });
  const notificationMailer = new NotificationMailer({ database: deps.database, log: deps.log, baseUrl: deps.baseUrl });
  if (deps.jobs) {
    deps.jobs.define('workflows.scan', async () => ({ started: await scheduler.scan() }), {
      concurrency: 1,
      maxAttempts: 2,
    });
    deps.jobs.schedule('workflows.scan', '* * * * *', { queue: 'workflows.scan' });
  }
  const triggers = workflowTriggerConsumer({ now, log: deps.log });
  return {
    triggers,
    consumers: [triggers, assignmentNotifier(deps.records)],
    runner,
    scheduler,
    notificationMailer,
    start() {
      runner.start();
      if (!deps.jobs) scheduler.start();
      notificationMailer.start();
    },
    async stop() {
      await Promise.all([runner.stop(), scheduler.stop(), notificationMailer.stop()]);
    },
  };
}
