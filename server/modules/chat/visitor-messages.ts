import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TChatMessage } from '../../../common/contracts/chat';
import type { Database, Tx } from '../../platform/db/database';
import { isPgDataException } from '../../platform/db/pg-errors';
import { AppError, invalidField } from '../../platform/http/errors';
import type { ChatEvent, ChatHub } from './chat-hub';

/** At most this many messages in one transaction (the rest wait for the next). */
export const VISITOR_BATCH_MAX = 200;
/**
 * Batches of one workspace written at the same time. A few, so a steady trickle of messages
 * does not queue behind one another's commit; beyond them, what arrives waits and grows
 * the next batch.
 */
export const VISITOR_BATCHES_IN_FLIGHT = 4;

interface Pending {
  /** Made once: a batch written again (below) cannot store a message twice. */
  id: string;
  conversationId: string;
  body: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true } | { ok: false; error: AppError };

/**
 * Group commit of visitors' messages. What arrives together (in one turn of the event loop,
 * or while the workspace already has VISITOR_BATCHES_IN_FLIGHT batches being written) is
 * written in one tenant transaction per workspace: one insert of every row whose chat is
 * open; once it committed, their notices go out in one statement (so a message the visitor
 * sees confirmed is stored, and nothing rolled back is announced). A socket sends its next
 * message only once the previous one is written, so each conversation keeps its order. Each message settles on its own: a chat that has ended fails only its message; when
 * the batch as a whole fails (a message the database cannot store) each is written again
 * alone, with the same id and `on conflict do nothing`, so none is lost or stored twice, and
 * the one that cannot be stored fails naming `body`.
 */
export class VisitorMessageWriter {
  private readonly pending = new Map<string, Pending[]>();
  /** Per workspace, the batches being written (at most VISITOR_BATCHES_IN_FLIGHT). */
  private readonly writing = new Map<string, number>();

  constructor(private readonly deps: { database: Database; hub: ChatHub }) {}

  /** Resolves once the message is committed and its notice sent; rejects with its own error. */
  write(workspaceId: string, conversationId: string, body: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const item: Pending = { id: uuidv7(), conversationId, body, resolve, reject };
      const queued = this.pending.get(workspaceId);
      if (queued) {
        queued.push(item);
        return;
      }
      this.pending.set(workspaceId, [item]);
      // The rest of this turn's messages join before the batch is taken.
      setImmediate(() => void this.flush(workspaceId));
    });
  }

  private async flush(workspaceId: string): Promise<void> {
    const queued = this.pending.get(workspaceId);
    const writing = this.writing.get(workspaceId) ?? 0;
    // Full: the batch that ends first takes what is queued.
    if (!queued || writing >= VISITOR_BATCHES_IN_FLIGHT) return;
    const batch = queued.splice(0, VISITOR_BATCH_MAX);
    if (queued.length === 0) this.pending.delete(workspaceId);
    this.writing.set(workspaceId, writing + 1);
    try {
      await this.writeBatch(workspaceId, batch);
    } finally {
      const left = (this.writing.get(workspaceId) ?? 1) - 1;
      if (left > 0) this.writing.set(workspaceId, left);
      else this.writing.delete(workspaceId);
      if (this.pending.has(workspaceId)) void this.flush(workspaceId);
    }
  }

  private async writeBatch(workspaceId: string, batch: Pending[]): Promise<void> {
    let written: { outcomes: Outcome[]; events: ChatEvent[] };
    try {
      written = await this.deps.database.tenant(workspaceId, (tx) => this.insert(tx, workspaceId, batch));
    } catch (err) {
      if (batch.length === 1) {
        // A data exception alone is the message's text (a NUL character): the visitor's to fix.
        batch[0]?.reject(
          isPgDataException(err) ? invalidField('body', 'contains a character that cannot be stored') : err,
        );
        return;
      }
      // Nothing of the batch was stored: each message again on its own, so only the bad one fails.
      for (const item of batch) await this.writeBatch(workspaceId, [item]);
      return;
    }
    // Committed: the notices, in one statement, then each visitor's answer.
    await this.deps.hub.publish(written.events);
    batch.forEach((item, i) => {
      const outcome = written.outcomes[i] as Outcome;
      if (outcome.ok) item.resolve();
      else item.reject(outcome.error);
    });
  }

  /**
   * The batch's rows, for the conversations still open (one statement), and the notices for
   * them. Only when some were not stored does a second query look for them.
   */
  private async insert(
    tx: Tx,
    workspaceId: string,
    batch: Pending[],
  ): Promise<{ outcomes: Outcome[]; events: ChatEvent[] }> {
    const { rows } = await sql<{ id: string; created_at: Date }>`
      insert into chat_messages (workspace_id, id, conversation_id, author, body)
      select ${workspaceId}::uuid, m.id, m.conversation_id, 'visitor', m.body
      from unnest(${batch.map((m) => m.id)}::uuid[], ${batch.map((m) => m.conversationId)}::uuid[],
        ${batch.map((m) => m.body)}::text[]) as m(id, conversation_id, body)
      join chat_conversations c on c.workspace_id = rapport_workspace() and c.id = m.conversation_id
        and c.status in ('waiting', 'active')
      on conflict (workspace_id, id) do nothing
      returning id, created_at`.execute(tx);
    const stored = new Map(rows.map((r) => [r.id, r.created_at]));
    const rest = batch.filter((m) => !stored.has(m.id));
    if (rest.length) {
      // Already there: stored by an earlier try whose commit did not answer (so never announced).
      const { rows: earlier } = await sql<{ id: string; created_at: Date }>`select m.id, m.created_at
        from chat_messages m
        where m.workspace_id = rapport_workspace() and m.id = any(${rest.map((m) => m.id)}::uuid[])`.execute(tx);
      for (const r of earlier) stored.set(r.id, r.created_at);
    }
    const events: ChatEvent[] = [];
    const outcomes = batch.map((m): Outcome => {
      const createdAt = stored.get(m.id);
      if (!createdAt) return { ok: false, error: new AppError('conflict', 'This chat has ended') };
      events.push(messageEvent(workspaceId, m, createdAt));
      return { ok: true };
    });
    return { outcomes, events };
  }
}

const messageEvent = (workspaceId: string, m: Pending, createdAt: Date): ChatEvent => {
  const message: TChatMessage = {
    id: m.id,
    conversationId: m.conversationId,
    author: 'visitor',
    authorName: null,
    body: m.body,
    attachments: [],
    createdAt: new Date(createdAt).toISOString(),
  };
  return { workspaceId, conversationId: m.conversationId, kind: 'message', message };
};
