import { uuidv7 } from 'uuidv7';
import type { Tx } from '../db/database';

export type MailHeader =
  | 'In-Reply-To'
  | 'References'
  | 'Auto-Submitted'
  | 'Reply-To'
  | 'List-Unsubscribe'
  | 'List-Unsubscribe-Post'
  | 'List-Id'
  | 'Precedence';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** The body carries a secret of the recipient (a reset link): never shown in the outbox. */
  confidential?: boolean;
  /** The Message-ID to send with (without angle brackets); default `<outbox id>@rapport`. */
  messageId?: string;
  /** The From header ("Name <address>"): a workspace's sender identity; default the instance's MAIL_FROM. */
  from?: string;
  /** Threading, loop and bulk-mail headers only (RFC 8058 one-click unsubscribe for campaigns). */
  headers?: Partial<Record<MailHeader, string>>;
  /** Files sent with it (a ticket reply's attachments), content types already sniffed. */
  attachments?: { filename: string; contentType: string; content: Buffer }[];
  /**
   * An iTIP message (RFC 6047): sent as a `text/calendar; method=…` alternative of the body
   * and as an attached `invite.ics`, as calendar clients expect.
   */
  calendar?: OutgoingCalendar;
}

/** An iCalendar object with its iTIP method (RFC 5546). */
export interface OutgoingCalendar {
  method: 'REQUEST' | 'CANCEL' | 'REPLY';
  content: string;
}

/**
 * Queues a mail in the caller's transaction (transactional outbox): it is sent
 * if and only if the change that caused it commits. Returns the mail's id,
 * which also becomes its Message-ID so a resend after a crash can be recognised.
 */
export async function enqueueMail(tx: Tx, workspaceId: string, mail: OutgoingMail): Promise<string> {
  return (await enqueueMails(tx, workspaceId, [mail]))[0] as string;
}

/** Rows per INSERT: 13 parameters each, well under PostgreSQL's 65,535 per statement. */
const INSERT_ROWS = 1000;

/**
 * enqueueMail for many mails (a campaign's batch): one multi-row INSERT per 1,000 mails.
 * Returns their ids in order.
 */
export async function enqueueMails(tx: Tx, workspaceId: string, mails: OutgoingMail[]): Promise<string[]> {
  const rows = mails.map((mail) => ({
    workspace_id: workspaceId,
    id: uuidv7(),
    to_address: mail.to,
    subject: mail.subject,
    text_body: mail.text,
    html_body: mail.html ?? null,
    confidential: mail.confidential ?? false,
    message_id: mail.messageId ?? null,
    from_address: mail.from ?? null,
    headers: JSON.stringify(mail.headers ?? {}),
    attachments: JSON.stringify(
      (mail.attachments ?? []).map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        content: a.content.toString('base64'),
      })),
    ),
    calendar: mail.calendar ? JSON.stringify(mail.calendar) : null,
  }));
  for (let i = 0; i < rows.length; i += INSERT_ROWS) {
    await tx
      .insertInto('mail_outbox')
      .values(rows.slice(i, i + INSERT_ROWS))
      .execute();
  }
  return rows.map((r) => r.id);
}
