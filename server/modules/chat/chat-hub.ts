import type { FastifyBaseLogger as Logger } from 'fastify';
import { sql } from 'kysely';
import type { WebSocket } from 'ws';
import type {
  TAgentServerMessage,
  TChatConversation,
  TChatMessage,
  TVisitorServerMessage,
} from '../../../common/contracts/chat';
import type { Actor } from '../../platform/auth/actor';
import type { Database } from '../../platform/db/database';

/** The PostgreSQL channel chat events travel on between app processes. */
export const CHAT_CHANNEL = 'rapport_chat';

/** Something that happened in a conversation, told to every app process (each has some of the sockets). */
export type ChatEvent = { workspaceId: string; conversationId: string } & (
  | { kind: 'message'; message: TChatMessage }
  | { kind: 'typing'; from: 'visitor' | 'agent'; typing: boolean }
  | { kind: 'read'; by: 'visitor' | 'agent'; at: string }
  | { kind: 'conversation' }
  | { kind: 'ticket'; number: number }
);

interface AgentClient {
  socket: WebSocket;
  actor: Actor;
  stillValid: () => Promise<boolean>;
}

/** Close code for an agent socket whose session or membership ended after it connected. */
export const CREDENTIALS_ENDED = 4401;

const send = (socket: WebSocket, message: TVisitorServerMessage | TAgentServerMessage) => {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
};

/**
 * The chat's sockets on this app process and the fan-out between processes. A change is
 * published once (`publish`, after its transaction committed); on a PostgreSQL server it
 * goes out with pg_notify and comes back to every process's LISTEN (this one included),
 * in embedded mode (one process owns the database) it is dispatched in memory. Each
 * process then tells its own sockets: the conversation's visitor, and the workspace's
 * connected agents.
 */
export class ChatHub {
  private readonly visitors = new Map<string, Set<WebSocket>>();
  private readonly agents = new Map<string, Set<AgentClient>>();
  private started = false;

  constructor(
    private readonly opts: {
      database: Database;
      log: Logger;
      /** The conversation as agents see it (null: gone). */
      conversation(workspaceId: string, id: string): Promise<TChatConversation | null>;
    },
  ) {}

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.opts.database.kind !== 'postgres') return;
    await this.opts.database.listen(CHAT_CHANNEL, (payload) => {
      let event: ChatEvent;
      try {
        event = JSON.parse(payload) as ChatEvent;
      } catch {
        return; // not ours
      }
      void this.dispatch(event);
    });
  }

  stop(): void {
    for (const set of this.visitors.values()) for (const s of set) s.close(1001, 'server shutting down');
    for (const set of this.agents.values()) for (const c of set) c.socket.close(1001, 'server shutting down');
    this.visitors.clear();
    this.agents.clear();
  }

  /** Tells every process (after the change committed). */
  async publish(event: ChatEvent): Promise<void> {
    if (this.opts.database.kind === 'postgres') {
      await sql`select pg_notify(${CHAT_CHANNEL}, ${JSON.stringify(event)})`.execute(this.opts.database.db);
    } else {
      await this.dispatch(event);
    }
  }

  /** A visitor's socket, once it started or resumed its conversation. */
  addVisitor(workspaceId: string, conversationId: string, socket: WebSocket): void {
    const key = `${workspaceId}:${conversationId}`;
    const set = this.visitors.get(key) ?? new Set<WebSocket>();
    this.visitors.set(key, set);
    set.add(socket);
    socket.on('close', () => {
      set.delete(socket);
      if (set.size === 0) this.visitors.delete(key);
    });
  }

  /** An agent console's socket; `stillValid` re-resolves its credentials (checked every 30 s). */
  addAgent(socket: WebSocket, actor: Actor, stillValid: () => Promise<boolean>): void {
    const set = this.agents.get(actor.workspaceId) ?? new Set<AgentClient>();
    this.agents.set(actor.workspaceId, set);
    const client = { socket, actor, stillValid };
    set.add(client);
    const check = setInterval(() => {
      void stillValid()
        .catch(() => false)
        .then((ok) => {
          if (!ok) socket.close(CREDENTIALS_ENDED, 'signed out or no longer a member');
          else if (socket.readyState === socket.OPEN) socket.ping();
        });
    }, 30_000);
    check.unref();
    socket.on('close', () => {
      clearInterval(check);
      set.delete(client);
      if (set.size === 0) this.agents.delete(actor.workspaceId);
    });
  }

  /** Sockets on this process (the benchmark and tests read it). */
  get connections(): { visitors: number; agents: number } {
    let visitors = 0;
    let agents = 0;
    for (const s of this.visitors.values()) visitors += s.size;
    for (const s of this.agents.values()) agents += s.size;
    return { visitors, agents };
  }

  private async dispatch(event: ChatEvent): Promise<void> {
    try {
      // Keyed by workspace too: an id from another workspace reaches nobody.
      const visitors = [...(this.visitors.get(`${event.workspaceId}:${event.conversationId}`) ?? [])];
      const agents = [...(this.agents.get(event.workspaceId) ?? [])];
      if (visitors.length === 0 && agents.length === 0) return;
      switch (event.kind) {
        case 'message':
          for (const v of visitors) send(v, { type: 'message', message: event.message });
          for (const a of agents) send(a.socket, { type: 'message', message: event.message });
          return;
        case 'typing':
          if (event.from === 'agent') for (const v of visitors) send(v, { type: 'typing', typing: event.typing });
          else
            for (const a of agents)
              send(a.socket, { type: 'typing', conversationId: event.conversationId, typing: event.typing });
          return;
        case 'read':
          if (event.by === 'agent') for (const v of visitors) send(v, { type: 'read', at: event.at });
          else
            for (const a of agents)
              send(a.socket, { type: 'read', conversationId: event.conversationId, at: event.at });
          return;
        case 'ticket':
          for (const v of visitors) send(v, { type: 'ticket', number: event.number });
          return;
        case 'conversation': {
          const c = await this.opts.conversation(event.workspaceId, event.conversationId);
          if (!c) return;
          for (const v of visitors) send(v, { type: 'status', status: c.status, agentName: c.agent?.name ?? null });
          for (const a of agents) send(a.socket, { type: 'conversation', conversation: c });
          return;
        }
      }
    } catch (err) {
      this.opts.log.warn({ err }, 'chat fan-out failed');
    }
  }
}
