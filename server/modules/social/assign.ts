import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import type { RecordService } from '../../platform/records/records.service';

/** The most messages of one conversation an assignment touches (a thread is a customer's conversation or a post). */
const THREAD_MAX = 1000;

/**
 * Assigns a conversation: every message of the message's thread the caller can see gets
 * the assignee and/or the team (null clears), each through the record engine as the caller
 * (update permission, field rules, history; an unknown user or team is a 422 naming the
 * field). A message without a thread is its own conversation.
 */
export async function assignThread(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  id: string,
  input: { assigneeId?: string | null; teamId?: string | null },
): Promise<{ threadId: string | null; assigneeId: string | null; teamId: string | null; updated: number }> {
  const message = await records.get(tx, actor, 'social_messages', id, { fields: 'id,threadId' });
  const threadId = typeof message.threadId === 'string' ? message.threadId : null;
  const ids = threadId
    ? (
        await records.list(tx, actor, 'social_messages', {
          filter: { field: 'threadId', op: 'eq', value: threadId },
          fields: 'id',
          sort: 'sentAt',
          limit: THREAD_MAX,
        })
      ).data.map((r) => r.id as string)
    : [id];
  const changes: Record<string, string | null> = {};
  if (input.assigneeId !== undefined) changes.assigneeId = input.assigneeId;
  if (input.teamId !== undefined) changes.teamId = input.teamId;
  let last: Record<string, unknown> = {};
  // The message asked about first: its errors (an unknown user or team) name the field plainly.
  for (const m of [id, ...ids.filter((x) => x !== id)])
    last = await records.update(tx, actor, 'social_messages', m, changes);
  return {
    threadId,
    assigneeId: (last.assigneeId as string | null | undefined) ?? null,
    teamId: (last.teamId as string | null | undefined) ?? null,
    updated: ids.includes(id) ? ids.length : ids.length + 1,
  };
}

/** What a new message of a conversation inherits: the assignee and team of the thread's latest assigned message. */
export async function threadAssignment(
  tx: Tx,
  records: RecordService,
  sys: Actor,
  threadId: string | null | undefined,
): Promise<{ assigneeId?: string; teamId?: string }> {
  if (!threadId) return {};
  const { data } = await records.list(tx, sys, 'social_messages', {
    filter: {
      and: [
        { field: 'threadId', op: 'eq', value: threadId },
        {
          or: [
            { field: 'assigneeId', op: 'isNotEmpty' },
            { field: 'teamId', op: 'isNotEmpty' },
          ],
        },
      ],
    },
    fields: 'id,assigneeId,teamId',
    sort: '-sentAt',
    limit: 1,
  });
  const r = data[0];
  if (!r) return {};
  return {
    ...(typeof r.assigneeId === 'string' ? { assigneeId: r.assigneeId } : {}),
    ...(typeof r.teamId === 'string' ? { teamId: r.teamId } : {}),
  };
}
