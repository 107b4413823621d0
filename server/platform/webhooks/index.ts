import type { SecretBox } from '../crypto/secret-box';
import type { EventDispatcher } from '../events/dispatcher';
import type { JobQueue } from '../jobs/job-queue';
import type { RecordService } from '../records/records.service';
import { defineDeliveryQueue } from './delivery-worker';
import { webhookFanOut } from './fan-out';

/** Wires webhooks into the runtime: the fan-out consumer and the delivery worker. */
export function registerWebhooks(deps: {
  jobs: JobQueue;
  events: EventDispatcher;
  records: RecordService;
  timeoutMs: number;
  /** The operator's RAPPORT_WEBHOOKS_ALLOW_PRIVATE. */
  allowPrivateNetwork: boolean;
  /** Opens the sealed signing secrets. */
  secrets: SecretBox;
}): void {
  defineDeliveryQueue(deps.jobs, {
    timeoutMs: deps.timeoutMs,
    allowPrivateNetwork: deps.allowPrivateNetwork,
    secrets: deps.secrets,
  });
  deps.events.register(webhookFanOut(deps.jobs, deps.records));
}
