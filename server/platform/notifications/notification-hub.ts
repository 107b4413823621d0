import type { FastifyBaseLogger as Logger } from 'fastify';
import { sql } from 'kysely';
import type { WebSocket } from 'ws';
import type { TStreamMessage } from '../../../common/contracts/notifications';
import type { Actor } from '../auth/actor';
import type { Database } from '../db/database';
import { Poller } from '../jobs/poller';
import type { NotificationService } from './notifications.service';
import { NOTIFICATIONS_CHANNEL } from './notify';

interface Client {
  socket: WebSocket;
  actor: Actor;
  /** Whether the socket's credentials still name this user in this workspace (see `add`). */
  stillValid: () => Promise<boolean>;
}

/**
 * Something besides notifications that the stream pushes (a module's, e.g. the activity
 * feed): writers signal `channel` with `{ workspaceId, id }` (pg_notify, delivered on
 * commit); the hub asks `message` for each connected member of that workspace, which
 * answers null for someone who may not see it.
 */
export interface StreamSource {
  name: string;
  channel: string;
  /** Embedded mode (no NOTIFY across sessions): ids written in these workspaces since `since`. */
  recent(workspaceIds: string[], since: Date): Promise<{ workspaceId: string; id: string }[]>;
  /** What `actor` is sent about `id`, or null when they may not see it. */
  message(actor: Actor, id: string): Promise<TStreamMessage | null>;
}

/** Close code for a socket whose session, key or membership ended after it connected. */
export const CREDENTIALS_ENDED = 4401;

/**
 * Pushes new notifications to the user's open sockets on this app server.
 * On a PostgreSQL server, notify()'s pg_notify reaches every app server on commit
 * (LISTEN). In embedded mode that NOTIFY stays inside PGlite, so the hub polls for
 * recent notifications of connected users instead (one process owns the database).
 */
export class NotificationHub {
  private readonly clients = new Map<string, Set<Client>>();
  private readonly pushed = new Map<string, number>();
  /** Per user key: when their first open socket connected (the embedded poll pushes only what is newer). */
  private readonly since = new Map<string, Date>();
  // Embedded mode only: NOTIFY does not leave PGlite, so look for new notifications instead.
  private readonly poller: Poller;

  constructor(
    private readonly opts: {
      database: Database;
      service: NotificationService;
      log: Logger;
      pollMs?: number;
      /** Modules' streams (RapportModule.streams). */
      sources?: StreamSource[];
    },
  ) {
    this.poller = new Poller({
      name: 'notification push poll',
      intervalMs: opts.pollMs ?? 1000,
      firstDelayMs: opts.pollMs ?? 1000,
      run: () => this.poll(),
      log: opts.log,
    });
  }

  async start(): Promise<void> {
    await this.opts.database.listen(NOTIFICATIONS_CHANNEL, (payload) => {
      try {
        const p = JSON.parse(payload) as { workspaceId: string; userId: string; id: string };
        void this.deliver(p.workspaceId, p.userId, p.id);
      } catch {
        // not ours
      }
    });
    for (const source of this.opts.sources ?? []) {
      await this.opts.database.listen(source.channel, (payload) => {
        try {
          const p = JSON.parse(payload) as { workspaceId: string; id: string };
          void this.deliverFrom(source, p.workspaceId, p.id);
        } catch {
          // not ours
        }
      });
    }
    if (this.opts.database.kind === 'embedded') this.poller.start();
  }

  async stop(): Promise<void> {
    const stopping = this.poller.stop();
    for (const set of this.clients.values()) for (const c of set) c.socket.close(1001, 'server shutting down');
    this.clients.clear();
    await stopping;
  }

  /**
   * A user's socket. `stillValid` re-resolves the credentials it was opened with (the
   * 5 s credential cache): checked before every push and every 30 s, so signing out,
   * a revoked session or key, or removal from the workspace ends the stream too.
   */
  add(socket: WebSocket, actor: Actor, stillValid: () => Promise<boolean>): void {
    const key = `${actor.workspaceId}:${actor.userId}`;
    const client = { socket, actor, stillValid };
    const set = this.clients.get(key) ?? new Set<Client>();
    if (set.size === 0) this.since.set(key, new Date());
    this.clients.set(key, set);
    set.add(client);
    const ping = setInterval(() => {
      void this.live([client]).then((ok) => {
        if (ok.length > 0 && socket.readyState === socket.OPEN) socket.ping();
      });
    }, 30_000);
    ping.unref();
    socket.on('close', () => {
      clearInterval(ping);
      set.delete(client);
      if (set.size === 0) {
        this.clients.delete(key);
        this.since.delete(key);
      }
    });
  }

