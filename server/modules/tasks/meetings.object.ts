import type { ObjectDef } from '../../platform/records/types';
import { RELATED_FIELDS, relatedReference, userListReference, validateRelated, validateUserList } from '../timeline';

/** Meetings (calendar events): a time, a place, colleagues and contacts attending. */
export const meetingsObject: ObjectDef = {
  name: 'meetings',
  singular: 'meeting',
  label: 'Meeting',
  labelPlural: 'Meetings',
  table: 'meetings',
  titleFields: ['title'],
  subtitleFields: ['location'],
  defaultSort: '-startAt',
  fields: [
    { name: 'title', type: 'text', label: 'Title', required: true, maxLength: 300, search: 'A', fuzzy: true },
    { name: 'startAt', type: 'datetime', label: 'Starts', required: true, indexed: true },
    { name: 'endAt', type: 'datetime', label: 'Ends' },
    { name: 'location', type: 'text', label: 'Location', maxLength: 300, search: 'C' },
    {
      name: 'attendeeContactIds',
      type: 'relation',
      label: 'Contacts attending',
      relation: { object: 'contacts', cardinality: 'many' },
    },
    // A list of member ids (checked on write through `references`).
    { name: 'attendeeUserIds', type: 'json', label: 'Colleagues attending', hidden: true, jsonShape: 'userIds' },
    { name: 'description', type: 'longText', label: 'Description', search: 'D', hidden: true },
    ...RELATED_FIELDS,
  ],
  validate(record) {
    const errors = [...validateRelated(record), ...validateUserList(record, 'attendeeUserIds')];
    const { startAt, endAt } = record;
    if (typeof startAt === 'string' && typeof endAt === 'string' && Date.parse(endAt) < Date.parse(startAt)) {
      errors.push({ path: 'endAt', message: 'must not be before startAt' });
    }
    return errors;
  },
  references: (v) => [...relatedReference(v), ...userListReference(v, 'attendeeUserIds')],
};
