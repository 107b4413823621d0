import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { FilterNode } from '../../../common/filter';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import type { RecordData, RecordService } from '../../platform/records/records.service';
import { ViewService } from '../../platform/views/views.service';
import { type CalKind, eventToMeeting, parseCalendar, recordToCalendar, todoToTask } from './ical-map';
import { CARD_FIELDS, cardToFields, contactToVCard, parseVCard, type VCardVersion } from './vcard-map';

/**
 * The DAV tree: everything under /dav/ is the signed-in member's.
 *
 *   /dav/                                   root (current-user-principal)
 *   /dav/principals/{user}/                 the principal (home sets, email)
 *   /dav/addressbooks/{user}/               address book home
 *   /dav/addressbooks/{user}/contacts/      every contact the member may read
 *   /dav/addressbooks/{user}/mine/          the contacts the member owns
 *   /dav/calendars/{user}/                  calendar home
 *   /dav/calendars/{user}/meetings/         meetings the member owns (VEVENT)
 *   /dav/calendars/{user}/tasks/            tasks assigned to the member (VTODO)
 *
 * A resource is `{collection}{name}`: the name a client chose when it created the record
 * (dav_resources), else `{record id}.vcf|.ics`.
 */
export const DAV_ROOT = '/dav/';

export type Kind = 'contacts' | CalKind;

export interface CollectionDef {
  /** The path segment under the home. */
  slug: string;
  home: 'addressbooks' | 'calendars';
  object: Kind;
  displayName: string;
  description: string;
  /** Which records of the object are members, for the member `me`. */
  filter: (me: string) => FilterNode | undefined;
  /** Fields a record created here gets so it belongs (the assignee of a task). */
  defaults: (me: string) => Record<string, unknown>;
  extension: '.vcf' | '.ics';
  /** A saved view's address book: the view to load (its filter and name) before use. */
  viewId?: string;
}

/** `view-{id}`: an address book of the contacts in one of the member's saved views (theirs or shared). */
export const VIEW_SLUG = /^view-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The address book of a saved contacts view, with the view's filter as the caller sees it. */
export function viewCollection(view: { id: string; name: string; filter?: FilterNode | null }): CollectionDef {
  return {
    slug: `view-${view.id}`,
    home: 'addressbooks',
    object: 'contacts',
    displayName: view.name,
    description: `The contacts of the saved view “${view.name}”`,
    filter: () => view.filter ?? undefined,
    defaults: () => ({}),
    extension: '.vcf',
    viewId: view.id,
  };
}

export const COLLECTIONS: CollectionDef[] = [
  {
    slug: 'contacts',
    home: 'addressbooks',
    object: 'contacts',
    displayName: 'Rapport contacts',
    description: 'Every contact you may see in Rapport',
    filter: () => undefined,
    defaults: () => ({}),
    extension: '.vcf',
  },
  {
    slug: 'mine',
    home: 'addressbooks',
    object: 'contacts',
    displayName: 'My Rapport contacts',
    description: 'The contacts you own in Rapport',
    filter: (me) => ({ field: 'ownerId', op: 'eq', value: me }),
    defaults: () => ({}),
    extension: '.vcf',
  },
  {
    slug: 'meetings',
    home: 'calendars',
    object: 'meetings',
    displayName: 'Rapport meetings',
    description: 'Meetings you own in Rapport',
    filter: (me) => ({ field: 'ownerId', op: 'eq', value: me }),
    defaults: () => ({}),
    extension: '.ics',
  },
  {
    slug: 'tasks',
    home: 'calendars',
    object: 'tasks',
    displayName: 'Rapport tasks',
    description: 'Tasks assigned to you in Rapport',
    filter: (me) => ({ field: 'assigneeId', op: 'eq', value: me }),
    defaults: (me) => ({ assigneeId: me }),
    extension: '.ics',
  },
];

/** What a path names. */
export type Target =
  | { type: 'root' }
  | { type: 'principal'; user: string }
  | { type: 'home'; home: 'addressbooks' | 'calendars'; user: string }
  | { type: 'collection'; collection: CollectionDef; user: string }
  | { type: 'resource'; collection: CollectionDef; user: string; name: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@~+=-]{0,254}$/;

