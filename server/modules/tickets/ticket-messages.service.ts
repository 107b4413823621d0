import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TPostTicketMessage, TTicketMessage } from '../../../common/contracts/tickets';
import { STANDARD_PERMISSIONS } from '../../platform/access/permissions';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { transactionTime } from '../../platform/db/transaction-time';
import { eventForMember } from '../../platform/events/event-visibility';
import { AppError, invalidField } from '../../platform/http/errors';
import { listMailboxes } from '../../platform/mail/mailboxes.service';
import { enqueueMail } from '../../platform/mail/outbox';
import { notify } from '../../platform/notifications/notify';
import type { RecordService } from '../../platform/records/records.service';
import { parseMentions, plainText } from '../timeline';
import { addBusinessMinutes } from './business-time';
import { loadSlaPolicies } from './sla';
import { newMessageId, textToHtml, ticketSubject } from './thread-text';
import {
  type AttachmentFile,
  type AttachmentMeta,
  attachmentUrl,
  decodeAttachments,
  storeAttachments,
} from './ticket-attachments';

/** The system acting on tickets (inbound mail, the SLA sweep, merges' bookkeeping): every permission, no user. */
export function systemActor(workspaceId: string): Actor {
  return {
    kind: 'user',
    userId: null,
    workspaceId,
    role: 'administrator',
    scopes: [],
    permissions: STANDARD_PERMISSIONS.administrator,
  };
}

interface MessageRow {
  id: string;
  ticket_id: string;
  kind: 'reply' | 'note' | 'inbound';
  author_user_id: string | null;
  author_name: string | null;
  from_address: string | null;
  from_name: string | null;
  body_text: string;
  body_display: string;
  body_html: string | null;
  attachments: (Omit<AttachmentMeta, 'id'> & { id?: string | null })[];
  message_id: string | null;
  in_reply_to: string | null;
  references: string[];
  created_at: Date;
}

const present = (r: MessageRow): TTicketMessage => ({
  id: r.id,
  ticketId: r.ticket_id,
  kind: r.kind,
  author: r.author_user_id ? { id: r.author_user_id, name: r.author_name ?? '' } : null,
  from: r.from_address ? { address: r.from_address, name: r.from_name } : null,
  body: r.body_display,
  fullText: r.body_text,
  html: r.body_html,
  attachments: (r.attachments ?? []).map((a) => ({
    id: a.id ?? null,
    filename: a.filename,
    contentType: a.contentType,
    size: a.size,
    url: a.id ? attachmentUrl(r.ticket_id, a.id) : null,
  })),
  messageId: r.message_id,
  inReplyTo: r.in_reply_to,
  references: r.references ?? [],
  createdAt: new Date(r.created_at).toISOString(),
});

/** A ticket's conversation in order (the ticket must be one the caller may read: else 404). */
export async function listTicketMessages(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  ticketId: string,
): Promise<TTicketMessage[]> {
  await records.get(tx, actor, 'tickets', ticketId, { fields: 'id' });
  const { rows } = await sql<MessageRow>`
    select m.id, m.ticket_id, m.kind, m.author_user_id, u.name as author_name, m.from_address, m.from_name,
      m.body_text, m.body_display, m.body_html, m.attachments, m.message_id, m.in_reply_to, m."references", m.created_at
    from ticket_messages m left join users u on u.id = m.author_user_id
    where m.workspace_id = rapport_workspace() and m.ticket_id = ${ticketId}::uuid
    order by m.created_at, m.id`.execute(tx);
  return rows.map(present);
}

export interface NewMessage {
  workspaceId: string;
  ticketId: string;
  kind: 'reply' | 'note' | 'inbound';
  authorUserId?: string | null;
  from?: { address: string; name: string | null } | null;
  text: string;
  display?: string;
  html?: string | null;
  /** Attachments listed but not stored (left out for their size). */
  attachments?: { filename: string; contentType: string; size: number }[];
  /** Attachments stored with their bytes (downloadable). */
  files?: AttachmentFile[];
  mentions?: string[];
  messageId?: string | null;
  inReplyTo?: string | null;
  references?: string[];
}

