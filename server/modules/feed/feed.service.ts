import { sql } from 'kysely';
import type { z } from 'zod';
import type { FeedPageSchema, FeedQuery, TFeedEntry } from '../../../common/contracts/feed';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { visibleEvents } from '../../platform/events/event-visibility';
import { AppError, invalidField } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { RECORD_MENTION } from './feed-mentions';

export type FeedPage = z.infer<typeof FeedPageSchema>;
export type FeedFilters = Pick<z.infer<typeof FeedQuery>, 'type' | 'actorId' | 'teamId' | 'limit' | 'cursor'>;

/** A stored entry (feed_entries). */
export interface FeedRow {
  id: string;
  type: string;
  actor_user_id: string | null;
  object: string | null;
  record_id: string | null;
  fields: string[];
  body: string | null;
  mentions: string[];
  record_mentions: { object: string; id: string }[];
  team_id: string | null;
  parent_id: string | null;
  reply_count: number;
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
  /** created_at at microsecond precision, for the cursor. */
  at_key: string;
}

const COLUMNS = sql`f.id, f.type, f.actor_user_id, f.object, f.record_id, f.fields, f.body, f.mentions, f.record_mentions,
  f.team_id, f.parent_id, f.reply_count, f.created_at, f.edited_at, f.deleted_at,
  to_char(f.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_key`;

/** At most this many rounds of reading past entries the caller may not see, per page. */
const MAX_ROUNDS = 5;

const encodeCursor = (r: FeedRow) => Buffer.from(`${r.at_key}|${r.id}`).toString('base64url');

function decodeCursor(cursor: string): { at: string; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw invalidField('cursor', 'is not a cursor this endpoint returned; start again without it');
  }
  return { at, id };
}

/** Team messages only for the team's members (replies carry their thread's team). */
const teamVisible = (actor: Actor) =>
  sql`(f.team_id is null or f.team_id in (select team_id from team_members where user_id = ${actor.userId}::uuid))`;

/** The types filter: exact types, or prefixes written `contact.*`. */
function typeCondition(types: string[]) {
  const exact = types.filter((t) => !t.endsWith('.*'));
  const prefixes = types.filter((t) => t.endsWith('.*')).map((t) => t.slice(0, -1));
  return sql`(f.type = any(${exact}::text[]) or exists (select 1 from unnest(${prefixes}::text[]) p where starts_with(f.type, p)))`;
}

/**
 * The activity feed as the caller may see it, newest first: entries about records they
 * can read (object permission, scope, shares, row rule: the events' one check), messages
 * to the workspace and to their teams. Keyset pages on (created_at, id): an entry they
 * may not see is read and dropped, at most MAX_ROUNDS reads per page, after which the
 * page is shorter and `nextCursor` continues from where it stopped.
 */
export async function listFeed(tx: Tx, actor: Actor, records: RecordService, q: FeedFilters): Promise<FeedPage> {
  const limit = q.limit ?? 30;
  const batch = Math.max(limit * 2, 20);
  const conditions = [sql`f.parent_id is null`, teamVisible(actor)];
  for (const t of q.type ?? []) {
    if (!/^[a-z][a-z0-9_]*\.([a-z][a-z0-9_]*|\*)$/.test(t))
      throw invalidField('type', `has ${t}, which is not a type such as contact.created or contact.*`);
  }
  if (q.type?.length) conditions.push(typeCondition(q.type));
  if (q.actorId) conditions.push(sql`f.actor_user_id = ${q.actorId}::uuid`);
  if (q.teamId) {
    conditions.push(sql`(f.team_id = ${q.teamId}::uuid or (f.team_id is null and f.actor_user_id in
      (select user_id from team_members where team_id = ${q.teamId}::uuid)))`);
  }
  let after = q.cursor ? decodeCursor(q.cursor) : null;
  const out: TFeedEntry[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const where = after
      ? [...conditions, sql`(f.created_at, f.id) < (${after.at}::timestamptz, ${after.id}::uuid)`]
      : conditions;
    const { rows } = await sql<FeedRow>`select ${COLUMNS} from feed_entries f where ${sql.join(where, sql` and `)}
      order by f.created_at desc, f.id desc limit ${batch}`.execute(tx);
    const shown = await presentEntries(tx, actor, records, rows);
    for (const [i, row] of rows.entries()) {
      const entry = shown.get(row.id);
      if (!entry) continue;
      out.push(entry);
      if (out.length === limit) {
        const more = i < rows.length - 1 || rows.length === batch;
        return { data: out, page: { nextCursor: more ? encodeCursor(row) : null, hasMore: more } };
      }
    }
    const last = rows[rows.length - 1];
    if (rows.length < batch || !last) return { data: out, page: { nextCursor: null, hasMore: false } };
    after = { at: last.at_key, id: last.id };
  }
  const cursor = after ? Buffer.from(`${after.at}|${after.id}`).toString('base64url') : null;
  return { data: out, page: { nextCursor: cursor, hasMore: true } };
}