export const principalPath = (user: string) => `${DAV_ROOT}principals/${user}/`;
export const homePath = (home: string, user: string) => `${DAV_ROOT}${home}/${user}/`;
export const collectionPath = (c: CollectionDef, user: string) => `${homePath(c.home, user)}${c.slug}/`;

/**
 * Resolves a path or href (absolute URLs of this server accepted) for the member `me`:
 * 400 outside /dav/ or malformed, 403 for another member's tree, 404 for no such thing.
 */
export function resolvePath(href: string, me: string): Target {
  let path = href.trim();
  if (/^https?:\/\//i.test(path)) {
    try {
      path = new URL(path).pathname;
    } catch {
      throw new AppError('malformed_request', 'The href is not a valid URL');
    }
  }
  try {
    path = decodeURIComponent(path.split('?')[0] ?? '');
  } catch {
    throw new AppError('malformed_request', 'The href is not valid percent-encoding');
  }
  if (path === '/dav') path = DAV_ROOT;
  if (!path.startsWith(DAV_ROOT) || path.includes('/../') || path.includes('/./') || path.includes('//')) {
    throw new AppError('malformed_request', `${path.slice(0, 200)} is not a resource of this DAV server`);
  }
  const parts = path.slice(DAV_ROOT.length).split('/');
  const trailing = parts[parts.length - 1] === '';
  if (trailing) parts.pop();
  if (parts.length === 0) return { type: 'root' };
  const [area, user, slug, name, ...rest] = parts;
  if (!user || !UUID.test(user)) throw new AppError('not_found', 'No such DAV resource');
  if (user.toLowerCase() !== me.toLowerCase()) {
    throw new AppError('forbidden', 'This is another member’s address book or calendar');
  }
  if (area === 'principals' && !slug) return { type: 'principal', user: me };
  if (area !== 'addressbooks' && area !== 'calendars') throw new AppError('not_found', 'No such DAV resource');
  if (!slug) return { type: 'home', home: area, user: me };
  const view = area === 'addressbooks' ? VIEW_SLUG.exec(slug) : null;
  // A view's address book is a placeholder until the view is loaded (DavService.loadView).
  const collection = view?.[1]
    ? viewCollection({ id: view[1].toLowerCase(), name: '', filter: null })
    : COLLECTIONS.find((c) => c.home === area && c.slug === slug);
  if (!collection || rest.length > 0) throw new AppError('not_found', 'No such DAV resource');
  if (!name) return { type: 'collection', collection, user: me };
  if (trailing || !NAME.test(name)) throw new AppError('not_found', 'No such DAV resource');
  return { type: 'resource', collection, user: me, name };
}

/** A member resource of a collection: the record, its text and ETag. */
export interface Member {
  recordId: string;
  name: string;
  href: string;
  record: RecordData;
  body: string;
  etag: string;
}

interface StoredRow {
  record_id: string;
  name: string;
  original: string;
}

const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

export const contentType = (c: CollectionDef, version: VCardVersion = '4.0') =>
  c.object === 'contacts'
    ? `text/vcard; charset=utf-8${version === '3.0' ? '; version=3.0' : ''}`
    : `text/calendar; charset=utf-8; component=${c.object === 'meetings' ? 'VEVENT' : 'VTODO'}`;

/** The collections' members and changes, mapped onto records through the record engine (permissions as in the API). */
export class DavService {
  private readonly views: ViewService;

  constructor(
    private readonly records: RecordService,
    private readonly baseUrl: string,
  ) {
    this.views = new ViewService(records);
  }

  /** A saved view's address book, loaded (404 when the member cannot see the view or it is not of contacts). */
  async loadView(tx: Tx, actor: Actor, c: CollectionDef): Promise<CollectionDef> {
    if (!c.viewId) return c;
    const view = await this.views.get(tx, actor, c.viewId);
    if (view.object !== 'contacts') throw new AppError('not_found', 'No such DAV resource');
    return viewCollection({ id: view.id, name: view.name, filter: view.filter as FilterNode | null });
  }

