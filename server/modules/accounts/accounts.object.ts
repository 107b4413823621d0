import { type ObjectDef, opt } from '../../platform/records/types';

export const INDUSTRIES = [
  'aerospace',
  'agriculture',
  'automotive',
  'banking',
  'construction',
  'consulting',
  'education',
  'energy',
  'entertainment',
  'food_and_beverage',
  'government',
  'healthcare',
  'hospitality',
  'insurance',
  'logistics',
  'manufacturing',
  'media',
  'non_profit',
  'pharmaceuticals',
  'real_estate',
  'retail',
  'software',
  'telecommunications',
  'other',
];

/** Accounts: organisations that are prospects, customers, partners or suppliers. */
export const accountsObject: ObjectDef = {
  name: 'accounts',
  singular: 'account',
  label: 'Account',
  labelPlural: 'Accounts',
  table: 'accounts',
  titleFields: ['name'],
  subtitleFields: ['domain'],
  defaultSort: 'name',
  fields: [
    {
      name: 'name',
      type: 'text',
      label: 'Name',
      required: true,
      maxLength: 200,
      search: 'A',
      fuzzy: true,
      indexed: true,
    },
    { name: 'domain', type: 'text', label: 'Domain', unique: true, maxLength: 253, search: 'B', fuzzy: true },
    { name: 'website', type: 'url', label: 'Website' },
    { name: 'industry', type: 'select', label: 'Industry', options: opt(...INDUSTRIES), indexed: true },
    {
      name: 'type',
      type: 'select',
      label: 'Type',
      options: opt('prospect', 'customer', 'partner', 'supplier', 'competitor', 'other'),
      indexed: true,
    },
    { name: 'employees', type: 'integer', label: 'Employees', min: 0, max: 10_000_000 },
    { name: 'annualRevenue', type: 'money', label: 'Annual revenue' },
    { name: 'phone', type: 'phone', label: 'Phone', search: 'C', indexed: true },
    // Kept when accounts are merged (the other record's phone), and for more numbers.
    { name: 'phones', type: 'phones', label: 'Other phones', hidden: true },
    { name: 'address', type: 'address', label: 'Address' },
    // The territory the address is in (server/modules/geo keeps it).
    {
      name: 'territoryId',
      type: 'relation',
      label: 'Territory',
      readOnly: true,
      relation: { object: 'territories', cardinality: 'one' },
    },
    {
      name: 'parentAccountId',
      type: 'relation',
      label: 'Parent account',
      relation: { object: 'accounts', cardinality: 'one' },
    },
    { name: 'description', type: 'longText', label: 'Description', hidden: true },
  ],
  inverse: [
    { name: 'contacts', object: 'contacts', via: 'accountId', label: 'Contacts' },
    { name: 'childAccounts', object: 'accounts', via: 'parentAccountId', label: 'Subsidiaries' },
    { name: 'opportunities', object: 'opportunities', via: 'accountId', label: 'Opportunities' },
    // The single customer view: everything done with the account (objects of later modules, by name).
    { name: 'quotes', object: 'quotes', via: 'accountId', label: 'Quotes' },
    { name: 'tasks', object: 'tasks', related: true, label: 'Tasks' },
    { name: 'meetings', object: 'meetings', related: true, label: 'Meetings' },
    { name: 'interactions', object: 'interactions', via: 'accountId', related: true, label: 'Interactions' },
    { name: 'tickets', object: 'tickets', via: 'accountId', label: 'Tickets' },
  ],
  normalise: {
    // "https://www.Acme.com/about" and "acme.com" are the same company domain.
    domain: (v) =>
      v
        .trim()
        .toLowerCase()
        .replace(/^[a-z]+:\/\//, '')
        .replace(/^www\./, '')
        .replace(/[/?#].*$/, ''),
  },
  validate(record) {
    const d = record.domain;
    if (typeof d === 'string' && d && !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(d)) {
      return [{ path: 'domain', message: 'must be a domain name such as acme.com' }];
    }
    return [];
  },
};
