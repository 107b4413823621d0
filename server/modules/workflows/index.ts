import { defineModule } from '../../platform/modules';
import { createAutomation, workflowPlugin } from './automation';

export type { Automation } from './automation';
export {
  type EnrolVia,
  EXIT_REASONS,
  type ExitReason,
  enrolInSequence,
  exitSequences,
} from './sequence-enrolment';
export { assertWorkflowManager, WorkflowService } from './workflows.service';

/** Workflows (triggers, steps, schedules, inbound hooks) and notification emails. */
export const workflowsModule = defineModule({
  name: 'workflows',
  routes: ({ database, records, config }) =>
    workflowPlugin({ database, records, webhooksAllowPrivate: config.webhooksAllowPrivate }),
  work: ({ database, records, log, config, jobs, now }) =>
    createAutomation({
      database,
      records,
      log,
      baseUrl: config.baseUrl,
      jobs,
      webhooksAllowPrivate: config.webhooksAllowPrivate,
      webhookLeaseSeconds: config.workflowWebhookLeaseSeconds,
      mailDomain: config.mailDomain,
      now,
    }),
});