/** Appends a message to a ticket's conversation (the caller has checked the ticket). */
export async function insertTicketMessage(tx: Tx, m: NewMessage): Promise<string> {
  const id = uuidv7();
  await sql`insert into ticket_messages (workspace_id, id, ticket_id, kind, author_user_id, from_address, from_name,
      body_text, body_display, body_html, attachments, mentions, message_id, in_reply_to, "references")
    values (${m.workspaceId}, ${id}, ${m.ticketId}::uuid, ${m.kind}, ${m.authorUserId ?? null}::uuid,
      ${m.from?.address ?? null}, ${m.from?.name ?? null}, ${m.text}, ${m.display ?? m.text}, ${m.html ?? null},
      '[]'::jsonb, ${m.mentions ?? []}::uuid[], ${m.messageId ?? null},
      ${m.inReplyTo ?? null}, ${m.references ?? []}::text[])`.execute(tx);
  const stored = m.files?.length ? await storeAttachments(tx, m.workspaceId, m.ticketId, id, m.files) : [];
  const listed: AttachmentMeta[] = [...stored, ...(m.attachments ?? []).map((a) => ({ ...a, id: null }))];
  if (listed.length)
    await sql`update ticket_messages set attachments = ${JSON.stringify(listed)}::jsonb
      where workspace_id = rapport_workspace() and id = ${id}`.execute(tx);
  return id;
}

/** The thread's Message-IDs, oldest first (for References), and the latest public one (for In-Reply-To). */
export async function threadIds(tx: Tx, ticketId: string): Promise<{ references: string[]; last: string | null }> {
  const { rows } = await sql<{ message_id: string }>`
    select message_id from ticket_messages
    where workspace_id = rapport_workspace() and ticket_id = ${ticketId}::uuid and message_id is not null
      and kind in ('reply', 'inbound')
    order by created_at, id`.execute(tx);
  const ids = rows.map((r) => r.message_id);
  // RFC 5322: keep the first and the most recent ones when the chain is long.
  const references = ids.length > 20 ? [ids[0] as string, ...ids.slice(-19)] : ids;
  return { references, last: ids.at(-1) ?? null };
}

/** The contact's email address, as the system sees it (a reply goes to the ticket's contact whoever may read it). */
async function contactAddress(tx: Tx, records: RecordService, workspaceId: string, contactId: string | null) {
  if (!contactId) return null;
  const res = await records.list(tx, systemActor(workspaceId), 'contacts', {
    filter: { field: 'id', op: 'eq', value: contactId },
    fields: 'id,email,firstName,lastName',
    limit: 1,
  });
  const c = res.data[0];
  return c && typeof c.email === 'string' && c.email
    ? { email: c.email, firstName: (c.firstName as string) ?? '' }
    : null;
}

/**
 * Adds a reply or an internal note by the caller to a ticket they may work (404 when they
 * cannot see it, 403 when they may not change it). A reply is emailed to the ticket's
 * contact through the outbox with the thread's Message-ID, In-Reply-To and References and
 * the subject `[#n] Subject`, sets firstRespondedAt on the first one and ends the wait
 * for a next response; a note is never sent, and notifies the members it mentions.
 */
