import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TChatAttachment, TChatConversation, TChatMessage, TPresence } from '../../../common/contracts/chat';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { AppError, notFound } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { csatReceived, insertTicketMessage, systemActor } from '../tickets';
import { assertRoomForFiles, type ChatFile, filesOfConversation, readChatFile, storeChatFiles } from './chat-files';
import type { ChatEvent, ChatHub } from './chat-hub';
import { presenceOf, routeWaitingChats } from './chat-routing';
import { identityVerified, type WidgetSite, withinHours } from './chat-settings.service';
import { transcriptText } from './transcript';
import { VisitorMessageWriter } from './visitor-messages';

interface ConversationRow {
  id: string;
  status: TChatConversation['status'];
  visitor_name: string | null;
  visitor_email: string | null;
  verified: boolean;
  contact_id: string | null;
  agent_user_id: string | null;
  agent_name: string | null;
  ticket_id: string | null;
  page_url: string | null;
  visitor_read_at: Date | null;
  agent_read_at: Date | null;
  csat_rating: number | null;
  csat_comment: string | null;
  interaction_id: string | null;
  created_at: Date;
  assigned_at: Date | null;
  ended_at: Date | null;
}

interface MessageRow {
  id: string;
  conversation_id: string;
  author: TChatMessage['author'];
  author_name: string | null;
  body: string;
  attachments: TChatAttachment[] | string;
  created_at: Date;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

const presentConversation = (r: ConversationRow): TChatConversation => ({
  id: r.id,
  status: r.status,
  visitor: { name: r.visitor_name, email: r.visitor_email, verified: r.verified },
  contactId: r.contact_id,
  agent: r.agent_user_id ? { id: r.agent_user_id, name: r.agent_name ?? '' } : null,
  ticketId: r.ticket_id,
  pageUrl: r.page_url,
  visitorReadAt: iso(r.visitor_read_at),
  agentReadAt: iso(r.agent_read_at),
  csatRating: r.csat_rating,
  csatComment: r.csat_comment,
  createdAt: new Date(r.created_at).toISOString(),
  assignedAt: iso(r.assigned_at),
  endedAt: iso(r.ended_at),
});

const presentMessage = (r: MessageRow): TChatMessage => ({
  id: r.id,
  conversationId: r.conversation_id,
  author: r.author,
  authorName: r.author_name,
  body: r.body,
  attachments: typeof r.attachments === 'string' ? JSON.parse(r.attachments) : (r.attachments ?? []),
  createdAt: new Date(r.created_at).toISOString(),
});

/** The visitor's resume token is kept hashed: the table alone does not let anyone into a chat. */
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

async function conversationRows(tx: Tx, where: ReturnType<typeof sql>, limit = 200): Promise<ConversationRow[]> {
  const { rows } = await sql<ConversationRow>`
    select c.*, u.name as agent_name from chat_conversations c left join users u on u.id = c.agent_user_id
    where c.workspace_id = rapport_workspace() and ${where}
    order by c.created_at desc, c.id desc limit ${limit}`.execute(tx);
  return rows;
}

async function conversationRow(tx: Tx, id: string): Promise<ConversationRow | null> {
  return (await conversationRows(tx, sql`c.id = ${id}::uuid`, 1))[0] ?? null;
}

async function messagesOf(tx: Tx, conversationId: string): Promise<TChatMessage[]> {
  const { rows } = await sql<MessageRow>`
    select m.id, m.conversation_id, m.author, u.name as author_name, m.body, m.attachments, m.created_at
    from chat_messages m left join users u on u.id = m.author_user_id
    where m.workspace_id = rapport_workspace() and m.conversation_id = ${conversationId}::uuid
    order by m.created_at, m.id`.execute(tx);
  return rows.map(presentMessage);
}

async function messageRow(tx: Tx, id: string): Promise<TChatMessage | null> {
  const { rows } = await sql<MessageRow>`
    select m.id, m.conversation_id, m.author, u.name as author_name, m.body, m.attachments, m.created_at
    from chat_messages m left join users u on u.id = m.author_user_id
    where m.workspace_id = rapport_workspace() and m.id = ${id}::uuid`.execute(tx);
  return rows[0] ? presentMessage(rows[0]) : null;
}

async function insertMessage(
  tx: Tx,
  workspaceId: string,
  conversationId: string,
  author: TChatMessage['author'],
  body: string,
  authorUserId: string | null = null,
  files: ChatFile[] = [],
): Promise<TChatMessage> {
  const id = uuidv7();
  // The listing is known before the row exists (ids are made here), so the row is written once.
  await assertRoomForFiles(tx, conversationId, files.length);
  const metas = files.map((f) => ({
    id: uuidv7(),
    filename: f.filename,
    contentType: f.contentType,
    size: f.content.length,
  }));
  const { rows } = await sql<MessageRow>`
    with m as (
      insert into chat_messages (workspace_id, id, conversation_id, author, author_user_id, body, attachments)
      values (${workspaceId}::uuid, ${id}::uuid, ${conversationId}::uuid, ${author}, ${authorUserId}::uuid, ${body},
        ${JSON.stringify(metas)}::jsonb)
      returning *)
    select m.id, m.conversation_id, m.author, u.name as author_name, m.body, m.attachments, m.created_at
    from m left join users u on u.id = m.author_user_id`.execute(tx);
  if (files.length)
    await storeChatFiles(
      tx,
      workspaceId,
      conversationId,
      id,
      files,
      metas.map((m) => m.id),
    );
  return presentMessage(rows[0] as MessageRow);
}

/** The contact with this address (primary email), or a new one (system write through the record engine). */
async function contactFor(tx: Tx, records: RecordService, workspaceId: string, email: string, name?: string) {
  const sys = systemActor(workspaceId);
  const found = await records.list(tx, sys, 'contacts', {
    filter: { field: 'email', op: 'eq', value: email },
    fields: 'id',
    limit: 1,
  });
  if (found.data[0]) return found.data[0].id as string;
  const [first, ...rest] = (name ?? '').trim().split(/\s+/).filter(Boolean);
  const person: Record<string, string> = {
    email,
    lastName: rest.length ? rest.join(' ') : first || (email.split('@')[0] ?? email),
  };
  if (rest.length && first) person.firstName = first;
  return (await records.create(tx, sys, 'contacts', person)).id as string;
}

/** What a visitor sees when starting: a conversation (resumed or new) or the offline form. */
export type StartResult =
  | { kind: 'offline' }
  | {
      kind: 'started';
      token: string;
      conversationId: string;
      status: TChatConversation['status'];
      agentName: string | null;
      messages: TChatMessage[];
    };

/**
 * Live chat's work: a visitor's conversation from start to end (or to a ticket when nobody
 * can answer), agents' presence and routing, replies, read receipts, the transcript on the
 * contact's timeline and the visitor's rating. Each change commits, then is published on the
 * hub (every app process tells its sockets); visitors' messages are written in batches
 * (`VisitorMessageWriter`).
 */
export class ChatService {
  private readonly visitorMessages: VisitorMessageWriter;

