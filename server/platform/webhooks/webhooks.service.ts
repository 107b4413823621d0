import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { z } from 'zod';
import type { CreateWebhookRequest, TDelivery, TWebhook } from '../../../common/contracts/webhooks';
import { assertRoleExists } from '../access/permissions';
import type { Actor } from '../auth/actor';
import type { SecretBox } from '../crypto/secret-box';
import type { Tx } from '../db/database';
import { publicEventId } from '../events/events';
import { AppError, invalidField, notFound } from '../http/errors';
import type { JobQueue } from '../jobs/job-queue';
import { DELIVERY_QUEUE } from './delivery-worker';
import { deliveryBody } from './fan-out';
import { newWebhookSecret } from './signing';
import { resolvesToBlocked, urlProblem } from './ssrf-guard';
import { sealWebhookSecret } from './webhook-secrets';

export type SubscriptionInput = z.infer<typeof CreateWebhookRequest>;

/** The operator's network setting (RAPPORT_WEBHOOKS_ALLOW_PRIVATE), the same for every workspace. */
export interface NetworkPolicy {
  allowPrivateNetwork: boolean;
}

interface SubRow {
  id: string;
  url: string;
  description: string | null;
  event_types: string[];
  secret_hint: string;
  role: string;
  active: boolean;
  sharing: boolean;
  created_at: Date;
  updated_at: Date;
}

