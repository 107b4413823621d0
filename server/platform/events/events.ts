import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Actor } from '../auth/actor';
import type { Tx } from '../db/database';

/** Wakes dispatchers on every app server when events commit (NOTIFY is delivered on commit). */
export const EVENTS_CHANNEL = 'rapport_events';

/** What a change reports. `type` is `object.action`: `contact.created`, `opportunity.stage_changed`. */
export interface EventInput {
  type: string;
  /** The object (plural API name) and record the event is about, for the record's timeline. */
  object?: string;
  recordId?: string;
  data?: Record<string, unknown>;
}

/** An event as stored and handed to consumers. */
export interface StoredEvent {
  id: string;
  workspaceId: string;
  type: string;
  object: string | null;
  recordId: string | null;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** Who caused an event: a request's caller, or the system (workflows, schedules) in a workspace. */
export type EventActor = Pick<Actor, 'workspaceId' | 'userId'> & { apiKeyId?: string };

/** The id webhooks and other public consumers show: `evt_` + the event's uuid. */
export const publicEventId = (id: string): string => `evt_${id}`;

/**
 * Appends an event in the caller's transaction, so it exists if and only if the
 * change that caused it commits (the transactional outbox). Returns its id.
 */
export async function emitEvent(tx: Tx, actor: EventActor, event: EventInput): Promise<string> {
  const [id] = await emitEvents(tx, actor, [event]);
  return id as string;
}

/** Appends many events in one statement (batch writes); ids in input order. */
export async function emitEvents(tx: Tx, actor: EventActor, events: EventInput[]): Promise<string[]> {
  if (events.length === 0) return [];
  const rows = events.map((e, n) => ({
    n,
    id: uuidv7(),
    type: e.type,
    object: e.object ?? null,
    record_id: e.recordId ?? null,
    data: e.data ?? {},
  }));
  // One round trip: the insert and the wake-up (NOTIFY is delivered on commit).
  await sql`with added as (
      insert into events (workspace_id, id, type, object, record_id, actor_user_id, actor_api_key_id, data)
      select ${actor.workspaceId}::uuid, v.id, v.type, v.object, v.record_id, ${actor.userId}::uuid,
        ${actor.apiKeyId ?? null}::uuid, v.data
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as v(n int, id uuid, type text, object text, record_id uuid, data jsonb)
      order by v.n)
    select pg_notify(${EVENTS_CHANNEL}, '')`.execute(tx);
  return rows.map((r) => r.id);
}