export async function postTicketMessage(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  ticketId: string,
  input: TPostTicketMessage,
  opts: { mailDomain: string },
): Promise<TTicketMessage> {
  if (!actor.userId)
    throw new AppError('forbidden', 'Replies and notes are written by people; this API key belongs to no one');
  await records.require(tx, actor, 'tickets', ticketId, 'update');
  const ticket = await records.get(tx, systemActor(actor.workspaceId), 'tickets', ticketId);
  const body = input.body.trim();
  if (input.afterMessageId !== undefined && !input.confirm)
    await refuseCollision(tx, ticketId, input.afterMessageId, actor.userId);
  const files = decodeAttachments(input.attachments);
  let id: string;
  if (input.kind === 'reply') {
    const to = await contactAddress(tx, records, actor.workspaceId, ticket.contactId as string | null);
    if (!to)
      throw invalidField(
        'kind',
        'a reply is emailed to the ticket’s contact, and it has no contact with an email address; add one or write a note',
      );
    const thread = await threadIds(tx, ticketId);
    const messageId = newMessageId(opts.mailDomain);
    const headers: Record<string, string> = {};
    if (thread.last) headers['In-Reply-To'] = `<${thread.last}>`;
    if (thread.references.length) headers.References = thread.references.map((r) => `<${r}>`).join(' ');
    // The customer's answer comes back to the workspace's support mailbox, and so to this ticket.
    const mailbox = (await listMailboxes(tx, actor.workspaceId, opts.mailDomain)).find(
      (m) => m.kind === 'support' && m.active,
    );
    if (mailbox) headers['Reply-To'] = mailbox.address;
    const html = textToHtml(body);
    await enqueueMail(tx, actor.workspaceId, {
      to: to.email,
      subject: ticketSubject(ticket.number as number, ticket.subject as string),
      text: body,
      html,
      messageId,
      headers,
      attachments: files,
    });
    id = await insertTicketMessage(tx, {
      workspaceId: actor.workspaceId,
      ticketId,
      kind: 'reply',
      authorUserId: actor.userId,
      text: body,
      html,
      files,
      messageId,
      inReplyTo: thread.last,
      references: thread.references,
    });
    const now = await transactionTime(tx);
    const changes: Record<string, unknown> = { nextResponseDueAt: null };
    if (!ticket.firstRespondedAt) changes.firstRespondedAt = now;
    if (ticket.status === 'new') changes.status = 'open';
    await records.systemWrite(tx, actor, 'tickets', ticketId, changes);
  } else {
    const mentioned = parseMentions(body);
    if (mentioned.length > 50) throw invalidField('body', 'mentions at most 50 people');
    const subject = { id: ticketId, object: 'tickets', recordId: ticketId, data: {} };
    const problems: { path: string; message: string }[] = [];
    for (const userId of mentioned) {
      if (!(await eventForMember(tx, records, actor.workspaceId, userId, subject)))
        problems.push({ path: 'body', message: `mentions ${userId}, who is not a member who can read this ticket` });
    }
    if (problems.length)
      throw new AppError('validation_failed', 'Only members who can read the ticket can be mentioned', {
        errors: problems,
      });
    id = await insertTicketMessage(tx, {
      workspaceId: actor.workspaceId,
      ticketId,
      kind: 'note',
      authorUserId: actor.userId,
      text: body,
      html: textToHtml(plainText(body)),
      files,
      mentions: mentioned,
    });
    const author = (await sql<{ name: string }>`select name from users where id = ${actor.userId}`.execute(tx)).rows[0]
      ?.name;
    for (const userId of mentioned) {
      if (userId === actor.userId) continue;
      await notify(tx, {
        workspaceId: actor.workspaceId,
        userId,
        kind: 'mention',
        title: `${author ?? 'A colleague'} mentioned you on ticket #${ticket.number}`,
        body: plainText(body),
        object: 'tickets',
        recordId: ticketId,
        actorUserId: actor.userId,
        dedupeKey: `ticket-note:${id}`,
      });
    }
  }
  const all = await listTicketMessages(tx, actor, records, ticketId);
  return all.find((m) => m.id === id) as TTicketMessage;
}

/**
 * Collision check: a reply or note is written against the latest message its writer saw
 * (`afterMessageId`, null for none). When others have arrived since (a colleague's reply,
 * the customer's mail) it is refused with 409 naming who wrote, so the writer reads them
 * first; sending again with `confirm` goes through.
 */
