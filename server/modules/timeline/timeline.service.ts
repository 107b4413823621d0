import { type RawBuilder, sql } from 'kysely';
import { TIMELINE_KINDS, type TTimelineItem } from '../../../common/contracts/timeline';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import type { ObjectSchema } from '../../platform/records/object-schema';
import { compileFilter, presentRow, selectColumns } from '../../platform/records/query';
import type { RecordContext, RecordService } from '../../platform/records/records.service';
import { columnName } from '../../platform/records/types';
import { timelineSources } from '../duplicates';
import { importTimelineRows } from '../imports';
import { attachNames } from './timeline-names';

type Sql = RawBuilder<unknown>;

export { TIMELINE_KINDS };
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** Activity objects on timelines, and the column that places each on the time axis. */
export const ACTIVITY_SOURCES: { kind: TimelineKind; object: string; at: string }[] = [
  { kind: 'interaction', object: 'interactions', at: 'occurred_at' },
  { kind: 'task', object: 'tasks', at: 'created_at' },
  { kind: 'meeting', object: 'meetings', at: 'start_at' },
  { kind: 'note', object: 'notes', at: 'created_at' },
];

export type TimelineItem = TTimelineItem;

export interface TimelineOptions {
  kinds?: TimelineKind[];
  limit?: number;
  cursor?: string;
  /** On an account: also the activities and comments of its contacts (those the caller can see). */
  includeContacts?: boolean;
}

interface Row {
  _at: string;
  id: string;
  [k: string]: unknown;
}