  constructor(private readonly deps: { database: Database; records: RecordService; hub: ChatHub; now: () => Date }) {
    this.visitorMessages = new VisitorMessageWriter({ database: deps.database, hub: deps.hub });
  }

  /**
   * A tenant transaction whose changes are published on the hub: `fn` adds the events, which
   * go out (in one statement) once it committed, never if it rolled back.
   */
  private async changing<T>(workspaceId: string, fn: (tx: Tx, events: ChatEvent[]) => Promise<T>): Promise<T> {
    let events: ChatEvent[] = [];
    const out = await this.deps.database.tenant(workspaceId, async (tx) => {
      events = [];
      return fn(tx, events);
    });
    await this.deps.hub.publish(events);
    return out;
  }

  /** The conversation as agents see it (for the hub). */
  async conversation(workspaceId: string, id: string): Promise<TChatConversation | null> {
    return this.deps.database.tenantRead(workspaceId, async (tx) => {
      const r = await conversationRow(tx, id);
      return r ? presentConversation(r) : null;
    });
  }

  /** One message (for the hub, when it was too large to travel in its notice). */
  async message(workspaceId: string, id: string): Promise<TChatMessage | null> {
    return this.deps.database.tenantRead(workspaceId, (tx) => messageRow(tx, id));
  }

  // ——— visitor side (the workspace comes from the widget key) ———

