import { localNow } from '../utils/relative-time';
import type { QuickField } from './QuickCreateModal';

/** The quick forms offered on every record's timeline. */
export const NOTE_FIELDS: QuickField[] = [
  { name: 'title', label: 'Title', kind: 'text' },
  { name: 'body', label: 'Note', kind: 'textarea', required: true },
];

export const TASK_FIELDS: QuickField[] = [
  { name: 'title', label: 'Title', kind: 'text', required: true },
  { name: 'dueAt', label: 'Due', kind: 'datetime', initial: () => localNow(60) },
  { name: 'remindAt', label: 'Reminder', kind: 'datetime' },
  { name: 'assigneeId', label: 'Assignee', kind: 'person' },
  {
    name: 'priority',
    label: 'Priority',
    kind: 'select',
    options: [
      { value: 'low', label: 'Low' },
      { value: 'normal', label: 'Normal' },
      { value: 'high', label: 'High' },
      { value: 'urgent', label: 'Urgent' },
    ],
  },
  { name: 'description', label: 'Description', kind: 'textarea' },
];

export const MEETING_FIELDS: QuickField[] = [
  { name: 'title', label: 'Title', kind: 'text', required: true },
  { name: 'startAt', label: 'Starts', kind: 'datetime', required: true, initial: () => localNow(60) },
  { name: 'endAt', label: 'Ends', kind: 'datetime', initial: () => localNow(90) },
  { name: 'location', label: 'Location', kind: 'text' },
  { name: 'attendeeUserIds', label: 'Colleagues attending', kind: 'people' },
  { name: 'description', label: 'Description', kind: 'textarea' },
];