async function refuseCollision(tx: Tx, ticketId: string, afterMessageId: string | null, userId: string) {
  let since = sql`true`;
  if (afterMessageId) {
    const { rows } = await sql`select 1 from ticket_messages
      where workspace_id = rapport_workspace() and ticket_id = ${ticketId}::uuid and id = ${afterMessageId}::uuid`.execute(
      tx,
    );
    if (!rows[0]) throw invalidField('afterMessageId', 'is not a message of this ticket');
    // Compared in SQL: the stored time has microseconds a JavaScript Date would lose.
    since = sql`(m.created_at, m.id) > (select s.created_at, s.id from ticket_messages s
      where s.workspace_id = rapport_workspace() and s.id = ${afterMessageId}::uuid)`;
  }
  const { rows: newer } = await sql<{ kind: string; who: string | null }>`
    select m.kind, coalesce(u.name, m.from_address) as who from ticket_messages m
    left join users u on u.id = m.author_user_id
    where m.workspace_id = rapport_workspace() and m.ticket_id = ${ticketId}::uuid and ${since}
      and (m.author_user_id is null or m.author_user_id <> ${userId}::uuid)
    order by m.created_at, m.id`.execute(tx);
  if (newer.length === 0) return;
  const who = [...new Set(newer.map((n) => n.who ?? 'the system'))].join(', ');
  const what = newer.length === 1 ? 'a new message' : `${newer.length} new messages`;
  const message = `${what} arrived since you started writing (from ${who}); read it, then send again with confirm`;
  throw new AppError('conflict', `Collision: ${message}`, { errors: [{ path: 'afterMessageId', message }] });
}

/**
 * A customer wrote again: the ticket waits for a next response (due in its policy's
 * nextResponseMinutes from now, when it has one and was answered before), and a
 * pending or solved ticket opens again.
 */
export async function customerWrote(
  tx: Tx,
  records: RecordService,
  workspaceId: string,
  ticket: Record<string, unknown>,
) {
  const changes: Record<string, unknown> = {};
  if (['pending', 'solved', 'on_hold'].includes(ticket.status as string)) changes.status = 'open';
  if (ticket.firstRespondedAt && ticket.slaPolicyId) {
    const policy = (await loadSlaPolicies(tx)).find((p) => p.id === ticket.slaPolicyId);
    const target = policy?.targets[String(ticket.priority ?? 'normal')];
    if (policy && target?.nextResponseMinutes && !ticket.nextResponseDueAt) {
      const now = new Date(await transactionTime(tx));
      changes.nextResponseDueAt = addBusinessMinutes(now, target.nextResponseMinutes, policy.calendar).toISOString();
    }
  }
  if (Object.keys(changes).length)
    await records.systemWrite(tx, systemActor(workspaceId), 'tickets', ticket.id as string, changes);
}

/**
 * Merges a ticket into another the caller may work: its messages move over (in their
 * order), it is closed with a link to the other (mergedIntoId), and both note it.
 */
export async function mergeTicket(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  sourceId: string,
  intoId: string,
): Promise<Record<string, unknown>> {
  if (sourceId === intoId) throw invalidField('intoId', 'must be another ticket');
  await records.require(tx, actor, 'tickets', sourceId, 'update');
  try {
    await records.require(tx, actor, 'tickets', intoId, 'update');
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found')
      throw invalidField('intoId', 'is not a ticket you can see');
    throw err;
  }
  const sys = systemActor(actor.workspaceId);
  const source = await records.get(tx, sys, 'tickets', sourceId);
  const target = await records.get(tx, sys, 'tickets', intoId);
  if (source.mergedIntoId) throw invalidField('intoId', `ticket #${source.number} was already merged`);
  if (target.mergedIntoId)
    throw invalidField('intoId', `ticket #${target.number} was merged into another; merge into that one`);
  await sql`update ticket_messages set ticket_id = ${intoId}::uuid
    where workspace_id = rapport_workspace() and ticket_id = ${sourceId}::uuid`.execute(tx);
  await sql`update ticket_attachments set ticket_id = ${intoId}::uuid
    where workspace_id = rapport_workspace() and ticket_id = ${sourceId}::uuid`.execute(tx);
  await records.systemWrite(tx, actor, 'tickets', sourceId, { status: 'closed', mergedIntoId: intoId });
  const related = new Set([...((target.relatedTicketIds as string[] | null) ?? []), sourceId]);
  await records.systemWrite(tx, actor, 'tickets', intoId, { relatedTicketIds: [...related] });
  await insertTicketMessage(tx, {
    workspaceId: actor.workspaceId,
    ticketId: intoId,
    kind: 'note',
    authorUserId: actor.userId,
    text: `Ticket #${source.number} (${source.subject}) was merged into this ticket.`,
  });
  return records.get(tx, actor, 'tickets', intoId);
}
