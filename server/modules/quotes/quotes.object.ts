import type { ObjectDef } from '../../platform/records/types';
import { opt } from '../../platform/records/types';
import { priceBookOptions } from '../products';
import { afterQuoteWrite, beforeQuoteWrite } from './quote-rules';

export const QUOTE_STATUSES = ['draft', 'sent', 'accepted', 'rejected', 'expired'] as const;

/**
 * Quotes on an opportunity. `number` is sequential and gap-free per workspace (a
 * trigger takes it from quote_counters in the inserting transaction); the totals are
 * computed on the server from the line items (quote-totals.ts) on every write.
 */
export const quotesObject: ObjectDef = {
  name: 'quotes',
  singular: 'quote',
  label: 'Quote',
  labelPlural: 'Quotes',
  table: 'quotes',
  titleFields: ['name'],
  subtitleFields: ['status'],
  defaultSort: '-createdAt',
  fields: [
    { name: 'name', type: 'text', label: 'Name', required: true, maxLength: 200, search: 'A', fuzzy: true },
    {
      name: 'number',
      type: 'integer',
      label: 'Number',
      readOnly: true,
      unique: true,
      description: 'Sequential per workspace, without gaps',
    },
    {
      name: 'opportunityId',
      type: 'relation',
      label: 'Opportunity',
      required: true,
      relation: { object: 'opportunities', cardinality: 'one' },
    },
    { name: 'accountId', type: 'relation', label: 'Account', relation: { object: 'accounts', cardinality: 'one' } },
    { name: 'contactId', type: 'relation', label: 'Recipient', relation: { object: 'contacts', cardinality: 'one' } },
    { name: 'status', type: 'select', label: 'Status', options: opt(...QUOTE_STATUSES), indexed: true },
    { name: 'currency', type: 'text', label: 'Currency', maxLength: 3, description: 'ISO 4217, e.g. EUR' },
    { name: 'priceBookId', type: 'select', label: 'Price book', hidden: true },
    { name: 'validUntil', type: 'date', label: 'Valid until' },
    { name: 'subtotal', type: 'money', label: 'Subtotal', readOnly: true },
    { name: 'discountTotal', type: 'money', label: 'Discount', readOnly: true, hidden: true },
    { name: 'taxTotal', type: 'money', label: 'Tax', readOnly: true, hidden: true },
    { name: 'total', type: 'money', label: 'Total', readOnly: true },
    { name: 'sentAt', type: 'datetime', label: 'Sent', readOnly: true, hidden: true },
    { name: 'acceptedAt', type: 'datetime', label: 'Accepted', readOnly: true, hidden: true },
    { name: 'terms', type: 'longText', label: 'Terms', hidden: true },
    { name: 'description', type: 'longText', label: 'Notes', hidden: true },
  ],
  normalise: { currency: (v) => v.trim().toUpperCase() },
  dynamicOptions: { fields: ['priceBookId'], load: priceBookOptions },
  validate(record) {
    const c = record.currency;
    if (typeof c === 'string' && c && !Intl.supportedValuesOf('currency').includes(c)) {
      return [{ path: 'currency', message: 'must be an ISO 4217 currency code, e.g. EUR' }];
    }
    return [];
  },
  beforeWrite: beforeQuoteWrite,
  afterWrite: afterQuoteWrite,
};
