import { addressText } from '../../../../common/geo-links';
import type { FieldMeta } from '../../objects/api/objects.api';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A money value as the API sends it: an exact decimal string and an ISO currency. */
export interface Money {
  amount: string;
  currency: string;
}

export interface Address {
  street?: string | null;
  city?: string | null;
  region?: string | null;
  postalCode?: string | null;
  country?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  /** How exact the coordinates are: a city's centre, a postal code's, the street, or set by hand. */
  geoPrecision?: 'city' | 'postal' | 'street' | 'manual' | null;
}

/** Groups the integer part of an exact decimal string without going through floating point. */
export function formatDecimal(amount: string): string {
  const [int = '', frac] = amount.split('.');
  const sign = int.startsWith('-') ? '-' : '';
  const digits = int.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${digits}${frac ? `.${frac}` : ''}`;
}

export function formatMoney(m: Money): string {
  return `${formatDecimal(m.amount)} ${m.currency}`;
}

/** An address as one line (the same text the directions links use). */
export const formatAddress = (a: Address): string => addressText(a);

/** A value as plain text (table cells, titles); empty values become ''. */
export function formatValue(field: FieldMeta, value: unknown): string {
  if (value === null || value === undefined || value === '') return '';
  switch (field.type) {
    case 'money':
      return typeof value === 'object' ? formatMoney(value as Money) : String(value);
    case 'address':
      return typeof value === 'object' ? formatAddress(value as Address) : String(value);
    case 'boolean':
      return value ? 'Yes' : 'No';
    case 'select':
      return field.options?.find((o) => o.value === value)?.label ?? String(value);
    case 'multiSelect':
      return Array.isArray(value)
        ? value.map((v) => field.options?.find((o) => o.value === v)?.label ?? String(v)).join(', ')
        : String(value);
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(String(value))
        ? dateFormat.format(new Date(`${value}T00:00:00Z`))
        : String(value);
    case 'datetime': {
      const d = new Date(String(value));
      return Number.isNaN(d.getTime()) ? String(value) : dateTimeFormat.format(d);
    }
    case 'percent':
      return `${value} %`;
    case 'integer':
    case 'decimal':
      return formatDecimal(String(value));
    case 'json':
      return JSON.stringify(value);
    default:
      return Array.isArray(value) ? value.join(', ') : String(value);
  }
}
