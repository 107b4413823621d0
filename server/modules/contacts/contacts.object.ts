import { type ObjectDef, opt } from '../../platform/records/types';
import { DO_NOT_SELL_FIELD, SCORE_DETAIL_FIELDS } from './score-fields';

/** Contacts: people, usually at an account. */
export const contactsObject: ObjectDef = {
  name: 'contacts',
  singular: 'contact',
  label: 'Contact',
  labelPlural: 'Contacts',
  table: 'contacts',
  titleFields: ['firstName', 'lastName'],
  subtitleFields: ['email'],
  // Index-backed (workspace_id, last_name, id): a default that stays fast at millions of contacts.
  defaultSort: 'lastName',
  fields: [
    { name: 'firstName', type: 'text', label: 'First name', maxLength: 100, search: 'A', fuzzy: true },
    { name: 'lastName', type: 'text', label: 'Last name', maxLength: 100, search: 'A', fuzzy: true, indexed: true },
    { name: 'email', type: 'email', label: 'Email', unique: true, search: 'A', fuzzy: true },
    { name: 'emails', type: 'emails', label: 'Other emails', hidden: true },
    // Indexed: duplicate checks count the records holding a number (a switchboard is weak evidence).
    { name: 'phone', type: 'phone', label: 'Phone', search: 'B', indexed: true },
    { name: 'phones', type: 'phones', label: 'Other phones', hidden: true },
    { name: 'title', type: 'text', label: 'Job title', maxLength: 200, search: 'C' },
    { name: 'department', type: 'text', label: 'Department', maxLength: 200, hidden: true },
    { name: 'accountId', type: 'relation', label: 'Account', relation: { object: 'accounts', cardinality: 'one' } },
    {
      name: 'lifecycleStage',
      type: 'select',
      label: 'Lifecycle stage',
      options: opt('subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer', 'evangelist', 'other'),
      indexed: true,
    },
    { name: 'address', type: 'address', label: 'Address' },
    // The territory the address is in (server/modules/geo keeps it).
    {
      name: 'territoryId',
      type: 'relation',
      label: 'Territory',
      readOnly: true,
      relation: { object: 'territories', cardinality: 'one' },
    },
    { name: 'socialProfiles', type: 'json', label: 'Social profiles', hidden: true, sensitive: true },
    { name: 'birthday', type: 'date', label: 'Birthday', hidden: true, sensitive: true },
    { name: 'doNotContact', type: 'boolean', label: 'Do not contact' },
    DO_NOT_SELL_FIELD,
    { name: 'lastContactedAt', type: 'datetime', label: 'Last contacted', readOnly: true },
    // Kept by lead scoring (server/modules/scoring).
    { name: 'score', type: 'integer', label: 'Score', readOnly: true, min: -1_000_000, max: 1_000_000, indexed: true },
    ...SCORE_DETAIL_FIELDS,
    { name: 'description', type: 'longText', label: 'Notes', hidden: true },
  ],
  // The single customer view: everything done with the contact (objects of later modules, by name).
  inverse: [
    { name: 'quotes', object: 'quotes', via: 'contactId', label: 'Quotes' },
    { name: 'tasks', object: 'tasks', related: true, label: 'Tasks' },
    { name: 'meetings', object: 'meetings', related: true, label: 'Meetings' },
    { name: 'interactions', object: 'interactions', via: 'contactId', related: true, label: 'Interactions' },
    { name: 'tickets', object: 'tickets', via: 'contactId', label: 'Tickets' },
  ],
  validate(record, mode) {
    if (mode === 'create' && !record.firstName && !record.lastName && !record.email) {
      return [{ path: 'lastName', message: 'a contact needs a first name, a last name or an email' }];
    }
    if (record.socialProfiles != null) {
      const sp = record.socialProfiles;
      const ok =
        typeof sp === 'object' &&
        !Array.isArray(sp) &&
        Object.values(sp as Record<string, unknown>).every((v) => typeof v === 'string' && v.length <= 200);
      if (!ok)
        return [{ path: 'socialProfiles', message: 'must map networks to handles, e.g. {"linkedin": "jane-doe"}' }];
    }
    return [];
  },
};
