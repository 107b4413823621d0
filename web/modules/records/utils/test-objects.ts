import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';

/** A field as the metadata would describe it, for tests of the metadata-driven helpers. */
export function fieldMeta(name: string, type: string, extra: Partial<FieldMeta> = {}): FieldMeta {
  return {
    name,
    type,
    label: name.charAt(0).toUpperCase() + name.slice(1),
    description: null,
    custom: false,
    required: false,
    unique: false,
    readOnly: false,
    hidden: false,
    options: null,
    relation: null,
    maxLength: null,
    min: null,
    max: null,
    sortable: true,
    filterOperators: ['eq', 'ne', 'in', 'nin', 'isEmpty', 'isNotEmpty'],
    ...extra,
  };
}

const system = [
  fieldMeta('id', 'text', { readOnly: true }),
  fieldMeta('ownerId', 'user', { label: 'Owner' }),
  fieldMeta('tags', 'tags', { sortable: false, filterOperators: ['eq', 'contains', 'in', 'nin'] }),
  fieldMeta('version', 'integer', { readOnly: true, hidden: true }),
  fieldMeta('createdAt', 'datetime', { readOnly: true }),
];

/** An administrator's permissions. */
const everything: ObjectMeta['permissions'] = {
  create: true,
  read: true,
  update: true,
  delete: true,
  export: true,
  scope: 'all',
};

export const accountsMeta: ObjectMeta = {
  name: 'accounts',
  singular: 'account',
  label: 'Account',
  labelPlural: 'Accounts',
  titleFields: ['name'],
  subtitleFields: ['domain'],
  defaultSort: 'name',
  fields: [
    ...system,
    fieldMeta('name', 'text', { required: true }),
    fieldMeta('domain', 'text'),
    fieldMeta('industry', 'select', {
      options: [
        { value: 'software', label: 'Software' },
        { value: 'retail', label: 'Retail' },
      ],
    }),
    fieldMeta('annualRevenue', 'money', { label: 'Annual revenue' }),
    fieldMeta('address', 'address', { sortable: false }),
    fieldMeta('parentAccountId', 'relation', {
      label: 'Parent account',
      relation: { object: 'accounts', cardinality: 'one' },
    }),
    fieldMeta('description', 'longText', { hidden: true }),
    fieldMeta('score', 'integer', { custom: true }),
  ],
  includes: ['owner', 'parentAccount', 'contacts', 'childAccounts'],
  inverse: [
    { name: 'contacts', object: 'contacts', via: 'accountId', related: false, label: 'Contacts' },
    { name: 'childAccounts', object: 'accounts', via: 'parentAccountId', related: false, label: 'Subsidiaries' },
  ],
  sections: [{ name: 'timeline', label: 'Recent activity' }],
  permissions: everything,
};

export const contactsMeta: ObjectMeta = {
  name: 'contacts',
  singular: 'contact',
  label: 'Contact',
  labelPlural: 'Contacts',
  titleFields: ['firstName', 'lastName'],
  subtitleFields: ['email'],
  defaultSort: 'lastName,firstName',
  fields: [
    ...system,
    fieldMeta('firstName', 'text'),
    fieldMeta('lastName', 'text'),
    fieldMeta('email', 'email'),
    fieldMeta('accountId', 'relation', { label: 'Account', relation: { object: 'accounts', cardinality: 'one' } }),
  ],
  includes: ['owner', 'account'],
  inverse: [],
  sections: [{ name: 'timeline', label: 'Recent activity' }],
  permissions: everything,
};
