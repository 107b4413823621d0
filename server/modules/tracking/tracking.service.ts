import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TTrackingSettings, TTrackingSettingsRequest, TVisit } from '../../../common/contracts/tracking';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { emitEvents } from '../../platform/events/events';
import { AppError } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { currentConsent } from '../consents';

/** The objects a visitor can be identified as. */
export const VISITOR_OBJECTS = ['leads', 'contacts'] as const;
export type VisitorObject = (typeof VISITOR_OBJECTS)[number];
export const isVisitorObject = (o: unknown): o is VisitorObject => o === 'leads' || o === 'contacts';

/** A visitor id as t.js makes it (the rapport_vid cookie). */
export const VISITOR_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** Earlier views replayed as `page.viewed` events when a visitor is identified (the newest ones). */
export const BACKFILL_LIMIT = 500;

const newSiteKey = () => `rk_${randomBytes(18).toString('base64url')}`;

interface SettingsRow {
  site_key: string;
  enabled: boolean;
  allowed_origins: string[];
  updated_at: Date;
}

const present = (r: SettingsRow, baseUrl: string): TTrackingSettings => ({
  siteKey: r.site_key,
  enabled: r.enabled,
  allowedOrigins: r.allowed_origins,
  snippet: `<script src="${baseUrl.replace(/\/$/, '')}/t.js" data-key="${r.site_key}" async></script>`,
  updatedAt: new Date(r.updated_at).toISOString(),
});

/** Administrators and marketing managers set up tracking. */
export async function assertTrackingManager(tx: Tx, records: RecordService, actor: Actor): Promise<void> {
  const policy = await records.access.policy(tx, actor);
  if (policy.admin || actor.role === 'marketing_manager') return;
  throw new AppError('forbidden', 'Only administrators and marketing managers may manage website tracking');
}

/** The workspace's tracking settings; the first read creates its site key (tracking on, any site). */
export async function getSettings(tx: Tx, workspaceId: string, baseUrl: string): Promise<TTrackingSettings> {
  await sql`insert into tracking_settings (workspace_id, site_key) values (${workspaceId}::uuid, ${newSiteKey()})
    on conflict (workspace_id) do nothing`.execute(tx);
  const { rows } = await sql<SettingsRow>`select site_key, enabled, allowed_origins, updated_at
    from tracking_settings where workspace_id = ${workspaceId}::uuid`.execute(tx);
  return present(rows[0] as SettingsRow, baseUrl);
}

/** Changes the settings: on/off, the allowed sites, a new site key (`rotateKey`). */
export async function updateSettings(
  tx: Tx,
  workspaceId: string,
  baseUrl: string,
  change: TTrackingSettingsRequest,
): Promise<TTrackingSettings> {
  await getSettings(tx, workspaceId, baseUrl);
  const origins = change.allowedOrigins ? [...new Set(change.allowedOrigins.map((o) => o.toLowerCase()))] : null;
  await sql`update tracking_settings set
      enabled = coalesce(${change.enabled ?? null}::boolean, enabled),
      allowed_origins = coalesce(${origins}::text[], allowed_origins),
      site_key = case when ${change.rotateKey === true} then ${newSiteKey()} else site_key end,
      updated_at = now()
    where workspace_id = ${workspaceId}::uuid`.execute(tx);
  return getSettings(tx, workspaceId, baseUrl);
}

/** The workspace a site key belongs to, if tracking is on there (t/collect: no workspace yet, so an owner read). */
export async function siteOf(db: Tx, key: string): Promise<{ workspaceId: string; allowedOrigins: string[] } | null> {
  const { rows } = await sql<{ workspace_id: string; allowed_origins: string[] }>`
    select workspace_id, allowed_origins from tracking_settings where site_key = ${key} and enabled`.execute(db);
  const r = rows[0];
  return r ? { workspaceId: r.workspace_id, allowedOrigins: r.allowed_origins } : null;
}

