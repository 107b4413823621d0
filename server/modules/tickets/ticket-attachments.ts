import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError, invalidField, notFound } from '../../platform/http/errors';
import { sniffContentType } from '../../platform/mail/inbound-sniff';
import type { RecordService } from '../../platform/records/records.service';

/** What an agent may attach to one reply or note: 5 files, 10 MB together. */
export const REPLY_ATTACHMENTS_MAX_BYTES = 10 * 1024 * 1024;

export interface AttachmentFile {
  filename: string;
  /** Sniffed from the bytes (inbound-sniff), never the sender's word. */
  contentType: string;
  content: Buffer;
}

/** A message's attachment as listed on the message (jsonb): id null when it was left out for its size. */
export interface AttachmentMeta {
  id: string | null;
  filename: string;
  contentType: string;
  size: number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes the files an agent attached to a reply or note (base64 in the JSON body):
 * 422 naming the file for bad base64, 413 over the total; content types are sniffed.
 */
export function decodeAttachments(input: { filename: string; contentBase64: string }[] | undefined): AttachmentFile[] {
  const files: AttachmentFile[] = [];
  let total = 0;
  for (const [i, a] of (input ?? []).entries()) {
    const b64 = a.contentBase64.replace(/\s+/g, '');
    if (!BASE64.test(b64) || b64.length % 4 !== 0)
      throw invalidField(`attachments.${i}.contentBase64`, 'is not base64');
    const content = Buffer.from(b64, 'base64');
    total += content.length;
    if (total > REPLY_ATTACHMENTS_MAX_BYTES)
      throw new AppError('payload_too_large', 'attachments: at most 10 MB together', {
        errors: [{ path: 'attachments', message: 'may be at most 10 MB together' }],
      });
    files.push({ filename: a.filename, contentType: sniffContentType(content), content });
  }
  return files;
}

/** Stores a message's files; returns their listing (with ids) for the message. */
export async function storeAttachments(
  tx: Tx,
  workspaceId: string,
  ticketId: string,
  messageId: string,
  files: AttachmentFile[],
): Promise<AttachmentMeta[]> {
  const metas: AttachmentMeta[] = [];
  for (const f of files) {
    const id = uuidv7();
    await sql`insert into ticket_attachments (workspace_id, id, ticket_id, message_id, filename, content_type, size, content)
      values (${workspaceId}, ${id}, ${ticketId}::uuid, ${messageId}::uuid, ${f.filename.slice(0, 255)}, ${f.contentType},
        ${f.content.length}, ${f.content})`.execute(tx);
    metas.push({ id, filename: f.filename, contentType: f.contentType, size: f.content.length });
  }
  return metas;
}

/** Where an attachment is downloaded from. */
export const attachmentUrl = (ticketId: string, id: string) => `/api/v1/tickets/${ticketId}/attachments/${id}`;

/**
 * An attachment of a message of a ticket the caller may read (404 for anything else:
 * another ticket's attachment, a ticket they cannot see).
 */
export async function readAttachment(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  ticketId: string,
  attachmentId: string,
): Promise<{ filename: string; contentType: string; content: Buffer }> {
  await records.get(tx, actor, 'tickets', ticketId, { fields: 'id' });
  const { rows } = await sql<{ filename: string; content_type: string; content: Uint8Array }>`
    select a.filename, a.content_type, a.content from ticket_attachments a
    join ticket_messages m on m.workspace_id = a.workspace_id and m.id = a.message_id
    where a.workspace_id = rapport_workspace() and a.id = ${attachmentId}::uuid and m.ticket_id = ${ticketId}::uuid`.execute(
    tx,
  );
  const row = rows[0];
  if (!row) throw notFound('Attachment');
  return { filename: row.filename, contentType: row.content_type, content: Buffer.from(row.content) };
}

/** `attachment; filename="…"; filename*=UTF-8''…` with the name made safe for a header. */
export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
