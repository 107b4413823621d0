import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Database, Tx } from '../../platform/db/database';
import type { JobQueue } from '../../platform/jobs/job-queue';
import type { OpenConnection } from './connections.service';
import { ShapeError, type SocialItem, splitDelivery } from './providers';

export const PROCESS_QUEUE = 'social.process';
/** The largest item kept as it is; a larger one is stored cut short, as rejected. */
export const MAX_ITEM_BYTES = 64 * 1024;

export interface Receipt {
  stored: number;
  duplicates: number;
  rejected: number;
}

async function storeRow(
  tx: Tx,
  jobs: JobQueue,
  conn: OpenConnection,
  providerEventId: string,
  payload: string,
  rejected: string | null,
): Promise<boolean> {
  const id = uuidv7();
  const { rows } = await sql<{ id: string }>`
    insert into social_events (workspace_id, id, connection_id, provider_event_id, payload, status, reason, processed_at)
    values (${conn.workspaceId}::uuid, ${id}::uuid, ${conn.id}::uuid, ${providerEventId.slice(0, 500)}, ${payload},
      ${rejected ? 'rejected' : 'pending'}, ${rejected}, ${rejected ? sql`now()` : null})
    on conflict (workspace_id, connection_id, provider_event_id) do nothing
    returning id`.execute(tx);
  if (!rows[0]) return false;
  if (!rejected)
    await jobs.enqueue(tx, { queue: PROCESS_QUEUE, workspaceId: conn.workspaceId, key: id, payload: { eventId: id } });
  return true;
}

/**
 * Stores a delivery whose signature was verified, in one transaction, before anything is
 * made of it: one row per provider event (a retry of the same event adds nothing) and a
 * processing job for each new one. A body that is not JSON or not the network's shape is
 * kept as one rejected row with the reason (the provider gets 200: it would only retry).
 */
export async function storeDelivery(
  database: Database,
  jobs: JobQueue,
  conn: OpenConnection,
  raw: Buffer,
): Promise<Receipt> {
  const text = raw.toString('utf8');
  const bodyId = `body:${createHash('sha256').update(raw).digest('hex')}`;
  let items: SocialItem[] | null = null;
  let reason: string | null = null;
  try {
    items = splitDelivery(conn.network, JSON.parse(text), conn.externalId);
  } catch (err) {
    reason = err instanceof ShapeError ? err.message : 'the body is not JSON';
  }
  return database.tenant(conn.workspaceId, async (tx) => {
    const receipt: Receipt = { stored: 0, duplicates: 0, rejected: 0 };
    await sql`update social_connections set last_event_at = now()
      where workspace_id = rapport_workspace() and id = ${conn.id}::uuid`.execute(tx);
    if (!items) {
      const kept = await storeRow(tx, jobs, conn, bodyId, text.slice(0, MAX_ITEM_BYTES), reason);
      receipt[kept ? 'rejected' : 'duplicates']++;
      return receipt;
    }
    for (const item of items) {
      const json = JSON.stringify(item.payload);
      const tooBig = Buffer.byteLength(json) > MAX_ITEM_BYTES;
      const kept = await storeRow(
        tx,
        jobs,
        conn,
        item.providerEventId,
        tooBig ? json.slice(0, MAX_ITEM_BYTES) : json,
        tooBig ? `the item is larger than ${MAX_ITEM_BYTES / 1024} KiB` : null,
      );
      if (!kept) receipt.duplicates++;
      else if (tooBig) receipt.rejected++;
      else receipt.stored++;
    }
    return receipt;
  });
}