export interface ViewInput {
  visitorId: string;
  url: string;
  title: string;
  referrer: string;
  kind: 'page' | 'download';
  browser: string;
  ipHash: string;
  occurredAt?: Date;
}

/** The lead or contact a visitor was identified as, if any. */
export async function visitorRecord(
  tx: Tx,
  workspaceId: string,
  visitorId: string,
): Promise<{ object: VisitorObject; recordId: string } | null> {
  const { rows } = await sql<{ object: string | null; record_id: string | null }>`
    select object, record_id from web_visitors where workspace_id = ${workspaceId}::uuid and id = ${visitorId}`.execute(
    tx,
  );
  const r = rows[0];
  return r && isVisitorObject(r.object) && r.record_id ? { object: r.object, recordId: r.record_id } : null;
}

/** Whether the person withdrew consent to tracking (their views are then neither stored nor linked). */
export const trackingWithdrawn = async (tx: Tx, object: VisitorObject, recordId: string): Promise<boolean> =>
  (await currentConsent(tx, object, recordId, 'tracking')) === 'withdrawn';

/**
 * Stores one page view or download of a visitor (created on first sight). An identified
 * visitor's view also emits `page.viewed` about its lead or contact; an anonymous one stays a row.
 */
export async function recordView(tx: Tx, workspaceId: string, v: ViewInput): Promise<{ id: string | null }> {
  // A person who withdrew consent to tracking (or sent Global Privacy Control once identified) is not tracked.
  const known = await visitorRecord(tx, workspaceId, v.visitorId);
  if (known && (await trackingWithdrawn(tx, known.object, known.recordId))) return { id: null };
  const at = v.occurredAt ?? new Date();
  const { rows } = await sql<{ object: string | null; record_id: string | null }>`
    insert into web_visitors (workspace_id, id, first_seen, last_seen)
    values (${workspaceId}::uuid, ${v.visitorId}, ${at}::timestamptz, ${at}::timestamptz)
    on conflict (workspace_id, id) do update set last_seen = greatest(web_visitors.last_seen, excluded.last_seen)
    returning object, record_id`.execute(tx);
  const url = v.url.split('#')[0] ?? v.url;
  const path = new URL(url).pathname;
  const id = uuidv7();
  await sql`insert into page_views
      (workspace_id, id, visitor_id, url, path, title, referrer, kind, browser, ip_hash, occurred_at)
    values (${workspaceId}::uuid, ${id}::uuid, ${v.visitorId}, ${url}, ${path}, ${v.title || null},
      ${v.referrer || null}, ${v.kind}, ${v.browser}, ${v.ipHash}, ${at}::timestamptz)`.execute(tx);
  const who = rows[0];
  if (who?.object && who.record_id) {
    await emitEvents(tx, { workspaceId, userId: null }, [
      {
        type: 'page.viewed',
        object: who.object,
        recordId: who.record_id,
        data: { url, path, kind: v.kind, visitorId: v.visitorId, occurredAt: at.toISOString() },
      },
    ]);
  }
  return { id };
}

/**
 * Links a visitor to the lead or contact they turned out to be (a form submission, a tracked
 * email link), so that their earlier and later views belong to it. On a new link it emits
 * `visitor.identified` and replays the visitor's earlier views as `page.viewed` events with
 * `data.occurredAt` the original time (engagement scoring reads them like live ones). The same
 * link again changes nothing (redelivered events); a link to another record moves the visitor
 * (the newest identification wins: one browser, one person). Runs in a tenant transaction or
 * a system one (every statement names the workspace).
 */
