import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import type { StoredEvent } from '../../platform/events/events';

/** Tells every app server a feed entry was written (delivered on commit): the live stream. */
export const FEED_CHANNEL = 'rapport_feed';

/** The objects whose new and changed records make the feed (API name → event prefix). */
export const FEED_OBJECTS: Record<string, string> = {
  accounts: 'account',
  contacts: 'contact',
  leads: 'lead',
  opportunities: 'opportunity',
  quotes: 'quote',
};

/** Changes that are bookkeeping, not news: an update touching only these makes no entry. */
const QUIET_FIELDS = new Set([
  'updatedAt',
  'createdAt',
  'version',
  'lastContactedAt',
  'lastActivityAt',
  // Kept by lead scoring as events arrive.
  'score',
  'fitScore',
  'engagementScore',
  'grade',
]);

/** A person's edits to one record within this long fold into their first entry. */
const FOLD_MINUTES = 15;

interface EntryRow {
  id: string;
  type: string;
  object: string;
  recordId: string;
  fields?: string[];
  body?: string;
  mentions?: string[];
}

/** What the feed shows of an event, or null when it makes no entry. */
export function entryOf(e: StoredEvent): EntryRow | 'delete' | null {
  const data = e.data ?? {};
  if (e.type === 'comment.created' || e.type === 'comment.deleted') {
    const c = data.comment as { id?: string; object?: string; recordId?: string; body?: string; mentions?: string[] };
    if (!c?.id || !c.object || !c.recordId) return null;
    if (e.type === 'comment.deleted') return 'delete';
    return {
      id: c.id,
      type: 'comment.created',
      object: c.object,
      recordId: c.recordId,
      body: c.body ?? '',
      mentions: c.mentions ?? [],
    };
  }
  if (!e.object || !e.recordId || !FEED_OBJECTS[e.object]) return null;
  const prefix = FEED_OBJECTS[e.object];
  const base = { id: e.id, object: e.object, recordId: e.recordId };
  if (e.type === 'opportunity.stage_changed') {
    const status = (data.to as { status?: string } | undefined)?.status;
    return status === 'won' || status === 'lost' ? { ...base, type: `opportunity.${status}` } : null;
  }
  if (e.type === 'lead.converted') return { ...base, type: 'lead.converted' };
  if (e.type === `${prefix}.created`) return { ...base, type: e.type };
  if (e.type === `${prefix}.updated`) {
    const changes = (data.changes ?? {}) as Record<string, [unknown, unknown]>;
    // Closing an opportunity and converting a lead have entries of their own.
    const status = changes.status?.[1];
    if (e.object === 'opportunities' && (status === 'won' || status === 'lost')) return null;
    if (e.object === 'leads' && status === 'converted') return null;
    const fields = Object.keys(changes).filter((f) => !QUIET_FIELDS.has(f));
    return fields.length ? { ...base, type: e.type, fields } : null;
  }
  return null;
}

const TYPES = [
  ...Object.values(FEED_OBJECTS).flatMap((p) => [`${p}.created`, `${p}.updated`]),
  'opportunity.stage_changed',
  'lead.converted',
  'comment.created',
  'comment.deleted',
];

/**
 * Writes the feed's entries from committed events: new and changed records of the feed's
 * objects, won and lost opportunities, conversions, comments (with their mentions). An
 * entry's id is its event's (a comment's: the comment's), so a redelivered event writes
 * nothing twice. Runs in the dispatcher's system transaction, so entries and the cursor
 * advance commit together.
 */
export function feedConsumer(): EventConsumer {
  return {
    name: 'feed',
    types: TYPES,
    async handle(tx, events) {
      let wrote = false;
      for (const e of events) {
        const entry = entryOf(e);
        if (!entry) continue;
        wrote = (await write(tx, e, entry)) || wrote;
      }
      return wrote ? undefined : 'nothing-written';
    },
  };
}

async function write(tx: Tx, e: StoredEvent, entry: EntryRow | 'delete'): Promise<boolean> {
  const ws = e.workspaceId;
  if (entry === 'delete') {
    const id = (e.data.comment as { id: string }).id;
    const { rows } = await sql`delete from feed_entries where workspace_id = ${ws}::uuid and id = ${id}::uuid
      returning id`.execute(tx);
    return rows.length > 0;
  }
  if (entry.fields && e.actorUserId) {
    // A run of edits by one person to one record is one entry (its first), listing every field.
    const { rows } = await sql<{ id: string }>`
      update feed_entries f set fields = array(select distinct unnest(f.fields || ${entry.fields}::text[]) order by 1)
      where f.id = (select id from feed_entries
        where workspace_id = ${ws}::uuid and object = ${entry.object} and record_id = ${entry.recordId}::uuid
          and record_id is not null and type = ${entry.type} and actor_user_id = ${e.actorUserId}::uuid
          and created_at >= ${e.createdAt}::timestamptz - make_interval(mins => ${FOLD_MINUTES})
        order by created_at desc limit 1)
        and f.workspace_id = ${ws}::uuid
      returning f.id`.execute(tx);
    if (rows.length > 0) return true;
  }
  const { rows } = await sql<{ id: string }>`
    insert into feed_entries (workspace_id, id, type, actor_user_id, object, record_id, fields, body, mentions, created_at)
    select ${ws}::uuid, ${entry.id}::uuid, ${entry.type}, ${e.actorUserId}::uuid, ${entry.object}, ${entry.recordId}::uuid,
      ${entry.fields ?? []}::text[], ${entry.body || null}, ${entry.mentions ?? []}::uuid[], ${e.createdAt}::timestamptz
    on conflict (workspace_id, id) do nothing
    returning id`.execute(tx);
  if (!rows[0]) return false;
  await sql`select pg_notify(${FEED_CHANNEL}, ${JSON.stringify({ workspaceId: ws, id: entry.id })})`.execute(tx);
  return true;
}
