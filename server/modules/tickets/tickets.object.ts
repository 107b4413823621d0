import type { ObjectDef } from '../../platform/records/types';
import { opt } from '../../platform/records/types';
import { afterTicketWrite, beforeTicketWrite } from './ticket-rules';

export const TICKET_CHANNELS = ['email', 'chat', 'web_form', 'phone', 'social', 'api'] as const;
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
/** `pending` is pending on the customer: the SLA clock is paused. */
export const TICKET_STATUSES = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export const TICKET_TYPES = ['question', 'incident', 'problem', 'task'] as const;
/** Statuses in which a ticket needs no more work (no SLA clock, not "open"). */
export const DONE_STATUSES = ['solved', 'closed'];

/**
 * Tickets: a customer's request and its conversation (ticket_messages). `number` is
 * sequential per workspace (a trigger takes it from ticket_counters, shown as #1042);
 * the SLA fields are kept by ticket-rules.ts on every write from the workspace's SLA
 * policies, in their calendars' business time.
 */
export const ticketsObject: ObjectDef = {
  name: 'tickets',
  singular: 'ticket',
  label: 'Ticket',
  labelPlural: 'Tickets',
  table: 'tickets',
  titleFields: ['subject'],
  subtitleFields: ['status'],
  defaultSort: '-createdAt',
  fields: [
    {
      name: 'number',
      type: 'integer',
      label: 'Number',
      readOnly: true,
      unique: true,
      description: 'Sequential per workspace, shown as #1042',
    },
    { name: 'subject', type: 'text', label: 'Subject', required: true, maxLength: 300, search: 'A', fuzzy: true },
    { name: 'contactId', type: 'relation', label: 'Contact', relation: { object: 'contacts', cardinality: 'one' } },
    { name: 'accountId', type: 'relation', label: 'Account', relation: { object: 'accounts', cardinality: 'one' } },
    { name: 'channel', type: 'select', label: 'Channel', options: opt(...TICKET_CHANNELS) },
    { name: 'priority', type: 'select', label: 'Priority', options: opt(...TICKET_PRIORITIES), indexed: true },
    {
      name: 'status',
      type: 'select',
      label: 'Status',
      options: opt(...TICKET_STATUSES).map((o) =>
        o.value === 'pending' ? { ...o, label: 'Pending (on customer)' } : o,
      ),
      indexed: true,
    },
    { name: 'type', type: 'select', label: 'Type', options: opt(...TICKET_TYPES) },
    { name: 'assigneeId', type: 'user', label: 'Assignee', indexed: true },
    {
      name: 'relatedTicketIds',
      type: 'relation',
      label: 'Related tickets',
      relation: { object: 'tickets', cardinality: 'many' },
      hidden: true,
    },
    {
      name: 'mergedIntoId',
      type: 'relation',
      label: 'Merged into',
      relation: { object: 'tickets', cardinality: 'one' },
      readOnly: true,
      hidden: true,
    },
    { name: 'slaPolicyId', type: 'text', label: 'SLA policy', readOnly: true, hidden: true },
    { name: 'firstResponseDueAt', type: 'datetime', label: 'First response due', readOnly: true },
    { name: 'nextResponseDueAt', type: 'datetime', label: 'Next response due', readOnly: true, hidden: true },
    { name: 'resolutionDueAt', type: 'datetime', label: 'Resolution due', readOnly: true, indexed: true },
    { name: 'firstRespondedAt', type: 'datetime', label: 'First responded', readOnly: true, hidden: true },
    { name: 'solvedAt', type: 'datetime', label: 'Solved', readOnly: true, hidden: true },
    { name: 'slaBreached', type: 'boolean', label: 'SLA breached', readOnly: true },
    {
      name: 'slaPausedAt',
      type: 'datetime',
      label: 'SLA paused since',
      readOnly: true,
      hidden: true,
      description: 'Set while pending on the customer',
    },
    {
      name: 'slaPausedMinutes',
      type: 'integer',
      label: 'SLA paused minutes',
      readOnly: true,
      hidden: true,
      description: 'Business minutes the clock was paused (due times move out by them)',
    },
    { name: 'csatRating', type: 'integer', label: 'CSAT', min: 1, max: 5, readOnly: true, hidden: true },
    { name: 'csatComment', type: 'longText', label: 'CSAT comment', readOnly: true, hidden: true },
  ],
  beforeWrite: beforeTicketWrite,
  afterWrite: afterTicketWrite,
};