  /** The address books in the home: the fixed ones and one per saved contacts view the member sees. */
  async addressBooks(tx: Tx, actor: Actor): Promise<CollectionDef[]> {
    const fixed = COLLECTIONS.filter((c) => c.home === 'addressbooks');
    const ctx = await this.records.context(tx, actor, 'contacts');
    if (!ctx.policy.can('contacts', 'read')) return fixed;
    const views = await this.views.list(tx, actor, 'contacts');
    return [
      ...fixed,
      ...views.map((v) => viewCollection({ id: v.id, name: v.name, filter: v.filter as FilterNode | null })),
    ];
  }

  /** Renders one record as the collection's resource (kept lines of the client's last text included). */
  render(c: CollectionDef, record: RecordData, stored: StoredRow | undefined, version?: VCardVersion | null): string {
    const id = String(record.id);
    if (c.object === 'contacts') {
      const original = stored?.original ? safeParseCard(stored.original) : null;
      const kept = original ? cardToFields(original).kept : [];
      return contactToVCard(record, {
        version: version ?? original?.version ?? '4.0',
        uid: original?.uid ?? id,
        kept,
      });
    }
    const original = stored?.original ? safeParseCalendar(stored.original, c.object) : null;
    return recordToCalendar(c.object, record, {
      uid: original?.uid ?? `${c.object}-${id}@rapport`,
      kept: original?.kept ?? [],
      baseUrl: this.baseUrl,
    });
  }

  private member(
    c: CollectionDef,
    user: string,
    record: RecordData,
    stored: StoredRow | undefined,
    version?: VCardVersion | null,
  ): Member {
    const recordId = String(record.id);
    const name = stored?.name ?? `${recordId}${c.extension}`;
    const body = this.render(c, record, stored, version);
    return {
      recordId,
      name,
      href: `${collectionPath(c, user)}${encodeURIComponent(name)}`,
      record,
      body,
      etag: etagOf(body),
    };
  }

  private async stored(tx: Tx, actor: Actor, object: string, ids: string[]): Promise<Map<string, StoredRow>> {
    if (ids.length === 0) return new Map();
    const { rows } = await sql<StoredRow>`
      select record_id, name, original from dav_resources
      where workspace_id = ${actor.workspaceId} and object = ${object} and record_id = any(${ids}::uuid[])`.execute(tx);
    return new Map(rows.map((r) => [r.record_id, r]));
  }

  /** Every member of a collection (pages of 500 through the record engine). */
  async members(
    tx: Tx,
    actor: Actor,
    c: CollectionDef,
    opts: { ids?: string[]; version?: VCardVersion | null } = {},
  ): Promise<Member[]> {
    const me = actor.userId as string;
    const base = c.filter(me);
    const out: Member[] = [];
    if (opts.ids && opts.ids.length === 0) return out;
    const ctx = await this.records.context(tx, actor, c.object, 'read');
    const fields = FIELDS[c.object].filter((f) => ctx.schema.field(f)).join(',');
    const chunks = opts.ids ? chunk(opts.ids, 500) : [undefined];
    for (const ids of chunks) {
      const parts = [base, ids ? ({ field: 'id', op: 'in', value: ids } as FilterNode) : undefined].filter(
        (f): f is FilterNode => !!f,
      );
      const filter: FilterNode | undefined =
        parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : { and: parts };
      let cursor: string | undefined;
      do {
        const page = await this.records.list(tx, actor, c.object, { filter, fields, limit: 500, cursor });
        const stored = await this.stored(
          tx,
          actor,
          c.object,
          page.data.map((r) => String(r.id)),
        );
        for (const r of page.data) out.push(this.member(c, me, r, stored.get(String(r.id)), opts.version));
        cursor = page.page.nextCursor ?? undefined;
      } while (cursor);
    }
    return out;
  }

  /** The record a resource name stands for, or null (not a member, or not visible to the caller). */
  async find(
    tx: Tx,
    actor: Actor,
    c: CollectionDef,
    name: string,
    version?: VCardVersion | null,
  ): Promise<Member | null> {
    const { rows } = await sql<{ record_id: string }>`
      select record_id from dav_resources
      where workspace_id = ${actor.workspaceId} and object = ${c.object} and name = ${name}`.execute(tx);
    let id = rows[0]?.record_id;
    if (!id) {
      const m = new RegExp(`^([0-9a-f-]{36})\\${c.extension}$`, 'i').exec(name);
      if (!m?.[1] || !UUID.test(m[1])) return null;
      id = m[1].toLowerCase();
      // A record that has a client-chosen name is only found under that name.
      const named = await this.stored(tx, actor, c.object, [id]);
      if (named.has(id)) return null;
    }
    const [found] = await this.members(tx, actor, c, { ids: [id], version });
    return found ?? null;
  }

