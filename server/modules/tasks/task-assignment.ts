import type { AssignmentNotice } from '../../platform/notifications/assignment-notifier';
import { CLOSED_TASK_STATUSES } from './tasks.object';

/**
 * How a task's assignee hears of it (the platform's assignment notifier): when someone
 * else creates an open task for them or reassigns one to them, with who did and when it
 * is due. A task's owner is its assignee (a trigger keeps them equal).
 */
export const taskAssignmentNotice: AssignmentNotice = {
  field: 'assigneeId',
  applies: (task) => !CLOSED_TASK_STATUSES.includes(task.status as string),
  message: (task, { assignedBy }) => ({
    title: `${assignedBy ?? 'Someone'} assigned you a task: ${String(task.title ?? '')}`,
    body: task.dueAt ? `Due ${task.dueAt}` : undefined,
  }),
};