export async function identifyVisitor(
  tx: Tx,
  workspaceId: string,
  visitorId: string,
  object: VisitorObject,
  recordId: string,
  source = 'form',
): Promise<{ linked: boolean; views: number }> {
  if (!VISITOR_ID.test(visitorId) || !isVisitorObject(object)) return { linked: false, views: 0 };
  // Linking a browser to a person is tracking: not for someone who withdrew it.
  if (await trackingWithdrawn(tx, object, recordId)) return { linked: false, views: 0 };
  const { rows } = await sql<{ id: string }>`
    insert into web_visitors (workspace_id, id, object, record_id, identified_at)
    values (${workspaceId}::uuid, ${visitorId}, ${object}, ${recordId}::uuid, now())
    on conflict (workspace_id, id) do update set object = excluded.object, record_id = excluded.record_id,
      identified_at = excluded.identified_at
      where web_visitors.object is distinct from excluded.object
         or web_visitors.record_id is distinct from excluded.record_id
    returning id`.execute(tx);
  if (rows.length === 0) return { linked: false, views: 0 };
  const { rows: views } = await sql<{ url: string; path: string; kind: string; occurred_at: Date }>`
    select url, path, kind, occurred_at from page_views
    where workspace_id = ${workspaceId}::uuid and visitor_id = ${visitorId}
    order by occurred_at desc limit ${BACKFILL_LIMIT}`.execute(tx);
  const actor = { workspaceId, userId: null };
  await emitEvents(tx, actor, [
    { type: 'visitor.identified', object, recordId, data: { visitorId, source, views: views.length } },
    ...views.reverse().map((v) => ({
      type: 'page.viewed',
      object,
      recordId,
      data: {
        url: v.url,
        path: v.path,
        kind: v.kind,
        visitorId,
        occurredAt: new Date(v.occurred_at).toISOString(),
        backfilled: true,
      },
    })),
  ]);
  return { linked: true, views: views.length };
}

/** The workspace's latest views of every visitor, anonymous ones included (tracking managers only). */
export async function recentViews(tx: Tx, workspaceId: string, limit: number) {
  const { rows } = await sql<ViewRow & { identified: boolean }>`
    select p.id, p.visitor_id, p.url, p.path, p.title, p.referrer, p.kind, p.browser, p.occurred_at,
      v.record_id is not null as identified
    from page_views p join web_visitors v on v.workspace_id = p.workspace_id and v.id = p.visitor_id
    where p.workspace_id = ${workspaceId}::uuid
    order by p.occurred_at desc, p.id desc limit ${limit}`.execute(tx);
  return rows.map((r) => ({ ...presentView(r), identified: r.identified }));
}

interface ViewRow {
  id: string;
  visitor_id: string;
  url: string;
  path: string;
  title: string | null;
  referrer: string | null;
  kind: 'page' | 'download';
  browser: string | null;
  occurred_at: Date;
}

const presentView = (r: ViewRow): TVisit => ({
  id: r.id,
  visitorId: r.visitor_id,
  url: r.url,
  path: r.path,
  title: r.title,
  referrer: r.referrer,
  kind: r.kind,
  browser: r.browser,
  occurredAt: new Date(r.occurred_at).toISOString(),
});

/**
 * The page views of the visitors identified as a record, newest first, with the totals. The
 * caller must have been shown the record (records.get) first: visits are part of the record.
 */
export async function listVisits(
  tx: Tx,
  workspaceId: string,
  object: VisitorObject,
  recordId: string,
  limit: number,
): Promise<{ data: TVisit[]; total: number; visitors: number }> {
  const visitors = sql`select id from web_visitors
    where workspace_id = ${workspaceId}::uuid and object = ${object} and record_id = ${recordId}::uuid`;
  const { rows } = await sql<ViewRow>`
    select id, visitor_id, url, path, title, referrer, kind, browser, occurred_at from page_views
    where workspace_id = ${workspaceId}::uuid and visitor_id in (${visitors})
    order by occurred_at desc, id desc limit ${limit}`.execute(tx);
  const { rows: totals } = await sql<{ views: number; visitors: number }>`
    select (select count(*)::int from page_views where workspace_id = ${workspaceId}::uuid
              and visitor_id in (${visitors})) as views,
           (select count(*)::int from (${visitors}) v) as visitors`.execute(tx);
  return {
    data: rows.map(presentView),
    total: totals[0]?.views ?? 0,
    visitors: totals[0]?.visitors ?? 0,
  };
}
