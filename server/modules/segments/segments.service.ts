import { sql } from 'kysely';
import { z } from 'zod';
import { MAX_MEMBER_IDS, type TSegmentImportResult, type TSegmentPreview } from '../../../common/contracts/segments';
import type { FilterNode } from '../../../common/filter';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { emitEvents } from '../../platform/events/events';
import { AppError, invalidField } from '../../platform/http/errors';
import type { ListOptions, ListResult, RecordService } from '../../platform/records/records.service';

/** A segment as its services need it. */
export interface Segment {
  id: string;
  name: string;
  object: string;
  type: 'dynamic' | 'static';
  filter: FilterNode | null;
}

export const SEGMENT_ENTERED = 'segment.entered';
export const SEGMENT_LEFT = 'segment.left';

/** The segment as the caller may read it (404 when absent, trashed or not theirs to see). */
export async function loadSegment(tx: Tx, actor: Actor, records: RecordService, id: string): Promise<Segment> {
  const r = await records.get(tx, actor, 'segments', id, { fields: 'name,object,type,filter' });
  return {
    id,
    name: String(r.name),
    object: String(r.object),
    type: r.type === 'static' ? 'static' : 'dynamic',
    filter: (r.filter as FilterNode | null) ?? null,
  };
}

/** A static segment's members, as a subquery of record ids (the module's own table). */
const staticMembers = (actor: Actor, segmentId: string) =>
  sql`select m.record_id from segment_members m
    where m.workspace_id = ${actor.workspaceId}::uuid and m.segment_id = ${segmentId}::uuid`;

/**
 * A segment's members as the object's record list: the target object's list, run as the
 * caller (their permissions, field visibility, paging, sort, fields and count), with the
 * segment's filter (dynamic) or its member list (static) AND-ed to the caller's filter.
 */
export async function listMembers(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  id: string,
  opts: ListOptions,
): Promise<ListResult> {
  const segment = await loadSegment(tx, actor, records, id);
  if (segment.type === 'static')
    return records.list(tx, actor, segment.object, { ...opts, within: staticMembers(actor, id) });
  const own = segment.filter as FilterNode;
  try {
    await records.checkFilter(tx, actor, segment.object, own, 'segment.filter');
  } catch (err) {
    if (err instanceof AppError && err.code === 'validation_failed') {
      throw new AppError('forbidden', 'This segment filters on fields your role cannot see');
    }
    throw err;
  }
  return records.list(tx, actor, segment.object, { ...opts, filter: opts.filter ? { and: [own, opts.filter] } : own });
}

/** The segment, writable by the caller and static (a dynamic segment's members come from its filter). */
async function writableStatic(tx: Tx, actor: Actor, records: RecordService, id: string): Promise<Segment> {
  await records.require(tx, actor, 'segments', id, 'update');
  const segment = await loadSegment(tx, actor, records, id);
  if (segment.type !== 'static') {
    throw new AppError('conflict', 'A dynamic segment’s members come from its filter; change the filter instead', {
      errors: [{ path: 'type', message: 'members are added to static segments only' }],
    });
  }
  return segment;
}

const eventsFor = (segment: Segment, type: string, ids: string[]) =>
  ids.map((recordId) => ({
    type,
    object: segment.object,
    recordId,
    data: { segmentId: segment.id, segmentName: segment.name },
  }));

/**
 * Adds records to a static segment. Every id must be a live record of the segment's
 * object the caller can see (else 422 naming `ids.<n>`, nothing added). Emits
 * segment.entered for each record that was not a member.
 */
export async function addMembers(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  id: string,
  ids: string[],
): Promise<{ changed: number; unchanged: number }> {
  const segment = await writableStatic(tx, actor, records, id);
  const unique = [...new Set(ids)];
  const ctx = await records.context(tx, actor, segment.object, 'read');
  const visible = await records.visibleIds(tx, ctx, segment.object, unique);
  const missing = ids.map((v, i) => ({ v, i })).filter(({ v }) => !visible.has(v));
  if (missing.length) {
    throw new AppError(
      'validation_failed',
      `No such ${ctx.schema.def.singular}: ${missing.map((m) => `ids.${m.i}`).join(', ')}`,
      {
        errors: missing
          .slice(0, 20)
          .map((m) => ({ path: `ids.${m.i}`, message: `no ${ctx.schema.def.singular} with this id` })),
      },
    );
  }
  const added = await insertMembers(tx, actor, segment, unique);
  return { changed: added.length, unchanged: unique.length - added.length };
}