  /**
   * PUT: creates or replaces the record behind `name` from the client's text. The text is
   * kept, so properties without a Rapport field are served back. Returns whether it created.
   */
  async put(
    tx: Tx,
    actor: Actor,
    c: CollectionDef,
    name: string,
    text: string,
    cond: { ifMatch?: string; ifNoneMatch?: string },
  ): Promise<{ created: boolean; recordId: string }> {
    const existing = await this.find(tx, actor, c, name);
    checkPreconditions(existing, cond);
    const me = actor.userId as string;
    const ctx = await this.records.context(tx, actor, c.object, existing ? 'update' : 'create');
    const writable = new Set(
      ctx.schema
        .fields()
        .filter((f) => !f.def.readOnly)
        .map((f) => f.def.name),
    );
    let fields: Record<string, unknown>;
    if (c.object === 'contacts') {
      fields = cardToFields(parseVCard(text)).fields;
    } else {
      const parsed = parseCalendar(text, c.object);
      fields = c.object === 'meetings' ? eventToMeeting(parsed) : todoToTask(parsed);
    }
    // Only what the role may write; a field the role cannot see stays as it is.
    const body = Object.fromEntries(Object.entries(fields).filter(([k]) => writable.has(k)));
    let recordId: string;
    if (existing) {
      recordId = existing.recordId;
      const changes = Object.fromEntries(
        Object.entries(body).filter(
          ([k, v]) => JSON.stringify(v ?? null) !== JSON.stringify(existing.record[k] ?? null),
        ),
      );
      // The version read with the ETag: a change committed in between is a 412, not a lost update.
      if (Object.keys(changes).length > 0) {
        await this.records.update(tx, actor, c.object, recordId, changes, versionOf(existing));
      }
    } else {
      const initial = Object.fromEntries(
        Object.entries({ ...body, ...c.defaults(me) }).filter(
          ([, v]) => v !== null && !(Array.isArray(v) && v.length === 0),
        ),
      );
      const created = await this.records.create(tx, actor, c.object, initial);
      recordId = String(created.id);
      // The new record must be a member of this collection (e.g. a role that sets another owner).
      const [member] = await this.members(tx, actor, c, { ids: [recordId] });
      if (!member) throw new AppError('forbidden', 'A record created here would not belong to this collection');
    }
    // Another (now invisible or deleted) record may still hold the name: the name moves to this one.
    await sql`delete from dav_resources where workspace_id = ${actor.workspaceId} and object = ${c.object}
      and name = ${name} and record_id <> ${recordId}`.execute(tx);
    await sql`insert into dav_resources (workspace_id, object, record_id, name, original)
      values (${actor.workspaceId}, ${c.object}, ${recordId}, ${name}, ${text})
      on conflict (workspace_id, object, record_id) do update set name = excluded.name, original = excluded.original, updated_at = now()`.execute(
      tx,
    );
    return { created: !existing, recordId };
  }

  /** DELETE: trashes the record (restorable from Rapport's trash). */
  async remove(tx: Tx, actor: Actor, c: CollectionDef, name: string, cond: { ifMatch?: string }): Promise<void> {
    const existing = await this.find(tx, actor, c, name);
    if (!existing) throw new AppError('not_found', 'No such DAV resource');
    checkPreconditions(existing, cond);
    await this.records.trash(tx, actor, c.object, existing.recordId, versionOf(existing));
  }

  /** The collection's sync token (also its CTag): the last change to its object the caller could have seen. */
  async syncToken(tx: Tx, actor: Actor, c: CollectionDef): Promise<string> {
    const { rows } = await sql<{ tx: string; seq: string }>`
      select tx::text as tx, seq::text as seq from events
      where workspace_id = ${actor.workspaceId} and object = ${c.object}
        and tx < pg_snapshot_xmin(pg_current_snapshot())
      order by tx desc, seq desc limit 1`.execute(tx);
    const r = rows[0];
    return `${SYNC_PREFIX}${r ? `${r.tx}-${r.seq}` : '0-0'}`;
  }