/** One entry as the caller may see it, or null (absent or not theirs to see). */
export async function feedEntry(tx: Tx, actor: Actor, records: RecordService, id: string): Promise<TFeedEntry | null> {
  const { rows } = await sql<FeedRow>`select ${COLUMNS} from feed_entries f
    where f.id = ${id}::uuid and ${teamVisible(actor)}`.execute(tx);
  return (await presentEntries(tx, actor, records, rows)).get(id) ?? null;
}

/** A thread's replies, oldest first; 404 unless the caller may see the thread. */
export async function listReplies(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  parentId: string,
  q: { limit?: number; cursor?: string },
): Promise<FeedPage> {
  if (!(await feedEntry(tx, actor, records, parentId))) return notFound();
  const limit = q.limit ?? 100;
  const after = q.cursor ? decodeCursor(q.cursor) : null;
  const { rows } = await sql<FeedRow>`select ${COLUMNS} from feed_entries f
    where f.parent_id = ${parentId}::uuid
      ${after ? sql`and (f.created_at, f.id) > (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
    order by f.created_at, f.id limit ${limit + 1}`.execute(tx);
  const hasMore = rows.length > limit;
  const page = rows.slice(0, limit);
  const shown = await presentEntries(tx, actor, records, page);
  const last = page[page.length - 1];
  return {
    data: page.flatMap((r) => shown.get(r.id) ?? []),
    page: { nextCursor: hasMore && last ? encodeCursor(last) : null, hasMore },
  };
}

function notFound(): never {
  throw new AppError('not_found', 'Feed entry not found');
}

const article = (word: string) => (/^[aeiou]/i.test(word) ? `an ${word}` : `a ${word}`);

/**
 * The rows the caller may see, presented (by id). Rows about a record need that record
 * readable by them (visibleEvents, the one rule for showing events); an update whose
 * changed fields are all hidden from them is left out; record titles come through the
 * record engine (so hidden title fields stay hidden), and a mentioned record they
 * cannot read is named "a restricted …" in the body.
 */
export async function presentEntries(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  rows: FeedRow[],
): Promise<Map<string, TFeedEntry>> {
  const out = new Map<string, TFeedEntry>();
  if (rows.length === 0) return out;
  const about = rows.filter((r) => r.object && r.record_id);
  const seen = await visibleEvents(
    tx,
    records,
    actor,
    about.map((r) => ({ id: r.id, object: r.object, recordId: r.record_id, data: {} })),
  );
  const shown = rows.filter((r) => !(r.object && r.record_id) || seen.has(r.id));
  if (shown.length === 0) return out;
  const anyObject = records.registry.all()[0]?.name as string;
  const ctx = await records.context(tx, actor, shown.find((r) => r.object)?.object ?? anyObject);

  // Titles of the records shown and mentioned, through the engine (only live records the caller reads).
  const wanted = new Map<string, Set<string>>();
  const want = (object: string, id: string) => wanted.set(object, (wanted.get(object) ?? new Set()).add(id));
  for (const r of shown) {
    if (r.object && r.record_id) want(r.object, r.record_id);
    for (const m of r.record_mentions ?? []) want(m.object, m.id);
  }
  const titles = new Map<string, string>();
  for (const [object, ids] of wanted) {
    const schema = ctx.schemas.get(object);
    if (!schema || !ctx.policy.can(object, 'read')) continue;
    const titleFields = schema.def.titleFields.filter((f) => schema.field(f));
    const res = await records.list(tx, actor, object, {
      filter: { field: 'id', op: 'in', value: [...ids] },
      fields: ['id', ...titleFields].join(','),
      limit: ids.size,
    });
    for (const rec of res.data) {
      const title = titleFields
        .map((f) => rec[f])
        .filter((v) => v !== null && v !== undefined && v !== '')
        .join(' ');
      titles.set(`${object}:${rec.id as string}`, title || `Untitled ${schema.def.singular.toLowerCase()}`);
    }
  }

  const people = new Set<string>();
  for (const r of shown) {
    if (r.actor_user_id) people.add(r.actor_user_id);
    for (const m of r.mentions) people.add(m);
  }
  const { rows: users } = people.size
    ? await sql<{
        id: string;
        name: string;
      }>`select id, name from users where id = any(${[...people]}::uuid[])`.execute(tx)
    : { rows: [] };
  const names = new Map(users.map((u) => [u.id, u.name]));
  const teamIds = [...new Set(shown.flatMap((r) => (r.team_id ? [r.team_id] : [])))];
  const { rows: teams } = teamIds.length
    ? await sql<{ id: string; name: string }>`select id, name from teams where id = any(${teamIds}::uuid[])`.execute(tx)
    : { rows: [] };
  const teamNames = new Map(teams.map((t) => [t.id, t.name]));

  for (const r of shown) {
    const schema = r.object ? ctx.schemas.get(r.object) : undefined;
    const singular = (schema?.def.singular ?? records.registry.get(r.object ?? '')?.singular ?? 'record').toLowerCase();
    const fields = r.fields.filter((f) => schema?.field(f));
    if (r.type.endsWith('.updated') && fields.length === 0) continue; // only hidden fields changed
    const labels = fields.map((f) => schema?.field(f)?.def.label ?? f);
    const mentions = r.mentions.map((id) => ({ id, name: names.get(id) ?? 'a former member' }));
    const team = r.team_id ? { id: r.team_id, name: teamNames.get(r.team_id) ?? 'a team' } : null;
    const summary = summarize(r, singular, labels, mentions, team);
    const entry: TFeedEntry = {
      id: r.id,
      type: r.type,
      actor: r.actor_user_id ? { id: r.actor_user_id, name: names.get(r.actor_user_id) ?? 'A former member' } : null,
      record:
        r.object && r.record_id
          ? { object: r.object, id: r.record_id, title: titles.get(`${r.object}:${r.record_id}`) ?? null }
          : null,
      summary,
      createdAt: r.created_at.toISOString(),
    };
    if (r.type.endsWith('.updated')) entry.fields = fields;
    if (r.body !== null) {
      entry.body = r.body.replace(RECORD_MENTION, (whole, _title: string, object: string, id: string) => {
        if (object === 'user' || titles.has(`${object}:${id.toLowerCase()}`)) return whole;
        const what = records.registry.get(object)?.singular.toLowerCase() ?? 'record';
        return `@[restricted ${what}](${object}:${id})`;
      });
      entry.mentions = mentions;
    }
    if (r.edited_at) entry.editedAt = r.edited_at.toISOString();
    if (r.deleted_at) entry.deleted = true;
    if (r.type === 'message.posted') {
      entry.recordMentions = (r.record_mentions ?? []).map((m) => ({
        object: m.object,
        id: m.id,
        title: titles.get(`${m.object}:${m.id}`) ?? null,
      }));
      entry.team = team;
    }
    entry.parentId = r.parent_id;
    entry.replies = r.reply_count;
    out.set(r.id, entry);
  }
  return out;
}

function summarize(
  r: FeedRow,
  singular: string,
  labels: string[],
  mentions: { name: string }[],
  team: { name: string } | null,
): string {
  if (r.type === 'message.posted') {
    if (r.deleted_at) return 'deleted a message';
    if (r.parent_id) return 'replied';
    return team ? `posted to ${team.name}` : 'posted a message';
  }
  if (r.type === 'comment.created') {
    const who = mentions.map((m) => m.name).join(', ');
    return `commented on ${article(singular)}${who ? ` and mentioned ${who}` : ''}`;
  }
  if (r.type === 'opportunity.won') return 'won an opportunity';
  if (r.type === 'opportunity.lost') return 'lost an opportunity';
  if (r.type === 'lead.converted') return 'converted a lead';
  if (r.type.endsWith('.created')) return `created ${article(singular)}`;
  if (r.type.endsWith('.updated')) return `updated ${labels.join(', ')}`;
  return r.type;
}
