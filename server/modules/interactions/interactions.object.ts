import { CHANNELS } from '../../../common/contracts/timeline';
import type { ObjectDef } from '../../platform/records/types';
import {
  opt,
  RELATED_FIELDS,
  relatedReference,
  userListReference,
  validateRelated,
  validateUserList,
} from '../timeline';

export { CHANNELS };
export type Channel = (typeof CHANNELS)[number];

/**
 * Interactions: every logged contact with a customer — emails, calls, meetings,
 * direct mail, social and chat messages — with channel, direction, topic,
 * participants and time. The "don't contact twice" guard reads these.
 */
export const interactionsObject: ObjectDef = {
  name: 'interactions',
  singular: 'interaction',
  label: 'Interaction',
  labelPlural: 'Interactions',
  table: 'interactions',
  titleFields: ['topic'],
  subtitleFields: ['channel'],
  defaultSort: '-occurredAt',
  fields: [
    { name: 'topic', type: 'text', label: 'Topic', required: true, maxLength: 300, search: 'A', fuzzy: true },
    { name: 'channel', type: 'select', label: 'Channel', required: true, options: opt(...CHANNELS), indexed: true },
    // Outbound unless said otherwise; occurredAt defaults to the time of logging (column defaults).
    { name: 'direction', type: 'select', label: 'Direction', options: opt('outbound', 'inbound') },
    { name: 'occurredAt', type: 'datetime', label: 'When', indexed: true },
    { name: 'durationMinutes', type: 'integer', label: 'Duration (minutes)', min: 0, max: 10_000 },
    { name: 'contactId', type: 'relation', label: 'Contact', relation: { object: 'contacts', cardinality: 'one' } },
    { name: 'accountId', type: 'relation', label: 'Account', relation: { object: 'accounts', cardinality: 'one' } },
    {
      name: 'participantContactIds',
      type: 'relation',
      label: 'Other contacts',
      relation: { object: 'contacts', cardinality: 'many' },
      hidden: true,
    },
    { name: 'participantUserIds', type: 'json', label: 'Colleagues involved', hidden: true, jsonShape: 'userIds' },
    { name: 'body', type: 'longText', label: 'Notes', search: 'C', hidden: true },
    ...RELATED_FIELDS,
  ],
  validate(record, mode) {
    const errors = [...validateRelated(record), ...validateUserList(record, 'participantUserIds')];
    if (mode === 'create' && !record.contactId && !record.accountId && !record.relatedId) {
      errors.push({ path: 'contactId', message: 'an interaction needs a contact, an account or a related record' });
    }
    return errors;
  },
  references: (v) => [...relatedReference(v), ...userListReference(v, 'participantUserIds')],
};
