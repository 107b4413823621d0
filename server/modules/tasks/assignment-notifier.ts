import { sql } from 'kysely';
import type { EventConsumer } from '../../platform/events/dispatcher';
import { eventForMemberOfWorkspace } from '../../platform/events/event-visibility';
import { notify } from '../../platform/notifications/notify';
import type { RecordService } from '../../platform/records/records.service';
import { CLOSED_TASK_STATUSES } from './tasks.object';

/**
 * Notifies a task's assignee (kind `assignment`) when someone else creates a task for
 * them or reassigns one to them. An event consumer: it runs once per committed event,
 * whichever path wrote the task (REST, batch, workflows).
 */
export function assignmentNotifier(records: RecordService): EventConsumer {
  return {
    name: 'tasks.assignments',
    types: ['task.created', 'task.updated'],
    async handle(tx, events) {
      for (const e of events) {
        const record = (e.data.record ?? {}) as Record<string, unknown>;
        const changes = (e.data.changes ?? {}) as Record<string, unknown>;
        const assignee = record.assigneeId as string | undefined;
        if (e.type === 'task.updated' && !('assigneeId' in changes)) continue;
        if (!assignee || assignee === e.actorUserId) continue;
        if (CLOSED_TASK_STATUSES.includes(record.status as string)) continue;
        const { rows } = await sql<{ member: boolean; actor: string | null }>`
        select exists (select 1 from workspace_members where workspace_id = ${e.workspaceId} and user_id = ${assignee}) as member,
          (select name from users where id = ${e.actorUserId}) as actor`.execute(tx);
        if (!rows[0]?.member) continue;
        // The assignee is told only what their role lets them see of the task (maybe nothing).
        const seen = await eventForMemberOfWorkspace(tx, records, e.workspaceId, assignee, e);
        if (!seen) continue;
        const visible = (seen.record ?? {}) as Record<string, unknown>;
        await notify(tx, {
          workspaceId: e.workspaceId,
          userId: assignee,
          kind: 'assignment',
          title: `${rows[0].actor ?? 'Someone'} assigned you a task: ${String(visible.title ?? '')}`.slice(0, 300),
          body: visible.dueAt ? `Due ${visible.dueAt}` : undefined,
          object: 'tasks',
          recordId: e.recordId ?? undefined,
          actorUserId: e.actorUserId,
          dedupeKey: `assignment:${e.id}`,
        });
      }
    },
  };
}
