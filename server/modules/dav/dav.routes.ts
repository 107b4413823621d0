import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Actor } from '../../platform/auth/actor';
import type { Database } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import type { AppPasswordAuth } from './app-passwords.service';
import {
  COLLECTIONS,
  type CollectionDef,
  collectionPath,
  contentType,
  DAV_ROOT,
  DavService,
  homePath,
  type Member,
  principalPath,
  resolvePath,
  type Target,
} from './dav.service';
import { requestedVersion, type VCardVersion } from './vcard-map';
import {
  cal,
  card,
  child,
  children,
  cs,
  dav,
  davError,
  el,
  esc,
  multistatus,
  type PropValue,
  parseXml,
  response,
  statusResponse,
  type XmlNode,
} from './xml';

const DAV_METHODS = ['PROPFIND', 'PROPPATCH', 'REPORT', 'MKCOL', 'MKCALENDAR'] as const;
const ALLOW = 'OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, REPORT';
const DAV_HEADER = '1, 3, addressbook, calendar-access, extended-mkcol';
const XML_TYPE = 'application/xml; charset=utf-8';
const ALL_METHODS = ['OPTIONS', 'GET', 'HEAD', 'PUT', 'DELETE', ...DAV_METHODS];

declare module 'fastify' {
  interface FastifyRequest {
    davActor?: Actor;
  }
}

/**
 * CardDAV (RFC 6352) and CalDAV (RFC 4791) with WebDAV sync (RFC 6578) under /dav/, and
 * the /.well-known redirects (RFC 6764). Signed in with an app password (HTTP Basic);
 * every read and write goes through the record engine as that member.
 */
export function davRoutes(deps: {
  database: Database;
  records: RecordService;
  baseUrl: string;
  auth: AppPasswordAuth;
}): FastifyPluginAsyncZod {
  const service = new DavService(deps.records, deps.baseUrl);
  return async (app) => {
    for (const m of DAV_METHODS) {
      if (!app.supportedMethods.includes(m)) app.addHttpMethod(m, { hasBody: true });
    }

    // Discovery (RFC 6764): anyone may ask; the answer is the same for everyone.
    await app.register(async (scope) => {
      scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
      for (const which of ['carddav', 'caldav']) {
        scope.route({
          method: ALL_METHODS,
          url: `/.well-known/${which}`,
          config: { public: true, limit: 'dav.discovery' },
          schema: { hide: true },
          handler: async (_req, reply) => reply.code(301).header('location', DAV_ROOT).send(),
        });
      }
    });

    await app.register(async (scope) => {
      // DAV bodies are XML, vCard or iCalendar text; read every type as a string here.
      scope.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
      scope.addHook('onRequest', async (req, reply) => {
        reply.header('dav', DAV_HEADER);
        if (req.method === 'OPTIONS') return;
        try {
          const actor = await deps.auth.authenticate(req.headers.authorization, req.ip);
          req.actor = actor;
          req.davActor = actor;
        } catch (err) {
          if (err instanceof AppError && err.code === 'unauthenticated') {
            reply.header('www-authenticate', 'Basic realm="Rapport", charset="UTF-8"');
          }
          throw err;
        }
      });
      const handler = (req: FastifyRequest, reply: FastifyReply) => handle(service, deps, req, reply);
      for (const url of ['/dav', '/dav/', '/dav/*']) {
        scope.route({ method: ALL_METHODS, url, schema: { hide: true }, handler });
      }
    });
  };
}