const AT = (col: Sql) => sql`to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

function decodeCursor(cursor: string | undefined): { at: string; id: string } | undefined {
  if (!cursor) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      typeof v?.at === 'string' &&
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(v.at) &&
      typeof v?.id === 'string' &&
      /^[0-9a-f-]{36}$/.test(v.id)
    ) {
      return v;
    }
  } catch {}
  throw new AppError('validation_failed', 'cursor is not a timeline cursor', {
    errors: [{ path: 'cursor', message: 'pass back page.nextCursor unchanged' }],
  });
}

const encodeCursor = (r: Row) => Buffer.from(JSON.stringify({ at: r._at, id: r.id })).toString('base64url');
const newestFirst = (a: Row, b: Row) => (a._at === b._at ? (a.id < b.id ? 1 : -1) : a._at < b._at ? 1 : -1);

/**
 * The timeline of a record: its events (system history: created, changed field by
 * field, stage moves, conversions…) merged with the activities linked to it (notes,
 * comments, interactions, tasks, meetings), newest first, keyset-paged.
 *
 * Visibility: the record must be visible to the caller (else 404). Activities on a
 * visible record are shown whatever their owner ("controlled by parent", as in the
 * major CRMs), but only for activity objects the caller's role may read, with the
 * caller's field permissions applied and the role's row rule honoured. Event
 * payloads are cut to the fields the caller may see: a hidden field's changes never
 * leave the server, and an update that only touched hidden fields is left out.
 */
export class TimelineService {
  constructor(private readonly records: RecordService) {}

  async timeline(tx: Tx, actor: Actor, object: string, id: string, opts: TimelineOptions = {}) {
    const ctx = await this.records.context(tx, actor, object, 'read');
    await this.records.get(tx, actor, object, id, { fields: 'id' }); // 404 unless visible
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
    const cursor = decodeCursor(opts.cursor);
    const kinds = new Set(opts.kinds?.length ? opts.kinds : TIMELINE_KINDS);
    const targets = new Map<string, string[]>([[object, [id]]]);
    if (object === 'accounts' && opts.includeContacts && ctx.policy.can('contacts', 'read')) {
      const { rows } = await sql<{ id: string }>`select t.id from ${this.records.scopedRelation(ctx, 'contacts')} t
        where t.account_id = ${id}::uuid
        limit 1000`.execute(tx);
      if (rows.length)
        targets.set(
          'contacts',
          rows.map((r) => r.id),
        );
    }
    const after = (at: Sql, idCol: Sql) =>
      cursor ? sql`(${at}, ${idCol}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : undefined;

    const rows: (Row & { _kind: TimelineKind; _object?: string })[] = [];
    if (kinds.has('event')) {
      // The record's own history, and that of records merged or converted into it (a lead's
      // history on its contact), for objects the caller may read.
      const sources = (await timelineSources(tx, { object, id })).filter(
        (s) => s.object === object || ctx.policy.can(s.object, 'read'),
      );
      const mine = sql.join(
        sources.map((s) => sql`(e.object = ${s.object} and e.record_id = ${s.id}::uuid)`),
        sql` or `,
      );
      const { rows: evs } = await sql<Row>`
        select e.id, e.type, e.object, e.record_id, e.actor_user_id, e.data, ${AT(sql`e.created_at`)} as _at
        from events e
        where ${and([sql`(${mine})`, after(sql`e.created_at`, sql`e.id`)])}
        order by e.created_at desc, e.id desc limit ${limit + 1}`.execute(tx);
      for (const e of evs) rows.push({ ...e, _kind: 'event' });
      // "Imported from <file>": imports write quietly, so their entries come from the imports' own rows.
      for (const e of await importTimelineRows(tx, sources, after, limit)) rows.push({ ...(e as Row), _kind: 'event' });
    }
    if (kinds.has('comment')) {
      const pairs = [...targets].map(([o, ids]) => sql`(c.object = ${o} and c.record_id = any(${ids}::uuid[]))`);
      const { rows: cs } = await sql<Row>`
        select c.id, c.object, c.record_id, c.author_id, c.body, c.mentions, ${AT(sql`c.created_at`)} as _at
        from comments c
        where (${sql.join(pairs, sql` or `)}) ${after(sql`c.created_at`, sql`c.id`) ? sql`and ${after(sql`c.created_at`, sql`c.id`)}` : sql``}
        order by c.created_at desc, c.id desc limit ${limit + 1}`.execute(tx);
      for (const c of cs) rows.push({ ...c, _kind: 'comment' });
    }
    for (const src of ACTIVITY_SOURCES) {
      if (!kinds.has(src.kind) || !ctx.full.has(src.object) || !ctx.policy.can(src.object, 'read')) continue;
      const schema = ctx.schemas.get(src.object) as ObjectSchema;
      const at = sql.ref(`t.${src.at}`);
      const { rows: acts } = await sql<Row>`
        select ${selectColumns(schema, undefined)}, t.created_by as _created_by, ${AT(at)} as _at
        from ${sql.table(`${schema.def.table}_scoped`)} t
        where ${and([
          sql`t.deleted_at is null`,
          linkedTo(ctx.full.get(src.object) as ObjectSchema, targets),
          rowRule(ctx, src.object),
          after(at, sql`t.id`),
        ])}
        order by ${at} desc, t.id desc limit ${limit + 1}`.execute(tx);
      for (const a of acts) rows.push({ ...a, _kind: src.kind, _object: src.object });
    }

    rows.sort(newestFirst);
    const items: TimelineItem[] = [];
    let last: Row | undefined;
    let hasMore = false;
    for (const r of rows) {
      if (items.length === limit) {
        hasMore = true;
        break;
      }
      last = r;
      const item = present(ctx, r);
      if (item) items.push(item);
    }
    await attachPeople(tx, items, rows);
    await attachNames(tx, this.records, actor, ctx, items);
    return { data: items, page: { nextCursor: hasMore && last ? encodeCursor(last) : null, hasMore } };
  }
}

const and = (parts: (Sql | undefined)[]) =>
  sql.join(
    parts.filter((p): p is Sql => !!p),
    sql` and `,
  );

