import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database';
import type { InboundMail, InboundMailHandler } from '../../platform/mail/inbound-mail';
import { enqueueMail } from '../../platform/mail/outbox';
import type { RecordService } from '../../platform/records/records.service';
import { serviceSettings } from './sla-policies.service';
import { domainOf, newMessageId, safeHtml, subjectTicketNumber, ticketSubject, trimQuoted } from './thread-text';
import { customerWrote, insertTicketMessage, systemActor } from './ticket-messages.service';

/** At most this many acknowledgements to one sender per hour: the backstop behind the loop checks. */
export const ACKS_PER_SENDER_PER_HOUR = 3;

/** The ticket a message answers: by In-Reply-To, then References (newest first), then `[#n]` in the subject. */
async function threadTicket(
  tx: Tx,
  records: RecordService,
  mail: InboundMail,
): Promise<Record<string, unknown> | null> {
  const ids = [mail.inReplyTo, ...[...mail.references].reverse()].filter((x): x is string => !!x);
  let ticketId: string | null = null;
  if (ids.length) {
    const { rows } = await sql<{ ticket_id: string; message_id: string }>`
      select ticket_id, message_id from ticket_messages
      where workspace_id = rapport_workspace() and message_id = any(${ids}::text[])`.execute(tx);
    for (const id of ids) {
      const hit = rows.find((r) => r.message_id === id);
      if (hit) {
        ticketId = hit.ticket_id;
        break;
      }
    }
  }
  const sys = systemActor(mail.workspaceId);
  const byId = async (id: string) => {
    const res = await records.list(tx, sys, 'tickets', { filter: { field: 'id', op: 'eq', value: id }, limit: 1 });
    return res.data[0] ?? null;
  };
  let ticket: Record<string, unknown> | null = ticketId ? await byId(ticketId) : null;
  if (!ticket) {
    const n = subjectTicketNumber(mail.subject);
    if (n !== null) {
      const res = await records.list(tx, sys, 'tickets', { filter: { field: 'number', op: 'eq', value: n }, limit: 1 });
      ticket = res.data[0] ?? null;
    }
  }
  // A merged ticket's replies go to the ticket it was merged into.
  for (let hops = 0; ticket?.mergedIntoId && hops < 5; hops++) ticket = await byId(ticket.mergedIntoId as string);
  return ticket;
}

/** The contact with this address (primary email), or a new one. */
async function contactFor(tx: Tx, records: RecordService, mail: InboundMail): Promise<string> {
  const sys = systemActor(mail.workspaceId);
  const found = await records.list(tx, sys, 'contacts', {
    filter: { field: 'email', op: 'eq', value: mail.from.address },
    fields: 'id',
    limit: 1,
  });
  if (found.data[0]) return found.data[0].id as string;
  const name = (mail.from.name ?? '').trim();
  const [first, ...rest] = name.split(/\s+/);
  const local = mail.from.address.split('@')[0] ?? mail.from.address;
  const person: Record<string, string> = {
    email: mail.from.address,
    lastName: rest.length ? rest.join(' ') : name || local,
  };
  if (rest.length && first) person.firstName = first;
  const created = await records.create(tx, sys, 'contacts', person);
  return created.id as string;
}