async function handle(
  service: DavService,
  deps: { database: Database },
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<unknown> {
  if (req.method === 'OPTIONS') return reply.code(200).header('allow', ALLOW).send();
  const actor = req.davActor as Actor;
  const me = actor.userId as string;
  let target = resolvePath(req.url, me);
  if ((target.type === 'collection' || target.type === 'resource') && target.collection.viewId) {
    const loaded = await deps.database.tenantRead(actor.workspaceId, (tx) =>
      service.loadView(tx, actor, (target as { collection: CollectionDef }).collection),
    );
    target = { ...target, collection: loaded };
  }
  const text = typeof req.body === 'string' ? req.body : req.body === undefined || req.body === null ? '' : null;
  if (text === null) throw new AppError('unsupported_media_type', 'Send XML, vCard or iCalendar text');
  const db = deps.database;
  const header = (name: string) => {
    const v = req.headers[name];
    return typeof v === 'string' ? v : undefined;
  };

  switch (req.method) {
    case 'PROPFIND': {
      const requested = propfindRequest(text);
      const depth = header('depth') === '0' ? 0 : 1;
      const parts = await db.tenantRead(actor.workspaceId, async (tx) => {
        if (target.type === 'resource') {
          const m = await service.find(tx, actor, target.collection, target.name);
          if (!m) throw new AppError('not_found', 'No such DAV resource');
          return [response(m.href, memberProps(target.collection, m, requested))];
        }
        const out: string[] = [];
        const ctx = new PropContext(service, tx, actor);
        out.push(response(hrefOf(target), await ctx.props(target, requested)));
        if (depth === 1) {
          for (const t of await childrenOf(service, tx, actor, target)) {
            out.push(response(hrefOf(t), await ctx.props(t, requested)));
          }
          if (target.type === 'collection') {
            for (const m of await service.members(tx, actor, target.collection)) {
              out.push(response(m.href, memberProps(target.collection, m, requested)));
            }
          }
        }
        return out;
      });
      return reply.code(207).type(XML_TYPE).send(multistatus(parts));
    }

    case 'REPORT': {
      if (target.type !== 'collection') {
        throw new AppError('forbidden', 'Reports are answered on an address book or calendar collection');
      }
      const body = parseXml(text);
      const c = target.collection;
      const requested = propList(child(body, dav('prop')));
      const xml = await db.tenantRead(actor.workspaceId, (tx) => report(service, tx, actor, c, body, requested));
      return reply.code(207).type(XML_TYPE).send(xml);
    }

    case 'GET':
    case 'HEAD': {
      if (target.type !== 'resource') {
        return reply
          .type('text/plain; charset=utf-8')
          .send('This is Rapport’s CardDAV and CalDAV server: add an account in your phone’s settings.\n');
      }
      const version = requestedVersion(header('accept'));
      const m = await db.tenantRead(actor.workspaceId, (tx) =>
        service.find(tx, actor, target.collection, target.name, version),
      );
      if (!m) throw new AppError('not_found', 'No such DAV resource');
      reply.header('etag', m.etag).type(contentType(target.collection, vcardVersion(m)));
      if (
        header('if-none-match')
          ?.split(',')
          .some((t) => t.trim() === m.etag || t.trim() === '*')
      ) {
        return reply.code(304).send();
      }
      return reply.send(m.body);
    }

    case 'PUT': {
      if (target.type !== 'resource') throw new AppError('method_not_allowed', 'PUT a resource inside a collection');
      const c = target.collection;
      const type = (header('content-type') ?? '').toLowerCase();
      const ok =
        c.object === 'contacts' ? /^text\/(x-)?vcard|^text\/directory/.test(type) : /^text\/calendar/.test(type);
      if (!ok) {
        throw new AppError(
          'unsupported_media_type',
          c.object === 'contacts' ? 'An address book takes text/vcard' : 'A calendar takes text/calendar',
        );
      }
      const result = await db.tenant(actor.workspaceId, (tx) =>
        service.put(tx, actor, c, target.name, text, {
          ifMatch: header('if-match'),
          ifNoneMatch: header('if-none-match'),
        }),
      );
      // The stored text is Rapport's rendering, not the client's bytes: no ETag, so the client reads it back.
      return reply.code(result.created ? 201 : 204).send();
    }

    case 'DELETE': {
      if (target.type !== 'resource') throw new AppError('forbidden', 'Collections cannot be deleted');
      await db.tenant(actor.workspaceId, (tx) =>
        service.remove(tx, actor, target.collection, target.name, { ifMatch: header('if-match') }),
      );
      return reply.code(204).send();
    }

    case 'PROPPATCH': {
      // Names and colours are Rapport's: every property is refused, the rest of the request is valid.
      const body = parseXml(text);
      if (body.name !== dav('propertyupdate'))
        throw new AppError('malformed_request', 'PROPPATCH takes a DAV:propertyupdate');
      const names = [...children(body, dav('set')), ...children(body, dav('remove'))].flatMap((s) =>
        (child(s, dav('prop'))?.children ?? []).map((p) => p.name),
      );
      const props = names.map((n) => el(n)).join('');
      const part = `<d:response><d:href>${esc(hrefOf(target))}</d:href><d:propstat><d:prop>${props}</d:prop><d:status>HTTP/1.1 403 Forbidden</d:status></d:propstat></d:response>`;
      return reply
        .code(207)
        .type(XML_TYPE)
        .send(multistatus([part]));
    }

    default:
      // MKCOL, MKCALENDAR: the collections are fixed.
      return reply
        .code(403)
        .type(XML_TYPE)
        .send(davError(dav('resource-must-be-null')));
  }
}

const vcardVersion = (m: Member): VCardVersion => (/\r\nVERSION:3\.0\r\n/.test(m.body) ? '3.0' : '4.0');

function hrefOf(t: Target): string {
  switch (t.type) {
    case 'root':
      return DAV_ROOT;
    case 'principal':
      return principalPath(t.user);
    case 'home':
      return homePath(t.home, t.user);
    case 'collection':
      return collectionPath(t.collection, t.user);
    case 'resource':
      return `${collectionPath(t.collection, t.user)}${encodeURIComponent(t.name)}`;
  }
}

async function childrenOf(
  service: DavService,
  tx: Parameters<DavService['members']>[0],
  actor: Actor,
  t: Target,
): Promise<Target[]> {
  if (t.type !== 'home') return [];
  const collections =
    t.home === 'addressbooks' ? await service.addressBooks(tx, actor) : COLLECTIONS.filter((c) => c.home === t.home);
  return collections.map((collection) => ({ type: 'collection' as const, collection, user: t.user }));
}

/** The properties a PROPFIND asks for (allprop and an empty body: the usual ones). */
function propfindRequest(text: string): string[] {
  if (text.trim() === '') return ALLPROP;
  const body = parseXml(text);
  if (body.name !== dav('propfind')) throw new AppError('malformed_request', 'PROPFIND takes a DAV:propfind body');
  const prop = child(body, dav('prop'));
  if (prop) return propList(prop);
  return ALLPROP;
}

const propList = (prop: XmlNode | undefined) => (prop ? prop.children.map((c) => c.name) : [dav('getetag')]);

const ALLPROP = [
  dav('resourcetype'),
  dav('displayname'),
  dav('getetag'),
  dav('getcontenttype'),
  dav('current-user-principal'),
];

const PRIVILEGES = `<d:privilege><d:read/></d:privilege><d:privilege><d:write/></d:privilege><d:privilege><d:write-content/></d:privilege><d:privilege><d:bind/></d:privilege><d:privilege><d:unbind/></d:privilege>`;

/** Properties of the non-member targets (root, principal, homes, collections). */
class PropContext {
  private tokens = new Map<string, string>();
  constructor(
    private readonly service: DavService,
    private readonly tx: Parameters<DavService['syncToken']>[0],
    private readonly actor: Actor,
  ) {}

  private async token(c: CollectionDef): Promise<string> {
    const cached = this.tokens.get(c.slug);
    if (cached) return cached;
    const t = await this.service.syncToken(this.tx, this.actor, c);
    this.tokens.set(c.slug, t);
    return t;
  }

  async props(t: Target, requested: string[]): Promise<Map<string, PropValue>> {
    const me = this.actor.userId as string;
    const out = new Map<string, PropValue>();
    const href = (p: string) => `<d:href>${esc(p)}</d:href>`;
    for (const name of requested) {
      let v: PropValue = null;
      switch (name) {
        case dav('current-user-principal'):
        case dav('principal-URL'):
        case dav('owner'):
          v = t.type === 'resource' ? null : href(principalPath(me));
          break;
        case dav('principal-collection-set'):
          v = href(`${DAV_ROOT}principals/`);
          break;
        case card('addressbook-home-set'):
          v = t.type === 'principal' || t.type === 'root' ? href(homePath('addressbooks', me)) : null;
          break;
        case cal('calendar-home-set'):
          v = t.type === 'principal' || t.type === 'root' ? href(homePath('calendars', me)) : null;
          break;
        case cal('calendar-user-address-set'):
          v = t.type === 'principal' ? href(`urn:uuid:${me}`) : null;
          break;
        case dav('resourcetype'):
          v =
            t.type === 'principal'
              ? '<d:collection/><d:principal/>'
              : t.type === 'collection'
                ? `<d:collection/>${t.collection.home === 'addressbooks' ? '<card:addressbook/>' : '<cal:calendar/>'}`
                : '<d:collection/>';
          break;
        case dav('displayname'):
          v =
            t.type === 'collection'
              ? esc(t.collection.displayName)
              : t.type === 'principal'
                ? 'Rapport'
                : t.type === 'home'
                  ? t.home === 'addressbooks'
                    ? 'Address books'
                    : 'Calendars'
                  : 'Rapport';
          break;
        case dav('current-user-privilege-set'):
          v = t.type === 'collection' ? PRIVILEGES : '<d:privilege><d:read/></d:privilege>';
          break;
        case dav('supported-report-set'):
          if (t.type === 'collection') {
            const reports =
              t.collection.home === 'addressbooks'
                ? ['card:addressbook-multiget', 'card:addressbook-query', 'd:sync-collection']
                : ['cal:calendar-multiget', 'cal:calendar-query', 'd:sync-collection'];
            v = reports.map((r) => `<d:supported-report><d:report><${r}/></d:report></d:supported-report>`).join('');
          }
          break;
        case dav('sync-token'):
          if (t.type === 'collection') v = esc(await this.token(t.collection));
          break;
        case cs('getctag'):
          if (t.type === 'collection') v = esc(await this.token(t.collection));
          break;
        case card('addressbook-description'):
        case cal('calendar-description'):
          if (t.type === 'collection') v = esc(t.collection.description);
          break;
        case card('supported-address-data'):
          if (t.type === 'collection' && t.collection.home === 'addressbooks') {
            v =
              '<card:address-data-type content-type="text/vcard" version="4.0"/><card:address-data-type content-type="text/vcard" version="3.0"/>';
          }
          break;
        case card('max-resource-size'):
        case cal('max-resource-size'):
          if (t.type === 'collection') v = String(t.collection.home === 'addressbooks' ? 256 * 1024 : 512 * 1024);
          break;
        case cal('supported-calendar-component-set'):
          if (t.type === 'collection' && t.collection.home === 'calendars') {
            v = `<cal:comp name="${t.collection.object === 'meetings' ? 'VEVENT' : 'VTODO'}"/>`;
          }
          break;
        case cal('supported-calendar-data'):
          if (t.type === 'collection' && t.collection.home === 'calendars') {
            v = '<cal:calendar-data content-type="text/calendar" version="2.0"/>';
          }
          break;
        default:
          v = null;
      }
      out.set(name, v);
    }
    return out;
  }
}

/** A member's properties: ETag, type and (when asked) its text. */
function memberProps(c: CollectionDef, m: Member, requested: string[]): Map<string, PropValue> {
  const out = new Map<string, PropValue>();
  for (const name of requested) {
    switch (name) {
      case dav('getetag'):
        out.set(name, esc(m.etag));
        break;
      case dav('getcontenttype'):
        out.set(name, esc(contentType(c, vcardVersion(m))));
        break;
      case dav('getcontentlength'):
        out.set(name, String(Buffer.byteLength(m.body)));
        break;
      case dav('resourcetype'):
        out.set(name, '');
        break;
      case dav('getlastmodified'):
        out.set(name, typeof m.record.updatedAt === 'string' ? esc(new Date(m.record.updatedAt).toUTCString()) : null);
        break;
      case card('address-data'):
        out.set(name, c.object === 'contacts' ? esc(m.body) : null);
        break;
      case cal('calendar-data'):
        out.set(name, c.object !== 'contacts' ? esc(m.body) : null);
        break;
      default:
        out.set(name, null);
    }
  }
  return out;
}

/** The address-data / calendar-data element of a report's prop list, for the vCard version asked. */
function versionAsked(body: XmlNode): VCardVersion | null {
  const data = child(child(body, dav('prop')), card('address-data'));
  const v = data?.attrs.version;
  return v === '3.0' || v === '4.0' ? v : null;
}

async function report(
  service: DavService,
  tx: Parameters<DavService['members']>[0],
  actor: Actor,
  c: CollectionDef,
  body: XmlNode,
  requested: string[],
): Promise<string> {
  const me = actor.userId as string;
  const isCards = c.home === 'addressbooks';
  const version = versionAsked(body);
  switch (body.name) {
    case card('addressbook-multiget'):
    case cal('calendar-multiget'): {
      if ((body.name === card('addressbook-multiget')) !== isCards) {
        throw new AppError('forbidden', 'That report is not for this kind of collection');
      }
      const hrefs = children(body, dav('href')).map((h) => h.text.trim());
      if (hrefs.length > 1000) throw new AppError('malformed_request', 'Ask for at most 1,000 resources at a time');
      const parts: string[] = [];
      for (const h of hrefs) {
        const t = resolvePath(h, me);
        if (t.type !== 'resource' || t.collection.slug !== c.slug || t.collection.home !== c.home) {
          throw new AppError('malformed_request', `${h.slice(0, 200)} is not a resource of this collection`);
        }
        const m = await service.find(tx, actor, c, t.name, version);
        parts.push(m ? response(m.href, memberProps(c, m, requested)) : statusResponse(h, '404 Not Found'));
      }
      return multistatus(parts);
    }
    case card('addressbook-query'):
    case cal('calendar-query'): {
      if ((body.name === card('addressbook-query')) !== isCards) {
        throw new AppError('forbidden', 'That report is not for this kind of collection');
      }
      let members = await service.members(tx, actor, c, { version });
      if (!isCards) members = members.filter(calendarFilter(c, child(body, cal('filter'))));
      return multistatus(members.map((m) => response(m.href, memberProps(c, m, requested))));
    }
    case dav('sync-collection'): {
      const token = child(body, dav('sync-token'))?.text.trim() ?? '';
      const level = child(body, dav('sync-level'))?.text.trim();
      if (level && level !== '1') throw new AppError('forbidden', 'Only sync-level 1 is supported');
      const result = await service.changes(tx, actor, c, token);
      const parts = result.changed.map((m) => response(m.href, memberProps(c, m, requested)));
      if (!('initial' in result)) for (const href of result.removed) parts.push(statusResponse(href, '404 Not Found'));
      return multistatus(parts, `<d:sync-token>${esc(result.token)}</d:sync-token>`);
    }
    default:
      throw new AppError('forbidden', `The report ${body.name.slice(0, 100)} is not supported here`);
  }
}

/** calendar-query's filter: the component asked for and an optional time range (RFC 4791 §9.7). */
function calendarFilter(c: CollectionDef, filter: XmlNode | undefined): (m: Member) => boolean {
  const top = child(filter, cal('comp-filter'));
  if (!top) return () => true;
  if (top.attrs.name?.toUpperCase() !== 'VCALENDAR') return () => false;
  const inner = child(top, cal('comp-filter'));
  if (!inner) return () => true;
  const wanted = c.object === 'meetings' ? 'VEVENT' : 'VTODO';
  if (inner.attrs.name?.toUpperCase() !== wanted) return () => false;
  const range = child(inner, cal('time-range'));
  if (!range) return () => true;
  const parse = (s: string | undefined) => {
    if (!s) return null;
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
    if (!m) throw new AppError('malformed_request', 'time-range start and end are UTC times like 20260101T000000Z');
    const [, y, mo, d, h, mi, se] = m.map(Number) as number[];
    return Date.UTC(y as number, (mo as number) - 1, d, h, mi, se);
  };
  const start = parse(range.attrs.start) ?? Number.NEGATIVE_INFINITY;
  const end = parse(range.attrs.end) ?? Number.POSITIVE_INFINITY;
  return (m) => {
    const r = m.record;
    if (c.object === 'meetings') {
      const s = Date.parse(String(r.startAt));
      const e = r.endAt ? Date.parse(String(r.endAt)) : s;
      return s < end && (e > start || (e === s && s >= start));
    }
    if (!r.dueAt) return true; // a to-do without a due time overlaps every range (RFC 4791 §9.9)
    const d = Date.parse(String(r.dueAt));
    return d >= start && d < end;
  };
}
