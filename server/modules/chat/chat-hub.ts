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

/** NOTIFY refuses a payload of 8,000 bytes or more. */
const NOTIFY_MAX_BYTES = 7_999;

/** Something that happened in a conversation, told to every app process (each has some of the sockets). */
export type ChatEvent = { workspaceId: string; conversationId: string } & (
  | { kind: 'message'; message: TChatMessage }
  | { kind: 'typing'; from: 'visitor' | 'agent'; typing: boolean }
  | { kind: 'read'; by: 'visitor' | 'agent'; at: string }
  | { kind: 'conversation' }
  | { kind: 'ticket'; number: number }
);

/**
 * What travels on the channel: the event, or for a message too large for NOTIFY (4,000
 * characters of non-Latin text are up to 12,000 bytes) a reference that each process reads.
 */
type Notice = ChatEvent | { workspaceId: string; conversationId: string; kind: 'message-ref'; messageId: string };

interface AgentClient {
  socket: WebSocket;
  actor: Actor;
  stillValid: () => Promise<boolean>;
}

/** Close code for an agent socket whose session or membership ended after it connected. */
export const CREDENTIALS_ENDED = 4401;

/** The same frame to many sockets, serialised once. */
const sendAll = (sockets: WebSocket[], message: TVisitorServerMessage | TAgentServerMessage) => {
  if (sockets.length === 0) return;
  const frame = JSON.stringify(message);
  for (const s of sockets) if (s.readyState === s.OPEN) s.send(frame);
};

/** The notice for an event: the event itself, or a reference when it would not fit in a NOTIFY. */
function noticeOf(event: ChatEvent): string {
  const payload = JSON.stringify(event);
  if (event.kind !== 'message' || Buffer.byteLength(payload) <= NOTIFY_MAX_BYTES) return payload;
  const { workspaceId, conversationId, message } = event;
  return JSON.stringify({ workspaceId, conversationId, kind: 'message-ref', messageId: message.id } satisfies Notice);
}

/**
 * The chat's sockets on this app process and the fan-out between processes. Changes are
 * published once their transaction committed (`publish`, one statement for all of a
 * transaction's events): on a PostgreSQL server with pg_notify, coming back to every
 * process's LISTEN (this one included); in embedded mode (one process owns the database)
 * dispatched in memory. Not inside the transaction: PostgreSQL serialises the commits of
 * transactions that notify (a lock held over the commit's WAL flush), which under load cost
 * 4× the throughput of committing first and notifying after (measured with pgbench, 16
 * clients). Each process then tells its own sockets: the conversation's visitor, and the
 * workspace's connected agents, in the order the notices came for each conversation.
 */
export class ChatHub {
  private readonly visitors = new Map<string, Set<WebSocket>>();
  private readonly agents = new Map<string, Set<AgentClient>>();
  /** Per conversation, the dispatch still reading the database (later notices wait for it). */
  private readonly reading = new Map<string, Promise<void>>();
  private started = false;

  constructor(
    private readonly opts: {
      database: Database;
      log: Logger;
      /** The conversation as agents see it (null: gone). */
      conversation(workspaceId: string, id: string): Promise<TChatConversation | null>;
      /** One message (for a notice too large to carry it; null: gone). */
      message(workspaceId: string, id: string): Promise<TChatMessage | null>;
    },
  ) {}

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.opts.database.kind !== 'postgres') return;
    await this.opts.database.listen(CHAT_CHANNEL, (payload) => {
      let notice: Notice;
      try {
        notice = JSON.parse(payload) as Notice;
      } catch {
        return; // not ours
      }
      this.receive(notice);
    });
  }

  stop(): void {
    for (const set of this.visitors.values()) for (const s of set) s.close(1001, 'server shutting down');
    for (const set of this.agents.values()) for (const c of set) c.socket.close(1001, 'server shutting down');
    this.visitors.clear();
    this.agents.clear();
  }

  /**
   * Tells every process about committed changes, in order, with one statement. A failure is
   * logged, not thrown: the change is stored, and its clients see it when they next load.
   */
  async publish(events: ChatEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (this.opts.database.kind !== 'postgres') {
      for (const e of events) this.receive(e);
      return;
    }
    try {
      await sql`select pg_notify(${CHAT_CHANNEL}, n) from unnest(${events.map(noticeOf)}::text[]) with ordinality
        as t(n, i) order by i`.execute(this.opts.database.db);
    } catch (err) {
      this.opts.log.warn({ err }, 'chat publish failed');
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

  /**
   * A notice from the channel. Messages, typing and receipts go straight to the sockets; a
   * notice that reads the database first (a conversation's change, a large message) holds
   * back the conversation's later notices until it is done, so each conversation's frames
   * keep the order of its notices.
   */
  private receive(notice: Notice): void {
    const key = `${notice.workspaceId}:${notice.conversationId}`;
    const before = this.reading.get(key);
    if (!before && notice.kind !== 'conversation' && notice.kind !== 'message-ref') {
      void this.dispatch(notice);
      return;
    }
    const done: Promise<void> = (before ?? Promise.resolve()).then(() => this.dispatch(notice));
    this.reading.set(key, done);
    void done.then(() => {
      if (this.reading.get(key) === done) this.reading.delete(key);
    });
  }

  private async dispatch(notice: Notice): Promise<void> {
    try {
      // Keyed by workspace too: an id from another workspace reaches nobody.
      const visitors = [...(this.visitors.get(`${notice.workspaceId}:${notice.conversationId}`) ?? [])];
      const agents = [...(this.agents.get(notice.workspaceId) ?? [])];
      if (visitors.length === 0 && agents.length === 0) return;
      let event: ChatEvent;
      if (notice.kind === 'message-ref') {
        const message = await this.opts.message(notice.workspaceId, notice.messageId);
        if (!message) return;
        event = { workspaceId: notice.workspaceId, conversationId: notice.conversationId, kind: 'message', message };
      } else event = notice;
      const agentSockets = agents.map((a) => a.socket);
      switch (event.kind) {
        case 'message':
          sendAll([...visitors, ...agentSockets], { type: 'message', message: event.message });
          return;
        case 'typing':
          if (event.from === 'agent') sendAll(visitors, { type: 'typing', typing: event.typing });
          else sendAll(agentSockets, { type: 'typing', conversationId: event.conversationId, typing: event.typing });
          return;
        case 'read':
          if (event.by === 'agent') sendAll(visitors, { type: 'read', at: event.at });
          else sendAll(agentSockets, { type: 'read', conversationId: event.conversationId, at: event.at });
          return;
        case 'ticket':
          sendAll(visitors, { type: 'ticket', number: event.number });
          return;
        case 'conversation': {
          const c = await this.opts.conversation(event.workspaceId, event.conversationId);
          if (!c) return;
          sendAll(visitors, { type: 'status', status: c.status, agentName: c.agent?.name ?? null });
          sendAll(agentSockets, { type: 'conversation', conversation: c });
          return;
        }
      }
    } catch (err) {
      this.opts.log.warn({ err }, 'chat fan-out failed');
    }
  }
}