/** An activity is linked to a record by its related pair or by any relation field pointing at it. */
function linkedTo(schema: ObjectSchema, targets: Map<string, string[]>): Sql {
  const ors: Sql[] = [];
  for (const [object, ids] of targets) {
    if (schema.field('relatedId')) ors.push(sql`(t.related_object = ${object} and t.related_id = any(${ids}::text[]))`);
    for (const f of schema.fields()) {
      if (f.custom || f.def.type !== 'relation' || f.def.relation?.object !== object) continue;
      const col = sql.ref(`t.${columnName(f.def.name)}`);
      ors.push(
        f.def.relation.cardinality === 'one' ? sql`${col} = any(${ids}::uuid[])` : sql`${col} && ${ids}::uuid[]`,
      );
    }
  }
  return ors.length ? sql`(${sql.join(ors, sql` or `)})` : sql`false`;
}

/** The role's row rule on the activity object (its record scope yields to the parent record's). */
function rowRule(ctx: RecordContext, object: string): Sql | undefined {
  const where = ctx.policy.object(object).where;
  const full = ctx.full.get(object);
  return where && full ? compileFilter(full, where, { schemas: ctx.full }, 'where', 't') : undefined;
}

const ms = (at: string) => `${at.slice(0, 23)}Z`;

function present(ctx: RecordContext, r: Row & { _kind: TimelineKind; _object?: string }): TimelineItem | null {
  const base = { id: r.id, kind: r._kind, at: ms(r._at), actor: null };
  if (r._kind === 'event') return presentEvent(ctx, r, base);
  if (r._kind === 'comment') {
    return {
      ...base,
      object: r.object as string,
      recordId: r.record_id as string,
      body: r.body as string,
      mentions: [],
    };
  }
  const schema = ctx.schemas.get(r._object as string) as ObjectSchema;
  return { ...base, object: r._object, recordId: r.id, record: presentRow(schema, r) as TimelineItem['record'] };
}

function presentEvent(ctx: RecordContext, r: Row, base: Omit<TimelineItem, 'kind'>): TimelineItem | null {
  const object = r.object as string;
  const visible = ctx.schemas.get(object);
  const full = ctx.full.get(object);
  const data = (r.data ?? {}) as Record<string, unknown>;
  const sees = (field: string) => !full?.field(field) || !!visible?.field(field);
  const item: TimelineItem = {
    ...base,
    kind: 'event',
    type: r.type as string,
    object,
    recordId: r.record_id as string,
  };
  const changes = data.changes as Record<string, [unknown, unknown]> | undefined;
  if (changes && typeof changes === 'object') {
    const kept = Object.fromEntries(Object.entries(changes).filter(([f]) => visible?.field(f)));
    // An update that only touched fields hidden from the caller says nothing to them.
    if (Object.keys(kept).length === 0 && Object.keys(changes).length > 0) return null;
    item.changes = kept;
  }
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if (k === 'changes') continue;
    if (k === 'record' && v && typeof v === 'object') {
      rest.record = Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([f]) => visible?.field(f)));
    } else if (sees(k)) rest[k] = v;
  }
  if (Object.keys(rest).length) item.data = rest;
  return item;
}

/** Names of actors and mentioned members (only members of this workspace are readable). */
async function attachPeople(tx: Tx, items: TimelineItem[], rows: Row[]): Promise<void> {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const actorOf = (r: Row | undefined) => (r?.actor_user_id ?? r?.author_id ?? r?._created_by ?? null) as string | null;
  const ids = new Set<string>();
  for (const it of items) {
    const r = byId.get(it.id);
    const a = actorOf(r);
    if (a) ids.add(a);
    for (const m of (r?.mentions as string[] | undefined) ?? []) ids.add(m);
  }
  if (ids.size === 0) return;
  const { rows: users } = await sql<{
    id: string;
    name: string;
  }>`select id, name from users where id = any(${[...ids]}::uuid[])`.execute(tx);
  const names = new Map(users.map((u) => [u.id, u]));
  for (const it of items) {
    const r = byId.get(it.id);
    const a = actorOf(r);
    it.actor = a ? (names.get(a) ?? { id: a, name: 'Former member' }) : null;
    if (it.kind === 'comment') {
      it.mentions = ((r?.mentions as string[]) ?? []).map((m) => names.get(m) ?? { id: m, name: 'Former member' });
    }
  }
}
