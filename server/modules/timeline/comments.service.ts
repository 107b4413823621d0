import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { z } from 'zod';
import type { CommentSchema } from '../../../common/contracts/timeline';
import { withArticle } from '../../../common/validation-messages';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { eventForMember } from '../../platform/events/event-visibility';
import { emitEvent } from '../../platform/events/events';
import { AppError, invalidField } from '../../platform/http/errors';
import { notify } from '../../platform/notifications/notify';
import type { RecordService } from '../../platform/records/records.service';

/**
 * A mention in a comment body: `@[Display name](user:<uuid>)`, the form the web app's
 * autocomplete inserts (Markdown-link-like, so it stays readable as plain text).
 */
export const MENTION = /@\[([^\]\n]{1,200})\]\(user:([0-9a-fA-F-]{36})\)/g;

/** The distinct user ids mentioned in a body, in order of first mention. */
export function parseMentions(body: string): string[] {
  return [...new Set([...body.matchAll(MENTION)].map((m) => (m[2] as string).toLowerCase()))];
}

/** The body as plain text: mentions become `@Name`. */
export function plainText(body: string): string {
  return body.replace(MENTION, (_m, name: string) => `@${name}`);
}

export type CommentResult = z.infer<typeof CommentSchema>;

/**
 * Adds a comment to a record the caller can see, and notifies each mentioned member
 * once (in the same transaction: the comment and its notifications exist together).
 * Mentioning someone who is not a member of the workspace is a 422 naming `body`.
 */
export async function addComment(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  input: { object: string; recordId: string; body: unknown },
): Promise<CommentResult> {
  await records.get(tx, actor, input.object, input.recordId, { fields: 'id' }); // 404 unless visible
  if (typeof input.body !== 'string' || input.body.trim() === '') throw invalidField('body', 'is required');
  const body = input.body.trim();
  if (body.length > 10_000) throw invalidField('body', 'must be at most 10000 characters');
  const mentioned = parseMentions(body);
  if (mentioned.length > 50) throw invalidField('body', 'mentions at most 50 people');
  const { rows: members } = mentioned.length
    ? await sql<{
        id: string;
        name: string;
      }>`select u.id, u.name from workspace_members m join users u on u.id = m.user_id
        where m.user_id = any(${mentioned}::uuid[])`.execute(tx)
    : { rows: [] };
  const known = new Map(members.map((m) => [m.id, m]));
  const strangers = mentioned.filter((id) => !known.has(id));
  if (strangers.length) {
    throw new AppError('validation_failed', 'Only members of this workspace can be mentioned', {
      errors: strangers.map((id) => ({
        path: 'body',
        message: `mentions ${id}, who is not a member of this workspace`,
      })),
    });
  }
  const id = uuidv7();
  const { rows } = await sql<{ created_at: Date }>`
    insert into comments (workspace_id, id, object, record_id, author_id, body, mentions)
    values (${actor.workspaceId}, ${id}, ${input.object}, ${input.recordId}, ${actor.userId}, ${body}, ${mentioned}::uuid[])
    returning created_at`.execute(tx);
  const author = actor.userId
    ? (await sql<{ name: string }>`select name from users where id = ${actor.userId}`.execute(tx)).rows[0]?.name
    : undefined;
  // No record title: the mentioned member may not be allowed to see the record's fields.
  const what = withArticle(records.registry.get(input.object)?.singular ?? 'record');
  const commentEvent = {
    id,
    object: 'comments',
    recordId: id,
    data: { comment: { id, object: input.object, recordId: input.recordId } },
  };
  for (const userId of mentioned) {
    if (userId === actor.userId) continue;
    // A member who cannot see the record is not told what was said about it.
    if (!(await eventForMember(tx, records, actor.workspaceId, userId, commentEvent))) continue;
    await notify(tx, {
      workspaceId: actor.workspaceId,
      userId,
      kind: 'mention',
      title: `${author ?? 'A colleague'} mentioned you in a comment on ${what}`,
      body: plainText(body),
      object: input.object,
      recordId: input.recordId,
      actorUserId: actor.userId,
      dedupeKey: `mention:${id}`,
    });
  }
  await emitEvent(tx, actor, {
    type: 'comment.created',
    object: 'comments',
    recordId: id,
    data: { comment: { id, object: input.object, recordId: input.recordId, body, mentions: mentioned } },
  });
  return {
    id,
    object: input.object,
    recordId: input.recordId,
    body,
    mentions: mentioned.map((m) => known.get(m) as { id: string; name: string }),
    authorId: actor.userId,
    createdAt: (rows[0]?.created_at ?? new Date()).toISOString(),
  };
}

/**
 * Deletes a comment: its author may, and so may administrators; others get 404 (as for a
 * comment that does not exist). The record must still be visible to the caller.
 */
export async function deleteComment(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  input: { object: string; recordId: string; commentId: string },
): Promise<void> {
  const ctx = await records.context(tx, actor, input.object, 'read');
  await records.get(tx, actor, input.object, input.recordId, { fields: 'id' });
  const { rows } = await sql<{ id: string }>`
    delete from comments where id = ${input.commentId}::uuid and object = ${input.object}
      and record_id = ${input.recordId}::uuid
      and (${ctx.policy.admin} or author_id = ${actor.userId}::uuid)
    returning id`.execute(tx);
  if (!rows[0]) throw new AppError('not_found', 'Comment not found');
  await emitEvent(tx, actor, {
    type: 'comment.deleted',
    object: 'comments',
    recordId: input.commentId,
    data: { comment: { id: input.commentId, object: input.object, recordId: input.recordId } },
  });
}