  get connections(): number {
    let n = 0;
    for (const s of this.clients.values()) n += s.size;
    return n;
  }

  private async deliver(workspaceId: string, userId: string, id: string): Promise<void> {
    const set = this.clients.get(`${workspaceId}:${userId}`);
    if (!set || set.size === 0 || this.pushed.has(id)) return;
    this.pushed.set(id, Date.now());
    try {
      const clients = await this.live([...set]);
      const first = clients[0];
      if (!first) return;
      const found = await this.opts.service.one(first.actor, id);
      if (!found) return;
      const message = JSON.stringify({ type: 'notification', ...found } satisfies TStreamMessage);
      for (const c of clients) if (c.socket.readyState === c.socket.OPEN) c.socket.send(message);
    } catch (err) {
      this.opts.log.warn({ err }, 'notification push failed');
    }
  }

  /** Sends a source's item to each connected member of the workspace who may see it. */
  private async deliverFrom(source: StreamSource, workspaceId: string, id: string): Promise<void> {
    const byUser = [...this.clients.entries()].filter(([k]) => k.startsWith(`${workspaceId}:`));
    if (byUser.length === 0) return;
    // Seen once (LISTEN and the embedded poll may both bring it); forgotten after two minutes.
    const key = `${source.name}:${id}`;
    if (this.pushed.has(key)) return;
    const now = Date.now();
    for (const [k, t] of this.pushed) if (t < now - 120_000) this.pushed.delete(k);
    this.pushed.set(key, now);
    for (const [, set] of byUser) {
      try {
        const clients = await this.live([...set]);
        const first = clients[0];
        if (!first) continue;
        const message = await source.message(first.actor, id);
        if (!message) continue;
        const text = JSON.stringify(message);
        for (const c of clients) if (c.socket.readyState === c.socket.OPEN) c.socket.send(text);
      } catch (err) {
        this.opts.log.warn({ err, source: source.name }, 'stream push failed');
      }
    }
  }

  /** The clients whose credentials still hold; the others are closed. */
  private async live(clients: Client[]): Promise<Client[]> {
    const checked = await Promise.all(clients.map(async (c) => ({ c, ok: await c.stillValid().catch(() => false) })));
    for (const { c, ok } of checked) if (!ok) c.socket.close(CREDENTIALS_ENDED, 'signed out or no longer a member');
    return checked.filter((x) => x.ok).map((x) => x.c);
  }

  private async poll(): Promise<void> {
    const cutoff = Date.now() - 120_000;
    for (const [k, t] of this.pushed) if (t < cutoff) this.pushed.delete(k);
    if (this.clients.size === 0) return;
    const keys = [...this.clients.keys()];
    const pairs = keys.map((k) => k.split(':') as [string, string]);
    const since = keys.map((k) => (this.since.get(k) ?? new Date()).toISOString());
    try {
      const { rows } = await sql<{ workspace_id: string; user_id: string; id: string }>`
        select n.workspace_id, n.user_id, n.id from notifications n
        join unnest(${pairs.map((p) => p[0])}::uuid[], ${pairs.map((p) => p[1])}::uuid[], ${since}::timestamptz[])
          as c(workspace_id, user_id, since) on c.workspace_id = n.workspace_id and c.user_id = n.user_id
        where n.created_at > now() - interval '60 seconds' and n.created_at >= c.since
        order by n.id`.execute(this.opts.database.db);
      for (const r of rows) await this.deliver(r.workspace_id, r.user_id, r.id);
    } catch (err) {
      this.opts.log.warn({ err }, 'notification poll failed');
    }
    // Each workspace from its first connected socket on.
    const workspaces = new Map<string, Date>();
    for (const k of keys) {
      const [ws] = k.split(':') as [string];
      const at = this.since.get(k) ?? new Date();
      const had = workspaces.get(ws);
      if (!had || at < had) workspaces.set(ws, at);
    }
    const from = new Date(Math.min(...[...workspaces.values()].map((d) => d.getTime())));
    for (const source of this.opts.sources ?? []) {
      try {
        for (const r of await source.recent([...workspaces.keys()], from))
          await this.deliverFrom(source, r.workspaceId, r.id);
      } catch (err) {
        this.opts.log.warn({ err, source: source.name }, 'stream poll failed');
      }
    }
  }
}
