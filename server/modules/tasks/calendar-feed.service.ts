import { createHash, randomBytes } from 'node:crypto';
import ical, { ICalEventStatus } from 'ical-generator';
import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { notFound } from '../../platform/http/errors';
import type { RecordData, RecordService } from '../../platform/records/records.service';
import { type Agenda, loadAgenda } from './agenda.service';

const hash = (token: string) => createHash('sha256').update(token).digest('hex');
export const FEED_TOKEN = /^rcf_[A-Za-z0-9_-]{32}$/;

/** The feed's address for a token. */
export const feedUrl = (baseUrl: string, token: string) => `${baseUrl.replace(/\/$/, '')}/api/v1/calendar/${token}.ics`;

/**
 * A new secret feed token for the caller (replacing, hence revoking, any previous one).
 * Only its SHA-256 is stored: the URL is shown once, like an API key.
 */
export async function issueFeedToken(tx: Tx, actor: Actor): Promise<string> {
  if (!actor.userId) throw notFound('Calendar feed');
  const token = `rcf_${randomBytes(24).toString('base64url')}`;
  await sql`insert into calendar_feeds (workspace_id, user_id, token_hash) values (${actor.workspaceId}, ${actor.userId}, ${hash(token)})
    on conflict (workspace_id, user_id) do update set token_hash = excluded.token_hash, created_at = now(), last_used_at = null`.execute(
    tx,
  );
  return token;
}

export async function revokeFeedToken(tx: Tx, actor: Actor): Promise<void> {
  await sql`delete from calendar_feeds where user_id = ${actor.userId}`.execute(tx);
}

export async function feedStatus(tx: Tx, actor: Actor) {
  const { rows } = await sql<{ created_at: Date; last_used_at: Date | null }>`
    select created_at, last_used_at from calendar_feeds where user_id = ${actor.userId}`.execute(tx);
  const r = rows[0];
  return {
    active: !!r,
    createdAt: r?.created_at.toISOString() ?? null,
    lastUsedAt: r?.last_used_at?.toISOString() ?? null,
  };
}

/** Looks the token up (before the workspace is known) and renders that user's calendar; 404 for unknown tokens. */
export async function renderFeed(
  database: Database,
  records: RecordService,
  token: string,
  opts: { now?: Date; baseUrl: string },
): Promise<string> {
  if (!FEED_TOKEN.test(token)) throw notFound('Calendar feed');
  const owner = await database.system(async (tx) => {
    const { rows } = await sql<{ workspace_id: string; user_id: string; role: string; name: string }>`
      update calendar_feeds f set last_used_at = now()
      from workspace_members m, users u
      where f.token_hash = ${hash(token)} and m.workspace_id = f.workspace_id and m.user_id = f.user_id and u.id = f.user_id
      returning f.workspace_id, f.user_id, m.role, u.name`.execute(tx);
    return rows[0];
  });
  if (!owner) throw notFound('Calendar feed');
  const actor: Actor = {
    kind: 'user',
    userId: owner.user_id,
    workspaceId: owner.workspace_id,
    role: owner.role,
    scopes: [],
  };
  const now = opts.now ?? new Date();
  const agenda = await database.tenantRead(owner.workspace_id, (tx) =>
    loadAgenda(tx, actor, records, {
      from: new Date(now.getTime() - 90 * 86_400_000),
      to: new Date(now.getTime() + 366 * 86_400_000),
    }),
  );
  return toICalendar(agenda, { name: `Rapport — ${owner.name}`, baseUrl: opts.baseUrl });
}

const TASK_MINUTES = 15;

/**
 * RFC 5545 text: meetings and tasks (at their due time, as short events, since
 * subscribed calendars ignore VTODO) with stable UIDs and the record's version as
 * SEQUENCE, all times in UTC (no VTIMEZONE needed).
 */
export function toICalendar(agenda: Agenda, opts: { name: string; baseUrl: string }): string {
  const cal = ical({
    name: opts.name,
    prodId: { company: 'Rapport', product: 'Rapport CRM', language: 'EN' },
    ttl: 900,
  });
  const base = opts.baseUrl.replace(/\/$/, '');
  const common = (r: RecordData, object: string) => ({
    id: `${object}-${r.id}@rapport`,
    sequence: Number(r.version ?? 1) - 1,
    stamp: new Date(String(r.updatedAt ?? r.createdAt ?? Date.now())),
    created: r.createdAt ? new Date(String(r.createdAt)) : undefined,
    lastModified: r.updatedAt ? new Date(String(r.updatedAt)) : undefined,
    url: `${base}/${object}/${r.id}`,
  });
  for (const m of agenda.meetings) {
    const start = new Date(String(m.startAt));
    cal.createEvent({
      ...common(m, 'meetings'),
      start,
      end: m.endAt ? new Date(String(m.endAt)) : new Date(start.getTime() + 30 * 60_000),
      summary: String(m.title ?? 'Meeting'),
      location: m.location ? String(m.location) : undefined,
      description: m.description ? String(m.description) : undefined,
    });
  }
  for (const t of agenda.tasks) {
    const start = new Date(String(t.dueAt));
    const done = t.status === 'done';
    cal.createEvent({
      ...common(t, 'tasks'),
      start,
      end: new Date(start.getTime() + TASK_MINUTES * 60_000),
      summary: `${done ? '✓ ' : ''}Task: ${String(t.title ?? '')}`,
      description: t.description ? String(t.description) : undefined,
      status: t.status === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      categories: [{ name: 'Task' }],
      x: [{ key: 'X-RAPPORT-PRIORITY', value: String(t.priority ?? 'normal') }],
    });
  }
  return cal.toString();
}