/** Whether this sender may get another acknowledgement now (and counts this one). */
async function mayAcknowledge(tx: Tx, workspaceId: string, address: string): Promise<boolean> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from ticket_acknowledgements
    where workspace_id = rapport_workspace() and address = ${address} and sent_at > now() - interval '1 hour'`.execute(
    tx,
  );
  if ((rows[0]?.n ?? 0) >= ACKS_PER_SENDER_PER_HOUR) return false;
  await sql`insert into ticket_acknowledgements (workspace_id, address) values (${workspaceId}, ${address})`.execute(
    tx,
  );
  return true;
}

/**
 * Email-to-ticket: mail to a support mailbox joins the ticket it answers (In-Reply-To,
 * then References, then a `[#n]` reference in the subject — so a CC'd person's reply
 * joins too), or opens a new ticket (channel email, the sender's contact matched by
 * address or created, the mailbox's team if it routes to one). The message keeps its full text and a display text without the
 * quoted history. A new ticket is acknowledged by email (per-workspace setting) with
 * `Auto-Submitted: auto-replied`, never for automatic mail and at most
 * ACKS_PER_SENDER_PER_HOUR times an hour per sender. Runs in the inbound transaction;
 * a message seen before (same Message-ID) is ignored.
 */
export const supportMailHandler: InboundMailHandler = {
  kind: 'support',
  async handle(tx, mail, { records }) {
    if (mail.messageId) {
      const { rows } = await sql`select 1 from ticket_messages
        where workspace_id = rapport_workspace() and message_id = ${mail.messageId}`.execute(tx);
      if (rows[0]) return;
    }
    const sys = systemActor(mail.workspaceId);
    let ticket = await threadTicket(tx, records, mail);
    const isNew = !ticket;
    if (!ticket) {
      const contactId = await contactFor(tx, records, mail);
      // The mailbox's team, if any: the round-robin consumer gives the ticket to its next agent with room.
      // (Compared as text: mail made up by the demo and tests names no stored mailbox.)
      const { rows } = await sql<{ team_id: string | null }>`select team_id from mailboxes
        where workspace_id = rapport_workspace() and id::text = ${mail.mailbox.id}`.execute(tx);
      const teamId = rows[0]?.team_id ?? null;
      ticket = await records.create(tx, sys, 'tickets', {
        subject: mail.subject.trim().slice(0, 300) || '(no subject)',
        channel: 'email',
        contactId,
        ...(teamId ? { teamId } : {}),
      });
    }
    const ticketId = ticket.id as string;
    const text = mail.text ?? '';
    await insertTicketMessage(tx, {
      workspaceId: mail.workspaceId,
      ticketId,
      kind: 'inbound',
      from: { address: mail.from.address, name: mail.from.name },
      text,
      display: trimQuoted(text),
      html: mail.html ? safeHtml(mail.html) : null,
      files: mail.attachments,
      attachments: (mail.omittedAttachments ?? []).map((a) => ({
        filename: a.filename,
        contentType: 'application/octet-stream',
        size: a.size,
      })),
      messageId: mail.messageId,
      inReplyTo: mail.inReplyTo,
      references: mail.references,
    });
    if (!isNew) {
      await customerWrote(tx, records, mail.workspaceId, ticket);
      return;
    }
    if (mail.autoGenerated || !(await serviceSettings(tx)).acknowledgeNewTickets) return;
    if (!(await mayAcknowledge(tx, mail.workspaceId, mail.from.address))) return;
    const subject = ticketSubject(ticket.number as number, ticket.subject as string);
    const messageId = newMessageId(domainOf(mail.mailbox.address));
    const body =
      `We received your message and opened ticket #${ticket.number}. ` +
      'We will answer you as soon as we can; reply to this email to add to it.';
    await enqueueMail(tx, mail.workspaceId, {
      to: mail.from.address,
      subject,
      text: body,
      messageId,
      headers: {
        'Auto-Submitted': 'auto-replied',
        'Reply-To': mail.mailbox.address,
        ...(mail.messageId ? { 'In-Reply-To': `<${mail.messageId}>`, References: `<${mail.messageId}>` } : {}),
      },
    });
    // Kept in the thread (not shown as a reply): the customer's answer to it threads by its Message-ID.
    await insertTicketMessage(tx, {
      workspaceId: mail.workspaceId,
      ticketId,
      kind: 'note',
      text: `Acknowledgement sent to ${mail.from.address}: ${body}`,
      messageId,
      inReplyTo: mail.messageId,
      references: mail.messageId ? [mail.messageId] : [],
    });
  },
};
