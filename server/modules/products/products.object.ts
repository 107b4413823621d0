import type { ObjectDef } from '../../platform/records/types';

/**
 * Products: the catalogue quotes are made of. Prices live in price books
 * (price-books.service.ts): the standard price book (list prices) and others, one
 * price per product and currency.
 */
export const productsObject: ObjectDef = {
  name: 'products',
  singular: 'product',
  label: 'Product',
  labelPlural: 'Products',
  table: 'products',
  titleFields: ['name'],
  subtitleFields: ['sku'],
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
    { name: 'sku', type: 'text', label: 'SKU', unique: true, maxLength: 64, search: 'A', fuzzy: true },
    { name: 'family', type: 'text', label: 'Family', maxLength: 100, search: 'C' },
    { name: 'unit', type: 'text', label: 'Unit', maxLength: 30, description: 'e.g. seat, hour, piece' },
    { name: 'taxRate', type: 'percent', label: 'Default tax rate (%)', min: 0, max: 100 },
    { name: 'active', type: 'boolean', label: 'Active', description: 'Inactive products cannot be added to quotes' },
    { name: 'description', type: 'longText', label: 'Description', hidden: true },
  ],
  normalise: { sku: (v) => v.trim().toUpperCase() },
  async beforeWrite(_tx, w) {
    // New products are active unless said otherwise (a boolean column defaults to false).
    if (w.mode === 'create' && w.changes.active == null) return { set: { active: true } };
    return undefined;
  },
};