const presentSub = (r: SubRow): TWebhook => ({
  id: r.id,
  url: r.url,
  description: r.description,
  eventTypes: r.event_types,
  role: r.role,
  active: r.active,
  sharing: r.sharing,
  /** The secret's last characters, to tell secrets apart; the secret itself is shown once. */
  secretHint: `whsec_…${r.secret_hint}`,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** 422 naming `url` unless the URL is acceptable under the operator's network setting. */
async function checkUrl(url: string, network: NetworkPolicy): Promise<void> {
  const problem = urlProblem(url, network.allowPrivateNetwork);
  if (problem) throw invalidField('url', problem);
  if (!network.allowPrivateNetwork) {
    const blocked = await resolvesToBlocked(url);
    if (blocked) throw invalidField('url', blocked);
  }
}

async function loadSub(tx: Tx, id: string, lock = false): Promise<SubRow> {
  const { rows } = await sql<SubRow>`select id, url, description, event_types, secret_hint, role, active,
      sharing, created_at, updated_at from webhook_subscriptions where workspace_id = rapport_workspace() and id = ${id}
      ${lock ? sql`for update` : sql``}`.execute(tx);
  if (!rows[0]) throw notFound('Webhook');
  return rows[0];
}

/** A new subscription; its signing secret is sealed at rest and in this answer only. */
export async function createSubscription(
  tx: Tx,
  actor: Actor,
  input: SubscriptionInput,
  network: NetworkPolicy,
  box: SecretBox,
) {
  await checkUrl(input.url, network);
  const role = input.role ?? actor.role;
  await assertRoleExists(tx, role);
  const id = uuidv7();
  const secret = newWebhookSecret();
  await sql`insert into webhook_subscriptions (workspace_id, id, url, description, event_types, secret, secret_hint,
      role, active, sharing, created_by)
    values (${actor.workspaceId}, ${id}, ${input.url}, ${input.description ?? null}, ${input.eventTypes}::text[],
      ${sealWebhookSecret(box, actor.workspaceId, id, secret)}, ${secret.slice(-4)},
      ${role}, ${input.active ?? true}, ${input.sharing ?? false}, ${actor.userId})`.execute(tx);
  return { ...presentSub(await loadSub(tx, id)), secret };
}

export async function listSubscriptions(tx: Tx): Promise<TWebhook[]> {
  const { rows } = await sql<SubRow>`select id, url, description, event_types, secret_hint, role, active,
      sharing, created_at, updated_at from webhook_subscriptions where workspace_id = rapport_workspace() order by created_at`.execute(
    tx,
  );
  return rows.map(presentSub);
}

export const getSubscription = async (tx: Tx, id: string) => presentSub(await loadSub(tx, id));

/** Changes a subscription; the administrator who changes it vouches for it from now on (see fan-out.ts). */
export async function updateSubscription(
  tx: Tx,
  actor: Actor,
  id: string,
  patch: Partial<SubscriptionInput>,
  network: NetworkPolicy,
) {
  const current = await loadSub(tx, id, true);
  if (patch.url !== undefined) await checkUrl(patch.url, network);
  if (patch.role !== undefined) await assertRoleExists(tx, patch.role);
  await sql`update webhook_subscriptions set
      url = ${patch.url ?? current.url},
      description = ${patch.description === undefined ? current.description : patch.description},
      event_types = ${patch.eventTypes ?? current.event_types}::text[],
      role = ${patch.role ?? current.role},
      active = ${patch.active ?? current.active},
      sharing = ${patch.sharing ?? current.sharing},
      created_by = coalesce(${actor.userId}::uuid, created_by),
      updated_at = now()
    where workspace_id = rapport_workspace() and id = ${id}`.execute(tx);
  return presentSub(await loadSub(tx, id));
}

export async function deleteSubscription(tx: Tx, id: string): Promise<void> {
  const { rows } = await sql`delete from webhook_subscriptions where workspace_id = rapport_workspace() and id = ${id}
    returning id`.execute(tx);
  if (rows.length === 0) throw notFound('Webhook');
}

/** A new secret, effective for the next attempt; shown in this answer only. */
export async function rotateSecret(tx: Tx, actor: Actor, id: string, box: SecretBox) {
  await loadSub(tx, id, true);
  const secret = newWebhookSecret();
  await sql`update webhook_subscriptions set secret = ${sealWebhookSecret(box, actor.workspaceId, id, secret)},
      secret_hint = ${secret.slice(-4)}, updated_at = now()
    where workspace_id = rapport_workspace() and id = ${id}`.execute(tx);
  return { ...presentSub(await loadSub(tx, id)), secret };
}

interface DeliveryRow {
  id: string;
  event_id: string;
  event_type: string;
  status: TDelivery['status'];
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  last_duration_ms: number | null;
  next_attempt_at: Date | null;
  created_at: Date;
  delivered_at: Date | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const presentDelivery = (r: DeliveryRow): TDelivery => ({
  id: r.id,
  eventId: r.event_id,
  eventType: r.event_type,
  status: r.status,
  attempts: r.attempts,
  lastStatusCode: r.last_status_code,
  lastError: r.last_error,
  lastDurationMs: r.last_duration_ms,
  nextAttemptAt: iso(r.next_attempt_at),
  createdAt: new Date(r.created_at).toISOString(),
  deliveredAt: iso(r.delivered_at),
});

const DELIVERY_COLUMNS = sql`id, event_id, event_type, status, attempts, last_status_code, last_error, last_duration_ms,
  next_attempt_at, created_at, delivered_at`;

/** The delivery log of a subscription, newest first. */
export async function listDeliveries(
  tx: Tx,
  subscriptionId: string,
  filter: { status?: string; before?: string; limit: number },
) {
  await loadSub(tx, subscriptionId);
  const { rows } = await sql<DeliveryRow>`select ${DELIVERY_COLUMNS} from webhook_deliveries
    where workspace_id = rapport_workspace() and subscription_id = ${subscriptionId}
      ${filter.status ? sql`and status = ${filter.status}` : sql``}
      ${filter.before ? sql`and id < ${filter.before}` : sql``}
    order by id desc limit ${filter.limit + 1}`.execute(tx);
  const page = rows.slice(0, filter.limit);
  return { data: page.map(presentDelivery), next: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null };
}

/** One delivery with its body and every attempt (time, duration, response code, a short excerpt of a public receiver's answer). */
export async function getDelivery(tx: Tx, subscriptionId: string, deliveryId: string) {
  const { rows } = await sql<DeliveryRow & { body: string }>`select ${DELIVERY_COLUMNS}, body from webhook_deliveries
    where workspace_id = rapport_workspace() and subscription_id = ${subscriptionId} and id = ${deliveryId}`.execute(
    tx,
  );
  const d = rows[0];
  if (!d) throw notFound('Delivery');
  const attempts = await sql<{
    attempted_at: Date;
    status_code: number | null;
    duration_ms: number;
    response_body: string | null;
    error: string | null;
  }>`select attempted_at, status_code, duration_ms, response_body, error from webhook_attempts
    where workspace_id = rapport_workspace() and delivery_id = ${deliveryId} order by attempted_at, id`.execute(tx);
  return {
    ...presentDelivery(d),
    body: d.body,
    attemptLog: attempts.rows.map((a) => ({
      attemptedAt: new Date(a.attempted_at).toISOString(),
      statusCode: a.status_code,
      durationMs: a.duration_ms,
      responseBody: a.response_body,
      error: a.error,
    })),
  };
}

/** Sends a delivery again now (same event id and body, signed afresh), whatever its state. */
export async function replayDelivery(tx: Tx, jobs: JobQueue, subscriptionId: string, deliveryId: string) {
  const sub = await loadSub(tx, subscriptionId);
  if (!sub.active) throw new AppError('conflict', 'The webhook is inactive; activate it before replaying');
  const { rows } = await sql`update webhook_deliveries set status = 'pending', next_attempt_at = now()
    where workspace_id = rapport_workspace() and subscription_id = ${subscriptionId} and id = ${deliveryId}
    returning workspace_id`.execute(tx);
  if (rows.length === 0) throw notFound('Delivery');
  await jobs.enqueue(tx, {
    queue: DELIVERY_QUEUE,
    workspaceId: (rows[0] as { workspace_id: string }).workspace_id,
    key: `replay:${deliveryId}:${uuidv7()}`,
    payload: { deliveryId, replay: true },
  });
  return getDelivery(tx, subscriptionId, deliveryId);
}

/** Queues a `webhook.ping` delivery to check the receiver and its signature verification. */
export async function pingSubscription(tx: Tx, jobs: JobQueue, actor: Actor, subscriptionId: string, now: Date) {
  const sub = await loadSub(tx, subscriptionId);
  const eventId = publicEventId(uuidv7());
  const id = uuidv7();
  const body = deliveryBody({
    id: eventId,
    type: 'webhook.ping',
    createdAt: now,
    workspaceId: actor.workspaceId,
    data: { webhookId: sub.id, url: sub.url },
  });
  await sql`insert into webhook_deliveries (workspace_id, id, subscription_id, event_id, event_type, body, next_attempt_at)
    values (${actor.workspaceId}, ${id}, ${sub.id}, ${eventId}, 'webhook.ping', ${body}, ${now})`.execute(tx);
  await jobs.enqueue(tx, {
    queue: DELIVERY_QUEUE,
    workspaceId: actor.workspaceId,
    key: id,
    payload: { deliveryId: id },
  });
  return getDelivery(tx, subscriptionId, id);
}
