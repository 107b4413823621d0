import { sql } from 'kysely';
import type { TNotification } from '../../../common/contracts/notifications';
import type { Actor } from '../auth/actor';
import type { Database, Tx } from '../db/database';
import { AppError, notFound } from '../http/errors';
import { HIDDEN_BY_DEFAULT, kindDefaults, NOTIFICATION_KINDS } from './notification-kinds';

export type NotificationView = TNotification;

const iso = (d: unknown) => new Date(d as Date).toISOString();

const present = (r: Record<string, unknown>): NotificationView => ({
  id: r.id as string,
  kind: r.kind as string,
  title: r.title as string,
  body: (r.body as string | null) ?? null,
  object: (r.object as string | null) ?? null,
  recordId: (r.record_id as string | null) ?? null,
  actorUserId: (r.actor_user_id as string | null) ?? null,
  readAt: r.read_at ? iso(r.read_at) : null,
  createdAt: iso(r.created_at),
});

/** The caller's own notifications: only ever their rows (user_id = caller), in their workspace (RLS). */
const shown = (userId: string) => sql`n.user_id = ${userId}::uuid and coalesce(
    (select p.in_app from notification_preferences p where p.workspace_id = n.workspace_id and p.user_id = n.user_id and p.kind = n.kind),
    not (n.kind = any(${HIDDEN_BY_DEFAULT}::text[])))`;

function userOf(actor: Actor): string {
  if (!actor.userId) throw new AppError('forbidden', 'Notifications belong to users; this API key has none');
  return actor.userId;
}

/** In-app notifications (list, unread count, read state) and per-kind preferences. */
export class NotificationService {
  constructor(private readonly database: Database) {}

  async unreadCount(tx: Tx, actor: Actor): Promise<number> {
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from notifications n where ${shown(userOf(actor))} and n.read_at is null`.execute(tx);
    return rows[0]?.n ?? 0;
  }

  async list(actor: Actor, opts: { unread?: boolean; limit?: number; cursor?: string }) {
    const userId = userOf(actor);
    return this.database.tenantRead(actor.workspaceId, async (tx) => {
      const limit = opts.limit ?? 30;
      const { rows } = await sql<Record<string, unknown>>`
        select n.* from notifications n
        where ${shown(userId)}
          and (${opts.unread ?? false} = false or n.read_at is null)
          and (${opts.cursor ?? null}::uuid is null or n.id < ${opts.cursor ?? null}::uuid)
        order by n.id desc limit ${limit + 1}`.execute(tx);
      const hasMore = rows.length > limit;
      const page = rows.slice(0, limit);
      return {
        data: page.map(present),
        page: { nextCursor: hasMore ? (page[page.length - 1]?.id as string) : null, hasMore },
        unreadCount: await this.unreadCount(tx, actor),
      };
    });
  }

  /** One of the user's notifications, if they want it shown (for the real-time push). */
  async one(actor: Actor, id: string): Promise<{ notification: NotificationView; unreadCount: number } | null> {
    const userId = userOf(actor);
    return this.database.tenantRead(actor.workspaceId, async (tx) => {
      const { rows } = await sql<Record<string, unknown>>`
        select n.* from notifications n where n.id = ${id}::uuid and ${shown(userId)}`.execute(tx);
      if (!rows[0]) return null;
      return { notification: present(rows[0]), unreadCount: await this.unreadCount(tx, actor) };
    });
  }

  /** Marks some (ids) or all of the user's notifications read; returns the new unread count. */
  async markRead(actor: Actor, ids: string[] | 'all'): Promise<number> {
    const userId = userOf(actor);
    return this.database.tenant(actor.workspaceId, async (tx) => {
      await sql`update notifications set read_at = now()
        where user_id = ${userId}::uuid and read_at is null
          and (${ids === 'all'} or id = any(${ids === 'all' ? [] : ids}::uuid[]))`.execute(tx);
      return this.unreadCount(tx, actor);
    });
  }

  async markUnread(actor: Actor, id: string): Promise<number> {
    const userId = userOf(actor);
    return this.database.tenant(actor.workspaceId, async (tx) => {
      const { rows } = await sql`update notifications set read_at = null
        where user_id = ${userId}::uuid and id = ${id}::uuid returning id`.execute(tx);
      // Someone else's notification (or another workspace's) is not found, never "done".
      if (rows.length === 0) throw notFound('Notification');
      return this.unreadCount(tx, actor);
    });
  }

  async preferences(actor: Actor) {
    const userId = userOf(actor);
    return this.database.tenantRead(actor.workspaceId, async (tx) => {
      const { rows } = await sql<{ kind: string; in_app: boolean; email: boolean }>`
        select kind, in_app, email from notification_preferences where user_id = ${userId}::uuid`.execute(tx);
      const chosen = new Map(rows.map((r) => [r.kind, r]));
      return Object.entries(NOTIFICATION_KINDS).map(([kind, d]) => {
        const c = chosen.get(kind);
        return { kind, label: d.label, inApp: c?.in_app ?? d.inApp, email: c?.email ?? d.email };
      });
    });
  }

  async setPreferences(actor: Actor, prefs: { kind: string; inApp?: boolean; email?: boolean }[]) {
    const userId = userOf(actor);
    const errors = prefs
      .map((p, i) => (p.kind in NOTIFICATION_KINDS ? null : { path: `${i}.kind`, message: `unknown kind "${p.kind}"` }))
      .filter((e): e is { path: string; message: string } => !!e);
    if (errors.length) throw new AppError('validation_failed', 'Unknown notification kind', { errors });
    const current = new Map((await this.preferences(actor)).map((p) => [p.kind, p]));
    await this.database.tenant(actor.workspaceId, async (tx) => {
      for (const p of prefs) {
        const base = current.get(p.kind) ?? { ...kindDefaults(p.kind) };
        await sql`insert into notification_preferences (workspace_id, user_id, kind, in_app, email)
          values (${actor.workspaceId}, ${userId}, ${p.kind}, ${p.inApp ?? base.inApp}, ${p.email ?? base.email})
          on conflict (workspace_id, user_id, kind) do update
            set in_app = excluded.in_app, email = excluded.email, updated_at = now()`.execute(tx);
      }
    });
    return this.preferences(actor);
  }
}