  /**
   * Starts or resumes the visitor's conversation. A token of a waiting or active conversation
   * resumes it; otherwise, outside business hours or with no agent online, the answer is the
   * offline form; else a new conversation joins the queue and is routed. An identity is
   * linked to a contact only when verified by its HMAC, or when the workspace does not
   * require verification.
   */
  async start(
    site: WidgetSite,
    input: {
      token?: string;
      name?: string;
      identity?: { email: string; name?: string; hash?: string };
      pageUrl?: string;
      origin?: string;
    },
  ): Promise<StartResult> {
    const { database, records } = this.deps;
    const ws = site.workspaceId;
    if (input.token) {
      const resumed = await database.tenantRead(ws, async (tx) => {
        const r = (await conversationRows(tx, sql`c.visitor_token_hash = ${hashToken(input.token as string)}`, 1))[0];
        if (!r || (r.status !== 'waiting' && r.status !== 'active')) return null;
        return { r, messages: await messagesOf(tx, r.id) };
      });
      if (resumed) {
        return {
          kind: 'started',
          token: input.token,
          conversationId: resumed.r.id,
          status: resumed.r.status,
          agentName: resumed.r.agent_name,
          messages: resumed.messages,
        };
      }
    }
    const token = randomBytes(24).toString('base64url');
    const result = await this.changing(ws, async (tx, events) => {
      if (!(await this.available(tx, site))) return null;
      const identity = input.identity;
      const email = identity?.email.trim().toLowerCase() ?? null;
      const verified = !!identity && identityVerified(site, identity.email, identity.hash);
      const mayLink = !!email && (verified || !site.requireVerification);
      const contactId = mayLink ? await contactFor(tx, records, ws, email as string, identity?.name) : null;
      const id = uuidv7();
      await sql`insert into chat_conversations (workspace_id, id, visitor_token_hash, visitor_name, visitor_email, verified,
          contact_id, status, team_id, origin, page_url)
        values (${ws}::uuid, ${id}::uuid, ${hashToken(token)}, ${identity?.name ?? input.name ?? null}, ${email}, ${verified},
          ${contactId}::uuid, 'waiting', ${site.teamId}::uuid, ${input.origin ?? null}, ${input.pageUrl?.slice(0, 2048) ?? null})`.execute(
        tx,
      );
      await insertMessage(tx, ws, id, 'system', site.greeting);
      const routed = await routeWaitingChats(tx, ws);
      const r = (await conversationRow(tx, id)) as ConversationRow;
      events.push(this.changed(ws, id), ...routed.filter((c) => c !== id).map((c) => this.changed(ws, c)));
      return { r, messages: await messagesOf(tx, id) };
    });
    if (!result) return { kind: 'offline' };
    return {
      kind: 'started',
      token,
      conversationId: result.r.id,
      status: result.r.status,
      agentName: result.r.agent_name,
      messages: result.messages,
    };
  }

  /** Whether someone may answer now: within business hours and an agent (of the team) online. */
  async available(tx: Tx, site: WidgetSite): Promise<boolean> {
    if (!site.enabled) return false;
    if (!(await withinHours(tx, site, this.deps.now()))) return false;
    const { rows } = await sql`select 1 from chat_agents a
      where a.workspace_id = rapport_workspace() and a.status = 'online'
        and (${site.teamId}::uuid is null or exists (select 1 from team_members tm
          where tm.workspace_id = a.workspace_id and tm.team_id = ${site.teamId}::uuid and tm.user_id = a.user_id))
      limit 1`.execute(tx);
    return rows.length > 0;
  }

  private changed(workspaceId: string, conversationId: string): ChatEvent {
    return { workspaceId, conversationId, kind: 'conversation' };
  }

  /**
   * A visitor's message in their open conversation: resolves once it is committed (written
   * with the other messages that arrived with it); 409 when the chat has ended.
   */
  async visitorMessage(site: WidgetSite, conversationId: string, body: string): Promise<void> {
    await this.visitorMessages.write(site.workspaceId, conversationId, body);
  }

  /**
   * A visitor's file (the widget posts it with the conversation's resume token): a message of
   * its own in their open conversation. 404 for a token that opens no waiting or active chat.
   */
  async visitorFile(site: WidgetSite, token: string, file: ChatFile): Promise<TChatMessage> {
    const ws = site.workspaceId;
    return this.changing(ws, async (tx, events) => {
      const r = (await conversationRows(tx, sql`c.visitor_token_hash = ${hashToken(token)}`, 1))[0];
      if (!r || (r.status !== 'waiting' && r.status !== 'active')) throw notFound('Chat');
      const message = await insertMessage(tx, ws, r.id, 'visitor', '', null, [file]);
      events.push({ workspaceId: ws, conversationId: r.id, kind: 'message', message });
      return message;
    });
  }