async function insertMembers(tx: Tx, actor: Actor, segment: Segment, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<{ record_id: string }>`
    insert into segment_members (workspace_id, segment_id, object, record_id, added_by)
    select ${actor.workspaceId}::uuid, ${segment.id}::uuid, ${segment.object}, r, ${actor.userId}::uuid
    from unnest(${ids}::uuid[]) r
    on conflict do nothing
    returning record_id`.execute(tx);
  const added = rows.map((r) => r.record_id);
  await emitEvents(tx, actor, eventsFor(segment, SEGMENT_ENTERED, added));
  return added;
}

/**
 * Adds the records matching `filter` (a list view's "select all matching") to a static
 * segment: those of the segment's object the caller can see, at most MAX_MEMBER_IDS
 * (more: 422 naming `filter`, nothing added). Emits segment.entered for each new member.
 */
export async function addMatching(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  id: string,
  filter: unknown,
): Promise<{ changed: number; unchanged: number }> {
  const segment = await writableStatic(tx, actor, records, id);
  const checked = await records.checkFilter(tx, actor, segment.object, filter);
  const page = await records.list(tx, actor, segment.object, { filter: checked, fields: 'id', limit: MAX_MEMBER_IDS });
  if (page.page.hasMore) throw invalidField('filter', `matches more than ${MAX_MEMBER_IDS} records; narrow it`);
  const ids = page.data.map((r) => r.id as string);
  const added = await insertMembers(tx, actor, segment, ids);
  return { changed: added.length, unchanged: ids.length - added.length };
}

/** Removes records from a static segment (ids that are not members are counted as unchanged); emits segment.left. */
export async function removeMembers(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  id: string,
  ids: string[],
): Promise<{ changed: number; unchanged: number }> {
  const segment = await writableStatic(tx, actor, records, id);
  const unique = [...new Set(ids)];
  const { rows } = await sql<{ record_id: string }>`
    delete from segment_members
    where workspace_id = ${actor.workspaceId}::uuid and segment_id = ${id}::uuid and record_id = any(${unique}::uuid[])
    returning record_id`.execute(tx);
  const removed = rows.map((r) => r.record_id);
  await emitEvents(tx, actor, eventsFor(segment, SEGMENT_LEFT, removed));
  return { changed: removed.length, unchanged: unique.length - removed.length };
}

const Email = z.email();
const EMAIL_CHUNK = 1000;

/**
 * The email addresses in a CSV: every cell that is an email, whatever its column (a
 * header row or other columns are skipped). Lower-cased, distinct, in order.
 */
export function emailsInCsv(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    for (const raw of line.split(/[,;\t]/)) {
      const cell = raw.trim().replace(/^"|"$/g, '').trim().toLowerCase();
      if (cell.includes('@') && Email.safeParse(cell).success) out.add(cell);
    }
  }
  return [...out];
}

/**
 * Adds the records with these emails to a static segment of contacts or leads: matched
 * by email through the object's list as the caller (so only records they can see),
 * in chunks of 1,000. Emails with no visible record are reported (the first 100).
 */
export async function importMembers(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  id: string,
  emails: string[],
): Promise<TSegmentImportResult['data']> {
  const segment = await writableStatic(tx, actor, records, id);
  if (segment.object === 'accounts') throw invalidField('object', 'accounts have no email; add them by id');
  const wanted = [...new Set(emails.map((e) => e.trim().toLowerCase()).filter((e) => Email.safeParse(e).success))];
  if (wanted.length === 0) throw invalidField('emails', 'has no valid email address');
  const found = new Map<string, string>();
  for (let i = 0; i < wanted.length; i += EMAIL_CHUNK) {
    const chunk = wanted.slice(i, i + EMAIL_CHUNK);
    let cursor: string | undefined;
    do {
      const page = await records.list(tx, actor, segment.object, {
        filter: { field: 'email', op: 'in', value: chunk },
        fields: 'email',
        limit: 500,
        cursor,
      });
      for (const r of page.data) if (typeof r.email === 'string') found.set(r.id as string, r.email.toLowerCase());
      cursor = page.page.nextCursor ?? undefined;
    } while (cursor);
  }
  const matchedEmails = new Set(found.values());
  const added = await insertMembers(tx, actor, segment, [...found.keys()]);
  const unmatched = wanted.filter((e) => !matchedEmails.has(e));
  return {
    emails: wanted.length,
    matched: found.size,
    added: added.length,
    unmatched: unmatched.slice(0, 100),
    unmatchedCount: unmatched.length,
  };
}

/** The live count and the first 10 records of a filter being edited, as the caller sees them. */
export async function previewSegment(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  object: string,
  filter: unknown,
): Promise<TSegmentPreview> {
  const checked = filter == null ? undefined : await records.checkFilter(tx, actor, object, filter);
  const page = await records.list(tx, actor, object, { filter: checked, limit: 10, count: true });
  return { total: page.total ?? 0, sample: page.data as TSegmentPreview['sample'] };
}
