import { ENCRYPTABLE_TYPES, type FieldType } from '../../../../common/fields/field-values';

/** The custom field types the API accepts (server/platform/records/types.ts FIELD_TYPES), with labels. */
export const FIELD_TYPE_OPTIONS = [
  { value: 'text', label: 'Text' },
  { value: 'longText', label: 'Long text' },
  { value: 'email', label: 'Email' },
  { value: 'emails', label: 'Emails (several)' },
  { value: 'phone', label: 'Phone' },
  { value: 'phones', label: 'Phones (several)' },
  { value: 'url', label: 'URL' },
  { value: 'integer', label: 'Whole number' },
  { value: 'decimal', label: 'Decimal number' },
  { value: 'money', label: 'Money' },
  { value: 'percent', label: 'Percent' },
  { value: 'date', label: 'Date' },
  { value: 'datetime', label: 'Date and time' },
  { value: 'boolean', label: 'Yes / no' },
  { value: 'select', label: 'Pick one' },
  { value: 'multiSelect', label: 'Pick several' },
  { value: 'relation', label: 'Link to a record' },
  { value: 'user', label: 'Member' },
  { value: 'address', label: 'Address' },
  { value: 'tags', label: 'Tags' },
  { value: 'json', label: 'JSON' },
] as const;

export const typeLabel = (type: string) => FIELD_TYPE_OPTIONS.find((t) => t.value === type)?.label ?? type;

export const hasOptions = (type: string) => type === 'select' || type === 'multiSelect';
export const hasLength = (type: string) => type === 'text' || type === 'longText';
export const hasBounds = (type: string) => type === 'integer' || type === 'decimal' || type === 'percent';
/** Whether a field of this type can be marked sensitive (encrypted at rest). */
export const canEncrypt = (type: string) => ENCRYPTABLE_TYPES.has(type as FieldType);

/** An API field name from a label: "Renewal date (EU)" → "renewalDateEu". */
export function fieldNameFrom(label: string): string {
  const words = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  const name = words
    .map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()))
    .join('')
    .replace(/^[^a-z]+/, '');
  return name.slice(0, 63);
}

/** An option value from its label: "Very high" → "very_high". */
export const optionValueFrom = (label: string) =>
  label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 100);