  /** A file of the visitor's conversation (theirs or the agent's), found by the resume token; 404 otherwise. */
  async visitorDownload(site: WidgetSite, token: string, fileId: string): Promise<ChatFile> {
    return this.deps.database.tenantRead(site.workspaceId, async (tx) => {
      const r = (await conversationRows(tx, sql`c.visitor_token_hash = ${hashToken(token)}`, 1))[0];
      if (!r) throw notFound('File');
      return readChatFile(tx, r.id, fileId);
    });
  }

  /** A file of a chat, for those who may read chats. */
  async agentDownload(actor: Actor, conversationId: string, fileId: string): Promise<ChatFile> {
    return this.deps.database.tenantRead(actor.workspaceId, async (tx) => {
      await this.policy(tx, actor, 'read');
      return readChatFile(tx, conversationId, fileId);
    });
  }

  async typing(workspaceId: string, conversationId: string, from: 'visitor' | 'agent', typing: boolean) {
    await this.deps.hub.publish([{ workspaceId, conversationId, kind: 'typing', from, typing }]);
  }

  /** The visitor has read everything so far (a read receipt for the agent). */
  async visitorRead(workspaceId: string, conversationId: string): Promise<void> {
    await this.changing(workspaceId, async (tx, events) => {
      const { rows } = await sql<{ at: Date }>`update chat_conversations set visitor_read_at = now()
        where workspace_id = rapport_workspace() and id = ${conversationId}::uuid returning visitor_read_at as at`.execute(
        tx,
      );
      const at = rows[0]?.at;
      if (at) events.push({ workspaceId, conversationId, kind: 'read', by: 'visitor', at: iso(at) as string });
    });
  }

  /**
   * The visitor's rating (1–5) and comment at the end of the chat: on the conversation, added
   * to the transcript on the contact's timeline, and `csat.received` (with the contact's
   * timeline entry) as a ticket's survey answer is.
   */
  async rate(workspaceId: string, conversationId: string, rating: number, comment?: string): Promise<void> {
    await this.changing(workspaceId, async (tx, events) => {
      const r = await conversationRow(tx, conversationId);
      if (r?.status !== 'ended') throw new AppError('conflict', 'Rate the chat once it has ended');
      await sql`update chat_conversations set csat_rating = ${rating}, csat_comment = ${comment || null}
        where workspace_id = rapport_workspace() and id = ${conversationId}::uuid`.execute(tx);
      await csatReceived(tx, workspaceId, {
        channel: 'chat',
        conversationId,
        subject: `Live chat${r.agent_name ? ` with ${r.agent_name}` : ''}`,
        contactId: r.contact_id,
        rating,
        comment: comment || null,
      });
      if (r.interaction_id) {
        const messages = await messagesOf(tx, conversationId);
        await this.deps.records.systemWrite(tx, systemActor(workspaceId), 'interactions', r.interaction_id, {
          body: transcriptText(messages, { rating, comment: comment ?? null }),
        });
      }
      events.push(this.changed(workspaceId, conversationId));
    });
  }

  /**
   * The offline form: the visitor's message becomes a ticket (channel chat) through the
   * tickets' record object. The typed address is an unverified identity: linked to a contact
   * only when the workspace does not require verification.
   */
  async offline(site: WidgetSite, form: { name: string; email: string; message: string }): Promise<number> {
    const ws = site.workspaceId;
    return this.deps.database.tenant(ws, async (tx) => {
      const sys = systemActor(ws);
      const email = form.email.trim().toLowerCase();
      const contactId = site.requireVerification ? null : await contactFor(tx, this.deps.records, ws, email, form.name);
      const firstLine = form.message.split('\n')[0]?.trim() ?? '';
      const ticket = await this.deps.records.create(tx, sys, 'tickets', {
        subject: `Chat: ${firstLine.slice(0, 120) || form.name}`,
        channel: 'chat',
        contactId,
      });
      await insertTicketMessage(tx, {
        workspaceId: ws,
        ticketId: ticket.id as string,
        kind: 'inbound',
        from: { address: email, name: form.name },
        text: form.message,
      });
      return ticket.number as number;
    });
  }

  /** The visitor ends the chat; a chat nobody answered becomes a ticket when the visitor left an address. */
  async visitorEnd(workspaceId: string, conversationId: string): Promise<void> {
    await this.end(workspaceId, conversationId, null);
  }

  // ——— agent side ———

  private async policy(tx: Tx, actor: Actor, action: 'read' | 'update') {
    const policy = await this.deps.records.access.policy(tx, actor);
    if (!policy.can('tickets', action)) {
      throw new AppError(
        'forbidden',
        action === 'read' ? 'Your role may not read chats' : 'Your role may not work chats',
      );
    }
    return policy;
  }

