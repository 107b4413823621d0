import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { SecretBox } from '../crypto/secret-box';
import type { Database } from '../db/database';
import { coalesce } from '../jobs/coalesce';
import { backoffSeconds, type Job, type JobQueue, PermanentJobError, RetryJobError } from '../jobs/job-queue';
import { SendError, sendOutbound } from './sender';
import { signatureHeader } from './signing';
import { urlProblem } from './ssrf-guard';
import { openWebhookSecret } from './webhook-secrets';

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
  subscription_id: string;
  url: string;
  secret: string;
  active: boolean;
}

interface AttemptRecord {
  workspace_id: string;
  delivery_id: string;
  attempt_id: string;
  at: string;
  status_code: number | null;
  duration_ms: number;
  response_body: string | null;
  error: string | null;
  status: 'succeeded' | 'pending' | 'failed';
  next_attempt_at: string | null;
}

/** Loads and records for concurrent deliveries in one statement each (see jobs/coalesce.ts). */
function deliveryStore(database: Database) {
  const load = coalesce(async (keys: { workspaceId: string; id: string }[]) => {
    const { rows } = await sql<DeliveryRow>`
      select d.id, d.workspace_id, d.event_id, d.event_type, d.body, d.status,
        d.subscription_id, s.url, s.secret, s.active
      from jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as k("workspaceId" uuid, id uuid)
      join webhook_deliveries d on d.workspace_id = k."workspaceId" and d.id = k.id
      join webhook_subscriptions s on s.workspace_id = d.workspace_id and s.id = d.subscription_id`.execute(
      database.db,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return keys.map((k) => byId.get(k.id));
  });
  // The attempt and the delivery's new state in one statement (atomic), for many deliveries at once.
  const record = coalesce(async (records: AttemptRecord[]) => {
    await sql`
      with v as (
        select * from jsonb_to_recordset(${JSON.stringify(records)}::jsonb) as v(workspace_id uuid, delivery_id uuid,
          attempt_id uuid, at timestamptz, status_code int, duration_ms int, response_body text, error text,
          status text, next_attempt_at timestamptz)),
      logged as (
        insert into webhook_attempts (workspace_id, id, delivery_id, attempted_at, status_code, duration_ms, response_body, error)
        select workspace_id, attempt_id, delivery_id, at, status_code, duration_ms, response_body, error from v)
      update webhook_deliveries d set status = v.status, attempts = d.attempts + 1,
        last_status_code = v.status_code, last_error = case when v.status = 'succeeded' then null else v.error end,
        last_duration_ms = v.duration_ms, next_attempt_at = v.next_attempt_at,
        delivered_at = case when v.status = 'succeeded' then v.at else d.delivered_at end
      from v where d.workspace_id = v.workspace_id and d.id = v.delivery_id`.execute(database.db);
    return records.map(() => undefined);
  });
  return { load, record };
}

/** Registers the delivery worker on the job queue. */
export function defineDeliveryQueue(
  jobs: JobQueue,
  opts: { timeoutMs: number; allowPrivateNetwork: boolean; secrets: SecretBox; concurrency?: number },
): void {
  let store: ReturnType<typeof deliveryStore> | undefined;
  jobs.define<DeliveryPayload>(
    DELIVERY_QUEUE,
    (job, ctx) => {
      store ??= deliveryStore(ctx.database);
      return deliver(job, store, ctx.now, opts);
    },
    {
      concurrency: opts.concurrency ?? 128,
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
    },
  );
}

/**
 * One attempt: sign the stored body with the subscription's current secret, POST
 * it, and record the attempt with the delivery's new state in one transaction.
 * A delivery that already succeeded is not sent again (a job re-run after a crash
 * between recording and completing), except by a manual replay.
 */
async function deliver(
  job: Job<DeliveryPayload>,
  store: ReturnType<typeof deliveryStore>,
  now: () => Date,
  opts: { timeoutMs: number; allowPrivateNetwork: boolean; secrets: SecretBox },
) {
  const d = await store.load({ workspaceId: job.workspaceId as string, id: job.payload.deliveryId });
  const record = (
    d: DeliveryRow,
    at: Date,
    outcome: { statusCode?: number; body?: string; durationMs: number; error?: string },
    status: AttemptRecord['status'],
    error?: string,
    nextAttemptAt?: Date,
  ) =>
    store.record({
      workspace_id: d.workspace_id,
      delivery_id: d.id,
      attempt_id: uuidv7(),
      at: at.toISOString(),
      status_code: outcome.statusCode ?? null,
      duration_ms: outcome.durationMs,
      response_body: outcome.body ?? null,
      error: outcome.error ?? error ?? null,
      status,
      next_attempt_at: nextAttemptAt ? nextAttemptAt.toISOString() : null,
    });
  if (!d) return { skipped: 'delivery no longer exists' };
  if (d.status === 'succeeded' && !job.payload.replay) return { skipped: 'already delivered' };
  if (!d.active) throw new PermanentJobError('the webhook is inactive');
  // Checked again at every attempt: the URL was accepted under the settings of its day.
  const problem = urlProblem(d.url, opts.allowPrivateNetwork);
  if (problem) {
    await record(d, now(), { durationMs: 0, error: `url ${problem}` }, 'failed');
    throw new PermanentJobError(`url ${problem}`);
  }
  let secret: string;
  try {
    secret = openWebhookSecret(opts.secrets, d.workspace_id, d.subscription_id, d.secret);
  } catch {
    // Sealed under a key this server does not have (RAPPORT_ENCRYPTION_KEY changed without
    // RAPPORT_ENCRYPTION_KEY_PREVIOUS): retrying cannot help, a new secret can.
    const error = 'the signing secret cannot be read; rotate it';
    await record(d, now(), { durationMs: 0, error }, 'failed');
    throw new PermanentJobError(error);
  }
  const at = now();
  const t = Math.floor(at.getTime() / 1000);
  let outcome: { statusCode?: number; body?: string; durationMs: number; error?: string; retryAfterSeconds?: number };
  try {
    const res = await sendOutbound({
      url: d.url,
      body: d.body,
      allowPrivateNetwork: opts.allowPrivateNetwork,
      timeoutMs: opts.timeoutMs,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Rapport-Webhooks/1',
        'rapport-signature': signatureHeader(secret, d.body, t),
        'rapport-event-id': d.event_id,
        'rapport-event-type': d.event_type,
        'rapport-delivery-id': d.id,
        'rapport-delivery-attempt': String(job.attempt),
      },
    });
    outcome = { ...res, body: res.excerpt ?? undefined };
  } catch (err) {
    // SendError messages are written for the workspace; anything else is not shown to it.
    const error = err instanceof SendError ? err.message : 'the delivery could not be sent';
    outcome = { durationMs: Math.round(now().getTime() - at.getTime()), error };
  }
  const ok = outcome.statusCode !== undefined && outcome.statusCode >= 200 && outcome.statusCode < 300;
  if (ok) {
    await record(d, at, outcome, 'succeeded');
    return { statusCode: outcome.statusCode };
  }
  const reason =
    outcome.error ??
    (outcome.statusCode !== undefined && outcome.statusCode >= 300 && outcome.statusCode < 400
      ? `receiver answered ${outcome.statusCode} (redirects are not followed)`
      : `receiver answered ${outcome.statusCode}`);
  if (outcome.statusCode === 410) {
    await record(d, at, outcome, 'failed', reason);
    throw new PermanentJobError(`${reason}: the receiver is gone`);
  }
  const retryAfter =
    (outcome.statusCode === 429 || outcome.statusCode === 503) && outcome.retryAfterSeconds !== undefined
      ? Math.min(outcome.retryAfterSeconds, DELIVERY_BACKOFF.cap)
      : undefined;
  const delay = retryAfter ?? backoffSeconds(job.attempt, DELIVERY_BACKOFF.base, DELIVERY_BACKOFF.cap);
  await record(d, at, outcome, 'pending', reason, new Date(at.getTime() + delay * 1000));
  if (retryAfter !== undefined) throw new RetryJobError(reason, retryAfter);
  throw new Error(reason);
}
