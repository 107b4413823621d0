import type { ObjectDef } from '../../platform/records/types';
import { opt, RELATED_FIELDS, relatedReference, validateRelated } from '../timeline';

export const TASK_STATUSES = ['open', 'in_progress', 'waiting', 'done', 'cancelled'] as const;
/** Statuses that end a task: no reminder, not in "my day". */
export const CLOSED_TASK_STATUSES = ['done', 'cancelled'];

/** Tasks: work to do, with a due time, a reminder, an assignee and a related record. */
export const tasksObject: ObjectDef = {
  name: 'tasks',
  singular: 'task',
  label: 'Task',
  labelPlural: 'Tasks',
  table: 'tasks',
  titleFields: ['title'],
  subtitleFields: ['status'],
  defaultSort: 'dueAt',
  fields: [
    { name: 'title', type: 'text', label: 'Title', required: true, maxLength: 300, search: 'A', fuzzy: true },
    // New tasks are open and of normal priority (column defaults).
    { name: 'status', type: 'select', label: 'Status', options: opt(...TASK_STATUSES), indexed: true },
    { name: 'priority', type: 'select', label: 'Priority', options: opt('low', 'normal', 'high', 'urgent') },
    { name: 'dueAt', type: 'datetime', label: 'Due', indexed: true },
    { name: 'remindAt', type: 'datetime', label: 'Reminder' },
    { name: 'assigneeId', type: 'user', label: 'Assignee', indexed: true },
    { name: 'description', type: 'longText', label: 'Description', search: 'C', hidden: true },
    { name: 'completedAt', type: 'datetime', label: 'Completed', readOnly: true, hidden: true },
    { name: 'remindedAt', type: 'datetime', label: 'Reminded', readOnly: true, hidden: true },
    ...RELATED_FIELDS,
  ],
  validate: (record) => validateRelated(record),
  references: relatedReference,
};
