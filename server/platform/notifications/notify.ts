import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Tx } from '../db/database';

/** Tells every app server a notification was written (delivered on commit): realtime fan-out. */
export const NOTIFICATIONS_CHANNEL = 'rapport_notifications';

export interface NotificationInput {
  workspaceId: string;
  userId: string;
  /** mention, assignment, reminder, workflow, … */
  kind: string;
  title: string;
  body?: string;
  object?: string;
  recordId?: string;
  actorUserId?: string | null;
  /** Notifying again with the same key (per user) does nothing: reminders and redelivered events notify once. */
  dedupeKey?: string;
}

/**
 * Writes an in-app notification in the caller's transaction. Returns its id, or null
 * when one with the same dedupe key already exists for that user.
 */
export async function notify(tx: Tx, n: NotificationInput): Promise<string | null> {
  const id = uuidv7();
  const { rows } = await sql<{ id: string }>`
    insert into notifications (workspace_id, id, user_id, kind, title, body, object, record_id, actor_user_id, dedupe_key)
    values (${n.workspaceId}, ${id}, ${n.userId}, ${n.kind}, ${n.title.slice(0, 300)}, ${n.body?.slice(0, 4000) ?? null},
      ${n.object ?? null}, ${n.recordId ?? null}, ${n.actorUserId ?? null}, ${n.dedupeKey ?? null})
    on conflict (workspace_id, user_id, dedupe_key) where dedupe_key is not null do nothing
    returning id`.execute(tx);
  if (!rows[0]) return null;
  await sql`select pg_notify(${NOTIFICATIONS_CHANNEL}, ${JSON.stringify({ workspaceId: n.workspaceId, userId: n.userId, id })})`.execute(
    tx,
  );
  return id;
}