  /** Whether the caller may read chats (the agent socket's check). */
  async mayRead(actor: Actor): Promise<boolean> {
    return this.deps.database.tenantRead(actor.workspaceId, async (tx) =>
      (await this.deps.records.access.policy(tx, actor)).can('tickets', 'read'),
    );
  }

  async list(
    actor: Actor,
    status?: TChatConversation['status'] | 'mine',
    interactionId?: string,
  ): Promise<TChatConversation[]> {
    return this.deps.database.tenantRead(actor.workspaceId, async (tx) => {
      await this.policy(tx, actor, 'read');
      const byStatus =
        status === 'mine'
          ? sql`c.status = 'active' and c.agent_user_id = ${actor.userId}::uuid`
          : status
            ? sql`c.status = ${status}`
            : sql`true`;
      const where = interactionId ? sql`${byStatus} and c.interaction_id = ${interactionId}::uuid` : byStatus;
      return (await conversationRows(tx, where)).map(presentConversation);
    });
  }

  async detail(actor: Actor, id: string) {
    return this.deps.database.tenantRead(actor.workspaceId, async (tx) => {
      await this.policy(tx, actor, 'read');
      const r = await conversationRow(tx, id);
      if (!r) throw notFound('Chat');
      return { ...presentConversation(r), messages: await messagesOf(tx, id) };
    });
  }

  /** An agent takes a waiting chat from the queue. */
  async accept(actor: Actor, id: string): Promise<TChatConversation> {
    const ws = actor.workspaceId;
    const r = await this.changing(ws, async (tx, events) => {
      await this.policy(tx, actor, 'update');
      if (!actor.userId) throw new AppError('forbidden', 'Chats are answered by people; this API key has none');
      const { rows } = await sql`update chat_conversations set status = 'active', agent_user_id = ${actor.userId}::uuid,
          assigned_at = now()
        where workspace_id = rapport_workspace() and id = ${id}::uuid and status = 'waiting' returning id`.execute(tx);
      const found = await conversationRow(tx, id);
      if (!found) throw notFound('Chat');
      if (!rows[0] && found.agent_user_id !== actor.userId) throw new AppError('conflict', 'This chat is not waiting');
      events.push(this.changed(ws, id));
      return found;
    });
    return presentConversation(r);
  }