  /**
   * RFC 6578: what changed since `token` — members now (with their ETags) and the records
   * that left the collection (deleted, out of scope) — and the new token. Events of
   * transactions still running are not read yet (their changes come with a later token).
   */
  async changes(
    tx: Tx,
    actor: Actor,
    c: CollectionDef,
    token: string,
  ): Promise<
    { token: string; changed: Member[]; removed: string[] } | { initial: true; token: string; changed: Member[] }
  > {
    const now = await this.syncToken(tx, actor, c);
    if (token === '') return { initial: true, token: now, changed: await this.members(tx, actor, c) };
    const m = new RegExp(`^${SYNC_PREFIX.replace(/[.:]/g, '\\$&')}(\\d+)-(\\d+)$`).exec(token);
    if (!m) throw new AppError('forbidden', 'The sync token is not one this server gave (DAV:valid-sync-token)');
    const [, fromTx = '0', fromSeq = '0'] = m;
    const [, toTx = '0', toSeq = '0'] = /(\d+)-(\d+)$/.exec(now) ?? [];
    const { rows } = await sql<{ record_id: string }>`
      select distinct record_id from events
      where workspace_id = ${actor.workspaceId} and object = ${c.object} and record_id is not null
        and (tx, seq) > (${fromTx}::xid8, ${fromSeq}::bigint) and (tx, seq) <= (${toTx}::xid8, ${toSeq}::bigint)`.execute(
      tx,
    );
    const ids = rows.map((r) => r.record_id);
    const changed = await this.members(tx, actor, c, { ids });
    const present = new Set(changed.map((x) => x.recordId));
    const gone = ids.filter((id) => !present.has(id));
    const stored = await this.stored(tx, actor, c.object, gone);
    const removed = gone.map(
      (id) =>
        `${collectionPath(c, actor.userId as string)}${encodeURIComponent(stored.get(id)?.name ?? `${id}${c.extension}`)}`,
    );
    return { token: now, changed, removed };
  }
}

export const SYNC_PREFIX = 'urn:rapport:sync:';

const versionOf = (m: Member) => (typeof m.record.version === 'number' ? m.record.version : undefined);

/**
 * The fields DAV reads (as far as the role sees them). Not the sensitive ones (a contact's
 * birthday): every read of those is audited, and a phone syncing every few minutes would
 * flood the audit log; a card's BDAY is kept as the client sent it instead.
 */
const FIELDS: Record<Kind, string[]> = {
  contacts: ['id', 'version', 'createdAt', 'updatedAt', 'ownerId', ...CARD_FIELDS],
  meetings: [
    'id',
    'version',
    'createdAt',
    'updatedAt',
    'ownerId',
    'title',
    'startAt',
    'endAt',
    'location',
    'description',
  ],
  tasks: [
    'id',
    'version',
    'createdAt',
    'updatedAt',
    'ownerId',
    'assigneeId',
    'title',
    'status',
    'priority',
    'dueAt',
    'completedAt',
    'description',
  ],
};

function checkPreconditions(existing: Member | null, cond: { ifMatch?: string; ifNoneMatch?: string }) {
  if (cond.ifNoneMatch !== undefined) {
    const tags = cond.ifNoneMatch.split(',').map((t) => t.trim());
    if (existing && (tags.includes('*') || tags.includes(existing.etag))) {
      throw new AppError('precondition_failed', 'The resource already exists (If-None-Match)');
    }
  }
  if (cond.ifMatch !== undefined) {
    const tags = cond.ifMatch.split(',').map((t) => t.trim().replace(/^W\//, ''));
    if (!existing || !(tags.includes('*') || tags.includes(existing.etag))) {
      throw new AppError('precondition_failed', 'The resource changed since it was read (If-Match)');
    }
  }
}

function safeParseCard(text: string) {
  try {
    return parseVCard(text);
  } catch {
    return null;
  }
}

function safeParseCalendar(text: string, kind: CalKind) {
  try {
    return parseCalendar(text, kind);
  } catch {
    return null;
  }
}

function chunk<T>(list: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out.length ? out : [[]];
}
