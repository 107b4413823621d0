import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Database } from '../db/database';
import { backoffSeconds, type Job, type JobQueue, PermanentJobError, RetryJobError } from '../jobs/job-queue';
import { postWebhook } from './sender';
import { signatureHeader } from './signing';
import { urlProblem } from './ssrf-guard';

export const DELIVERY_QUEUE = 'webhooks.deliver';
/** Retries back off from 30 s, doubling to at most 1 h, for up to 24 h after the event. */
export const DELIVERY_BACKOFF = { base: 30, cap: 3600, windowSeconds: 86_400 };

export interface DeliveryPayload {
  deliveryId: string;
  /** Set by a manual replay: send even when an earlier attempt succeeded. */
  replay?: boolean;
}

interface DeliveryRow {
  id: string;
  workspace_id: string;
  event_id: string;
  event_type: string;
  body: string;
  status: string;
  url: string;
  secret: string;
  active: boolean;
  allow_private_network: boolean;
}

/** Registers the delivery worker on the job queue. */
export function defineDeliveryQueue(jobs: JobQueue, opts: { timeoutMs: number; concurrency?: number }): void {
  jobs.define<DeliveryPayload>(DELIVERY_QUEUE, (job, ctx) => deliver(job, ctx.database, ctx.now, opts.timeoutMs), {
    concurrency: opts.concurrency ?? 16,
    backoffSeconds: DELIVERY_BACKOFF.base,
    maxBackoffSeconds: DELIVERY_BACKOFF.cap,
    retryForSeconds: DELIVERY_BACKOFF.windowSeconds,
    maxAttempts: 100,
    // Longer than one exchange can take, so a live worker never loses its lease.
    leaseSeconds: Math.ceil(opts.timeoutMs / 1000) + 5,
    onFailed: async (job, error, ctx) => {
      await sql`update webhook_deliveries set status = 'failed', next_attempt_at = null, last_error = coalesce(last_error, ${error})
        where workspace_id = ${job.workspaceId} and id = ${(job.payload as DeliveryPayload).deliveryId}
          and status = 'pending'`.execute(ctx.database.db);
    },
  });
}

/**
 * One attempt: sign the stored body with the subscription's current secret, POST
 * it, and record the attempt with the delivery's new state in one transaction.
 * A delivery that already succeeded is not sent again (a job re-run after a crash
 * between recording and completing), except by a manual replay.
 */
async function deliver(job: Job<DeliveryPayload>, database: Database, now: () => Date, timeoutMs: number) {
  const { rows } = await sql<DeliveryRow>`
    select d.id, d.workspace_id, d.event_id, d.event_type, d.body, d.status,
      s.url, s.secret, s.active, s.allow_private_network
    from webhook_deliveries d
    join webhook_subscriptions s on s.workspace_id = d.workspace_id and s.id = d.subscription_id
    where d.workspace_id = ${job.workspaceId} and d.id = ${job.payload.deliveryId}`.execute(database.db);
  const d = rows[0];
  if (!d) return { skipped: 'delivery no longer exists' };
  if (d.status === 'succeeded' && !job.payload.replay) return { skipped: 'already delivered' };
  if (!d.active) throw new PermanentJobError('the webhook is inactive');
  const problem = urlProblem(d.url, d.allow_private_network);
  if (problem) {
    await record(database, d, now(), { durationMs: 0, error: `url ${problem}` }, 'failed');
    throw new PermanentJobError(`url ${problem}`);
  }
  const at = now();
  const t = Math.floor(at.getTime() / 1000);
  let outcome: { statusCode?: number; body?: string; durationMs: number; error?: string; retryAfterSeconds?: number };
  try {
    outcome = await postWebhook({
      url: d.url,
      body: d.body,
      allowPrivateNetwork: d.allow_private_network,
      timeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Rapport-Webhooks/1',
        'rapport-signature': signatureHeader(d.secret, d.body, t),
        'rapport-event-id': d.event_id,
        'rapport-event-type': d.event_type,
        'rapport-delivery-id': d.id,
        'rapport-delivery-attempt': String(job.attempt),
      },
    });
  } catch (err) {
    outcome = { durationMs: Math.round(now().getTime() - at.getTime()), error: String((err as Error).message) };
  }
  const ok = outcome.statusCode !== undefined && outcome.statusCode >= 200 && outcome.statusCode < 300;
  if (ok) {
    await record(database, d, at, outcome, 'succeeded');
    return { statusCode: outcome.statusCode };
  }
  const reason =
    outcome.error ??
    (outcome.statusCode !== undefined && outcome.statusCode >= 300 && outcome.statusCode < 400
      ? `receiver answered ${outcome.statusCode} (redirects are not followed)`
      : `receiver answered ${outcome.statusCode}`);
  if (outcome.statusCode === 410) {
    await record(database, d, at, outcome, 'failed', reason);
    throw new PermanentJobError(`${reason}: the receiver is gone`);
  }
  const retryAfter =
    (outcome.statusCode === 429 || outcome.statusCode === 503) && outcome.retryAfterSeconds !== undefined
      ? Math.min(outcome.retryAfterSeconds, DELIVERY_BACKOFF.cap)
      : undefined;
  const delay = retryAfter ?? backoffSeconds(job.attempt, DELIVERY_BACKOFF.base, DELIVERY_BACKOFF.cap);
  await record(database, d, at, outcome, 'pending', reason, new Date(at.getTime() + delay * 1000));
  if (retryAfter !== undefined) throw new RetryJobError(reason, retryAfter);
  throw new Error(reason);
}

async function record(
  database: Database,
  d: DeliveryRow,
  at: Date,
  outcome: { statusCode?: number; body?: string; durationMs: number; error?: string },
  status: 'succeeded' | 'pending' | 'failed',
  error?: string,
  nextAttemptAt?: Date,
): Promise<void> {
  await database.system(async (tx) => {
    await sql`insert into webhook_attempts (workspace_id, id, delivery_id, attempted_at, status_code, duration_ms, response_body, error)
      values (${d.workspace_id}, ${uuidv7()}, ${d.id}, ${at}, ${outcome.statusCode ?? null}, ${outcome.durationMs},
              ${outcome.body ?? null}, ${outcome.error ?? error ?? null})`.execute(tx);
    await sql`update webhook_deliveries set status = ${status}, attempts = attempts + 1,
        last_status_code = ${outcome.statusCode ?? null}, last_error = ${status === 'succeeded' ? null : (error ?? outcome.error ?? null)},
        last_duration_ms = ${outcome.durationMs}, next_attempt_at = ${nextAttemptAt ?? null},
        delivered_at = ${status === 'succeeded' ? at : sql`delivered_at`}
      where workspace_id = ${d.workspace_id} and id = ${d.id}`.execute(tx);
  });
}
