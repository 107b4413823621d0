import type { FastifyReply } from 'fastify';
import { sql } from 'kysely';
import { CHAT_FILE_MAX_BYTES, CHAT_FILES_PER_CONVERSATION } from '../../../common/contracts/chat';
import type { Tx } from '../../platform/db/database';
import { AppError, invalidField, notFound } from '../../platform/http/errors';
import { sniffContentType } from '../../platform/mail/inbound-sniff';
import { contentDisposition } from '../tickets';

/** A file on its way into a chat: its type already sniffed from the bytes. */
export interface ChatFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Decodes one file sent in a chat (base64 in JSON, from the widget or the agent console):
 * 422 naming `path` for bad base64 or an empty file, 413 over 5 MB; the content type is
 * sniffed from the bytes (never the sender's word), as ticket attachments are.
 */
export function decodeChatFile(filename: string, contentBase64: string, path: string): ChatFile {
  const b64 = contentBase64.replace(/\s+/g, '');
  if (!BASE64.test(b64) || b64.length % 4 !== 0) throw invalidField(path, 'is not base64');
  const content = Buffer.from(b64, 'base64');
  if (content.length === 0) throw invalidField(path, 'The file is empty');
  if (content.length > CHAT_FILE_MAX_BYTES)
    throw new AppError('payload_too_large', `${path}: a file may be at most 5 MB`, {
      errors: [{ path, message: 'may be at most 5 MB' }],
    });
  return { filename: filename.slice(0, 255), contentType: sniffContentType(content), content };
}

/** 429 when the conversation would hold more than CHAT_FILES_PER_CONVERSATION files. */
export async function assertRoomForFiles(tx: Tx, conversationId: string, adding: number): Promise<void> {
  if (adding === 0) return;
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from chat_attachments
    where workspace_id = rapport_workspace() and conversation_id = ${conversationId}::uuid`.execute(tx);
  if ((rows[0]?.n ?? 0) + adding > CHAT_FILES_PER_CONVERSATION)
    throw new AppError('rate_limited', `A chat holds at most ${CHAT_FILES_PER_CONVERSATION} files`);
}

/** Stores a message's files under the ids its listing (the message row's `attachments`) gives them. */
export async function storeChatFiles(
  tx: Tx,
  workspaceId: string,
  conversationId: string,
  messageId: string,
  files: ChatFile[],
  ids: string[],
): Promise<void> {
  for (const [i, f] of files.entries()) {
    const id = ids[i] as string;
    await sql`insert into chat_attachments (workspace_id, id, conversation_id, message_id, filename, content_type, size, content)
      values (${workspaceId}::uuid, ${id}::uuid, ${conversationId}::uuid, ${messageId}::uuid, ${f.filename},
        ${f.contentType}, ${f.content.length}, ${f.content})`.execute(tx);
  }
}

/** A file of one conversation (404 for any other: another chat's file is not there). */
export async function readChatFile(tx: Tx, conversationId: string, id: string): Promise<ChatFile> {
  const { rows } = await sql<{ filename: string; content_type: string; content: Uint8Array }>`
    select filename, content_type, content from chat_attachments
    where workspace_id = rapport_workspace() and id = ${id}::uuid and conversation_id = ${conversationId}::uuid`.execute(
    tx,
  );
  const row = rows[0];
  if (!row) throw notFound('File');
  return { filename: row.filename, contentType: row.content_type, content: Buffer.from(row.content) };
}

/** The files of a conversation's messages, for the ticket a chat nobody answered becomes. */
export async function filesOfConversation(tx: Tx, conversationId: string): Promise<ChatFile[]> {
  const { rows } = await sql<{ filename: string; content_type: string; content: Uint8Array }>`
    select filename, content_type, content from chat_attachments
    where workspace_id = rapport_workspace() and conversation_id = ${conversationId}::uuid
    order by created_at, id limit 5`.execute(tx);
  return rows.map((r) => ({ filename: r.filename, contentType: r.content_type, content: Buffer.from(r.content) }));
}

/** Sends a file as a download that no browser renders as a page (like ticket attachments). */
export const sendChatFile = (reply: FastifyReply, file: ChatFile) =>
  reply
    .header('content-type', file.contentType)
    .header('content-disposition', contentDisposition(file.filename))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, no-store')
    .send(file.content);
