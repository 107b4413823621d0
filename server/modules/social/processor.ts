import { sql } from 'kysely';
import type { Database, Tx } from '../../platform/db/database';
import { emitEvent } from '../../platform/events/events';
import type { Job } from '../../platform/jobs/job-queue';
import type { RecordService } from '../../platform/records/records.service';
import { systemActor } from '../tickets';
import { threadAssignment } from './assign';
import { type ParsedMessage, parseItem, ShapeError } from './providers';
import type { SocialNetwork } from './social-messages.object';

/** The workflow trigger every new inbound social message emits (common/trigger-events.ts). */
export const SOCIAL_RECEIVED = 'social.received';

interface EventRow {
  id: string;
  connection_id: string;
  payload: string;
  status: string;
  network: SocialNetwork;
  external_id: string;
}

/**
 * The contact whose social profiles hold the author's id or handle (any network key;
 * handles compared without "@" and case, or as the end of a profile URL). Only when
 * exactly one live contact matches: an ambiguous author is left for a person to match.
 */
export async function matchContact(
  tx: Tx,
  records: RecordService,
  workspaceId: string,
  authorId: string,
  handle: string | null,
): Promise<string | null> {
  const h = handle ? handle.replace(/^@/, '').toLowerCase() : null;
  const ctx = await records.context(tx, systemActor(workspaceId), 'contacts', 'read');
  const { rows } = await sql<{ id: string }>`
    select c.id from ${records.scopedRelation(ctx, 'contacts')} c
    where c.social_profiles is not null and jsonb_typeof(c.social_profiles) = 'object'
      and exists (
        select 1 from jsonb_each_text(c.social_profiles) e
        where e.value = ${authorId}
          or (${h}::text is not null and (lower(ltrim(e.value, '@')) = ${h}
            or lower(rtrim(e.value, '/')) like ${h ? `%/${h.replace(/[\\%_]/g, '\\$&')}` : ''})))
    limit 2`.execute(tx);
  return rows.length === 1 ? (rows[0] as { id: string }).id : null;
}

/** Writes a parsed message as a record (system), on the matched contact's timeline, and emits social.received. */
export async function recordInbound(
  tx: Tx,
  records: RecordService,
  workspaceId: string,
  connectionId: string,
  network: SocialNetwork,
  m: ParsedMessage,
): Promise<string> {
  const sys = systemActor(workspaceId);
  const existing = await records.list(tx, sys, 'social_messages', {
    filter: { field: 'externalId', op: 'eq', value: m.externalId },
    fields: 'id',
    limit: 1,
  });
  if (existing.data[0]) return existing.data[0].id as string;
  const contactId = await matchContact(tx, records, workspaceId, m.authorId, m.authorHandle);
  // An assigned conversation stays with its person and team.
  const assignment = await threadAssignment(tx, records, sys, m.threadId);
  const created = await records.create(tx, sys, 'social_messages', {
    network,
    kind: m.kind,
    direction: 'inbound',
    text: m.text.slice(0, 10_000),
    authorHandle: m.authorHandle ?? m.authorName ?? m.authorId,
    authorName: m.authorName,
    authorId: m.authorId,
    authorUrl: m.authorUrl,
    permalink: m.permalink,
    mediaUrls: m.mediaUrls.length ? m.mediaUrls : null,
    sentAt: m.sentAt.toISOString(),
    threadId: m.threadId,
    externalId: m.externalId,
    connectionId,
    contactId,
    ...assignment,
  });
  const id = created.id as string;
  if (contactId) {
    // On the contact's timeline and in the "don't contact twice" ledger (channel social).
    await records.create(tx, sys, 'interactions', {
      topic: `${network} ${m.kind}: ${m.text.slice(0, 200) || '(no text)'}`.slice(0, 300),
      channel: 'social',
      direction: 'inbound',
      occurredAt: m.sentAt.toISOString(),
      contactId,
      body: m.text.slice(0, 10_000),
      relatedObject: 'social_messages',
      relatedId: id,
    });
  }
  await emitEvent(tx, sys, {
    type: SOCIAL_RECEIVED,
    object: 'social_messages',
    recordId: id,
    data: {
      record: {
        id,
        network,
        kind: m.kind,
        text: m.text,
        authorHandle: created.authorHandle ?? null,
        sentiment: created.sentiment ?? null,
        priority: created.priority ?? null,
        flaggedKeywords: created.flaggedKeywords ?? [],
        contactId,
      },
    },
  });
  return id;
}

/** The social.process job: reads one stored event into a social message (idempotent: a processed event is done). */
export async function processEvent(
  database: Database,
  records: RecordService,
  job: Job<{ eventId: string }>,
  now: () => Date,
): Promise<{ status: string }> {
  const workspaceId = job.workspaceId;
  if (!workspaceId) return { status: 'no workspace' };
  return database.tenant(workspaceId, async (tx) => {
    const { rows } = await sql<EventRow>`
      select e.id, e.connection_id, e.payload, e.status, c.network, c.external_id
      from social_events e join social_connections c on c.workspace_id = e.workspace_id and c.id = e.connection_id
      where e.workspace_id = rapport_workspace() and e.id = ${job.payload.eventId}::uuid
      for update of e`.execute(tx);
    const ev = rows[0];
    if (ev?.status !== 'pending') return { status: ev?.status ?? 'gone' };
    const finish = (status: string, reason: string | null, messageId: string | null) =>
      sql`update social_events set status = ${status}, reason = ${reason}, message_id = ${messageId}::uuid,
          processed_at = now()
        where workspace_id = rapport_workspace() and id = ${ev.id}::uuid`.execute(tx);
    let parsed: ParsedMessage | null;
    try {
      parsed = parseItem(JSON.parse(ev.payload) as Record<string, unknown>, ev.external_id, now());
    } catch (err) {
      const reason = err instanceof ShapeError ? err.message : 'the stored item is not JSON';
      await finish('rejected', reason, null);
      return { status: 'rejected' };
    }
    if (!parsed) {
      await finish('ignored', null, null);
      return { status: 'ignored' };
    }
    const id = await recordInbound(tx, records, workspaceId, ev.connection_id, ev.network, parsed);
    await finish('processed', null, id);
    return { status: 'processed' };
  });
}

/** Puts stored events back to be processed again (replay), e.g. after a fix; answers how many. */
export async function replayEvents(tx: Tx, ids: string[]): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    update social_events set status = 'pending', reason = null, processed_at = null
    where workspace_id = rapport_workspace() and id = any(${ids}::uuid[]) and status <> 'pending'
    returning id`.execute(tx);
  return rows.map((r) => r.id);
}
