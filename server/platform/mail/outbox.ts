import { uuidv7 } from 'uuidv7';
import type { Tx } from '../db/database';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** The body carries a secret of the recipient (a reset link): never shown in the outbox. */
  confidential?: boolean;
  /** The Message-ID to send with (without angle brackets); default `<outbox id>@rapport`. */
  messageId?: string;
  /** Threading and loop headers only: In-Reply-To, References, Auto-Submitted, Reply-To. */
  headers?: Partial<Record<'In-Reply-To' | 'References' | 'Auto-Submitted' | 'Reply-To', string>>;
}

/**
 * Queues a mail in the caller's transaction (transactional outbox): it is sent
 * if and only if the change that caused it commits. Returns the mail's id,
 * which also becomes its Message-ID so a resend after a crash can be recognised.
 */
export async function enqueueMail(tx: Tx, workspaceId: string, mail: OutgoingMail): Promise<string> {
  const id = uuidv7();
  await tx
    .insertInto('mail_outbox')
    .values({
      workspace_id: workspaceId,
      id,
      to_address: mail.to,
      subject: mail.subject,
      text_body: mail.text,
      html_body: mail.html ?? null,
      confidential: mail.confidential ?? false,
      message_id: mail.messageId ?? null,
      headers: JSON.stringify(mail.headers ?? {}),
    })
    .execute();
  return id;
}