  /** An agent's reply; a waiting chat is taken by whoever answers it first. */
  async reply(actor: Actor, id: string, body: string, files: ChatFile[] = []): Promise<TChatMessage> {
    const ws = actor.workspaceId;
    return this.changing(ws, async (tx, events) => {
      await this.policy(tx, actor, 'update');
      if (!actor.userId) throw new AppError('forbidden', 'Chats are answered by people; this API key has none');
      const r = await conversationRow(tx, id);
      if (!r) throw notFound('Chat');
      if (r.status !== 'waiting' && r.status !== 'active') throw new AppError('conflict', 'This chat has ended');
      // Answering is reading, and takes a chat that is still waiting (one statement).
      await sql`update chat_conversations set agent_read_at = now(),
          agent_user_id = case when status = 'waiting' then ${actor.userId}::uuid else agent_user_id end,
          assigned_at = case when status = 'waiting' then now() else assigned_at end,
          status = case when status = 'waiting' then 'active' else status end
        where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
      if (r.status === 'waiting') events.push(this.changed(ws, id));
      const message = await insertMessage(tx, ws, id, 'agent', body, actor.userId, files);
      events.push({ workspaceId: ws, conversationId: id, kind: 'message', message });
      return message;
    });
  }

  /** The agent has read the visitor's messages (a read receipt for the visitor). */
  async agentRead(actor: Actor, id: string): Promise<void> {
    const ws = actor.workspaceId;
    await this.changing(ws, async (tx, events) => {
      await this.policy(tx, actor, 'update');
      const { rows } = await sql<{ at: Date }>`update chat_conversations set agent_read_at = now()
        where workspace_id = rapport_workspace() and id = ${id}::uuid returning agent_read_at as at`.execute(tx);
      if (!rows[0]) throw notFound('Chat');
      events.push({ workspaceId: ws, conversationId: id, kind: 'read', by: 'agent', at: iso(rows[0].at) as string });
    });
  }

  async agentEnd(actor: Actor, id: string): Promise<TChatConversation> {
    await this.deps.database.tenantRead(actor.workspaceId, (tx) => this.policy(tx, actor, 'update'));
    const r = await this.end(actor.workspaceId, id, actor);
    if (!r) throw notFound('Chat');
    return r;
  }

  /**
   * Ends a conversation (by the visitor: `by` null). An answered chat's transcript goes on
   * the contact's timeline (an interaction, channel chat); a chat nobody answered becomes a
   * ticket when the visitor left an address. The agent's freed capacity takes the next
   * waiting chat.
   */
  private async end(workspaceId: string, id: string, by: Actor | null): Promise<TChatConversation | null> {
    const { records } = this.deps;
    const ended = await this.changing(workspaceId, async (tx, events) => {
      const r = await conversationRow(tx, id);
      if (!r) return null;
      if (r.status !== 'waiting' && r.status !== 'active') return r;
      const sys = systemActor(workspaceId);
      const note = await insertMessage(
        tx,
        workspaceId,
        id,
        'system',
        by ? 'The agent ended the chat.' : 'The visitor ended the chat.',
      );
      events.push({ workspaceId, conversationId: id, kind: 'message', message: note });
      const messages = await messagesOf(tx, id);
      const visitorWrote = messages.some((m) => m.author === 'visitor');
      if (r.status === 'waiting' && visitorWrote && r.visitor_email) {
        const ticket = await records.create(tx, sys, 'tickets', {
          subject: `Chat: ${
            messages
              .find((m) => m.author === 'visitor')
              ?.body.split('\n')[0]
              ?.slice(0, 120) ?? ''
          }`,
          channel: 'chat',
          contactId: r.contact_id,
        });
        await insertTicketMessage(tx, {
          workspaceId,
          ticketId: ticket.id as string,
          kind: 'inbound',
          from: { address: r.visitor_email, name: r.visitor_name },
          text: transcriptText(messages, null),
          // The visitor's files come along (the first five).
          files: await filesOfConversation(tx, id),
        });
        await sql`update chat_conversations set status = 'ticket', ticket_id = ${ticket.id as string}::uuid, ended_at = now()
          where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
        events.push({ workspaceId, conversationId: id, kind: 'ticket', number: ticket.number as number });
      } else {
        let interactionId: string | null = null;
        if (r.contact_id && r.status === 'active') {
          const interaction = await records.create(tx, sys, 'interactions', {
            topic: `Live chat${r.agent_name ? ` with ${r.agent_name}` : ''}`,
            channel: 'chat',
            direction: 'inbound',
            contactId: r.contact_id,
            occurredAt: new Date(r.created_at).toISOString(),
            durationMinutes: Math.max(0, Math.round((Date.now() - new Date(r.created_at).getTime()) / 60_000)),
            body: transcriptText(messages, null),
          });
          interactionId = interaction.id as string;
        }
        await sql`update chat_conversations set status = 'ended', ended_at = now(), interaction_id = ${interactionId}::uuid
          where workspace_id = rapport_workspace() and id = ${id}::uuid`.execute(tx);
      }
      events.push(this.changed(workspaceId, id));
      for (const c of await routeWaitingChats(tx, workspaceId)) events.push(this.changed(workspaceId, c));
      return (await conversationRow(tx, id)) as ConversationRow;
    });
    return ended ? presentConversation(ended) : null;
  }

  async presence(actor: Actor): Promise<TPresence> {
    return this.deps.database.tenantRead(actor.workspaceId, async (tx) => {
      await this.policy(tx, actor, 'read');
      return presenceOf(tx, actor.userId);
    });
  }

  /** Online, away or offline, and capacity; going online (or more capacity) takes waiting chats. */
  async setPresence(actor: Actor, input: { status?: TPresence['status']; capacity?: number }): Promise<TPresence> {
    const ws = actor.workspaceId;
    return this.changing(ws, async (tx, events) => {
      await this.policy(tx, actor, 'update');
      if (!actor.userId) throw new AppError('forbidden', 'Presence belongs to people; this API key has none');
      await sql`insert into chat_agents (workspace_id, user_id, status, capacity)
        values (${ws}::uuid, ${actor.userId}::uuid, ${input.status ?? 'offline'}, ${input.capacity ?? 3})
        on conflict (workspace_id, user_id) do update set
          status = coalesce(${input.status ?? null}, chat_agents.status),
          capacity = coalesce(${input.capacity ?? null}::int, chat_agents.capacity), updated_at = now()`.execute(tx);
      for (const c of await routeWaitingChats(tx, ws)) events.push(this.changed(ws, c));
      return presenceOf(tx, actor.userId);
    });
  }
}
