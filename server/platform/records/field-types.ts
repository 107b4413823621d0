import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import { columnName, type FieldDef } from './types';

/** One database column behind a field (money and address have several: one per sub-field). */
export interface ColumnSpec {
  column: string;
  sqlType: string;
  /** Sub-field name (money.amount, address.city); absent for single-column fields. */
  sub?: string;
}

/** How a field (or sub-field) is compared in filters and sorts. */
export type FilterKind = 'text' | 'number' | 'date' | 'datetime' | 'boolean' | 'uuid' | 'array' | 'multi' | 'json';

export const ADDRESS_PARTS = ['street', 'city', 'region', 'postalCode', 'country', 'latitude', 'longitude'] as const;
export const MONEY_PARTS = ['amount', 'currency'] as const;

/** No PostgreSQL text can hold U+0000. */
const noNul = (s: string) => !s.includes('\u0000');
const NUL_MESSAGE = 'may not contain the NUL character (U+0000)';

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** Exact decimal as a string: up to 15 integer digits and `scale` decimals. */
const decimalString = (scale: number) =>
  z.union([z.string(), z.number()]).transform((v, ctx) => {
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v.trim();
    const re = new RegExp(`^-?\\d{1,15}(\\.\\d{1,${scale}})?$`);
    if (!re.test(s)) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a decimal number with at most 15 digits and ${scale} decimals`,
      });
      return z.NEVER;
    }
    return normaliseDecimal(s);
  });

/** "007.50" → "7.5", "-0.0" → "0". */
export function normaliseDecimal(s: string): string {
  const negative = s.startsWith('-');
  let [int = '0', frac = ''] = (negative ? s.slice(1) : s).split('.');
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  const out = frac ? `${int}.${frac}` : int;
  return negative && out !== '0' ? `-${out}` : out;
}

const phone = z
  .string()
  .trim()
  .max(40)
  .transform((v, ctx) => {
    const parsed = parsePhoneNumberFromString(v.replace(/^00/, '+'));
    if (!parsed?.isValid()) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be a valid phone number in international format, e.g. +33 1 23 45 67 89',
      });
      return z.NEVER;
    }
    return parsed.number as string;
  });

const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be a valid email address' }));

const url = z
  .string()
  .trim()
  .max(2048)
  .transform((v, ctx) => {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : `https://${v}`;
    try {
      const u = new URL(withScheme);
      // No credentials in links: "https://bank.com@evil.example" is a phishing shape.
      if (!['http:', 'https:'].includes(u.protocol) || !u.hostname.includes('.') || u.username || u.password) {
        throw new Error('bad');
      }
      return u.toString();
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a web address (http or https)' });
      return z.NEVER;
    }
  });

const labelled = (value: z.ZodType<string>) =>
  z
    .array(z.object({ value, label: z.string().trim().max(50).refine(noNul, NUL_MESSAGE).optional() }).strict())
    .refine((l) => l.length <= 20, 'at most 20 entries')
    .transform((items) => {
      const seen = new Set<string>();
      return items.filter((i) => !seen.has(i.value) && seen.add(i.value));
    });

const address = z
  .object({
    street: z.string().trim().max(500).nullish(),
    city: z.string().trim().max(200).nullish(),
    region: z.string().trim().max(200).nullish(),
    postalCode: z.string().trim().max(20).nullish(),
    country: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^([A-Z]{2})?$/, 'must be an ISO 3166-1 alpha-2 country code, e.g. FR')
      .nullish(),
    latitude: z.number().min(-90).max(90).nullish(),
    longitude: z.number().min(-180).max(180).nullish(),
  })
  .strict()
  .superRefine((a, ctx) => {
    if ((a.latitude == null) !== (a.longitude == null)) {
      ctx.addIssue({
        code: 'custom',
        path: [a.latitude == null ? 'latitude' : 'longitude'],
        message: 'latitude and longitude go together',
      });
    }
  })
  .transform((a) => Object.fromEntries(ADDRESS_PARTS.map((p) => [p, a[p] === '' ? null : (a[p] ?? null)])));

/** Tags are case-insensitive labels: trimmed, lower-cased, de-duplicated. */
const tags = z
  .array(z.string().trim().min(1).max(64).refine(noNul, NUL_MESSAGE))
  .refine((l) => l.length <= 100, 'at most 100 tags')
  .transform((list) => [...new Set(list.map((t) => t.toLowerCase()))]);

/**
 * The zod schema that validates and normalises a non-null value of `field`
 * (phones to E.164, emails lower-cased, decimals to exact strings…).
 */
export function valueSchema(field: FieldDef): z.ZodType {
  switch (field.type) {
    case 'text':
      return z
        .string()
        .trim()
        .max(field.maxLength ?? 255)
        .refine(noNul, NUL_MESSAGE);
    case 'longText':
      return z
        .string()
        .max(field.maxLength ?? 20_000)
        .refine(noNul, NUL_MESSAGE);
    case 'email':
      return email;
    case 'emails':
      return labelled(email);
    case 'phone':
      return phone;
    case 'phones':
      return labelled(phone);
    case 'url':
      return url;
    case 'integer':
      return z
        .number()
        .int()
        .min(field.min ?? -MAX_SAFE)
        .max(field.max ?? MAX_SAFE);
    case 'decimal':
      return decimalString(6);
    case 'percent':
      return z
        .number()
        .min(field.min ?? -1000)
        .max(field.max ?? 1000)
        .transform((n) => Math.round(n * 10_000) / 10_000);
    case 'money':
      return z
        .object({
          amount: z
            .string({ message: 'must be a decimal string, e.g. "60.07"' })
            .pipe(decimalString(4) as z.ZodType<string, string>),
          currency: z
            .string()
            .trim()
            .toUpperCase()
            .refine((c) => CURRENCIES.has(c), 'must be an ISO 4217 currency code, e.g. EUR'),
        })
        .strict();
    case 'date':
      return z.iso
        .date({ message: 'must be a date YYYY-MM-DD' })
        .refine((d) => !d.startsWith('0000'), 'year must be 0001 or later');
    case 'datetime':
      return z.iso
        .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone' })
        .refine((d) => !d.startsWith('0000'), 'year must be 0001 or later')
        .transform((s) => new Date(s).toISOString());
    case 'boolean':
      return z.boolean();
    case 'select': {
      const values = (field.options ?? []).map((o) => o.value);
      return z.string().refine((v) => values.includes(v), `must be one of: ${values.join(', ')}`);
    }
    case 'multiSelect': {
      const values = (field.options ?? []).map((o) => o.value);
      return z
        .array(z.string().refine((v) => values.includes(v), `must be one of: ${values.join(', ')}`))
        .transform((l) => [...new Set(l)])
        .refine((l) => l.length <= (values.length || 100), 'too many values');
    }
    case 'relation':
      return field.relation?.cardinality === 'many'
        ? z
            .array(z.uuid())
            .max(1000)
            .transform((l) => [...new Set(l)])
        : z.uuid();
    case 'user':
      return z.uuid();
    case 'address':
      return address;
    case 'tags':
      return tags;
    case 'json':
      return z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).superRefine((v, ctx) => {
        let text: string;
        try {
          text = JSON.stringify(v);
        } catch {
          ctx.addIssue({ code: 'custom', message: 'is nested too deeply' });
          return;
        }
        if (text.length > 65_536) ctx.addIssue({ code: 'custom', message: 'must be at most 64 KB of JSON' });
        if (text.includes('\\u0000')) ctx.addIssue({ code: 'custom', message: NUL_MESSAGE });
      });
  }
}

/** The SQL type of a single-column field. */
function sqlTypeOf(field: FieldDef): string {
  switch (field.type) {
    case 'emails':
    case 'phones':
    case 'json':
      return 'jsonb';
    case 'integer':
      return 'bigint';
    case 'decimal':
      return 'numeric';
    case 'percent':
      return 'numeric(12,4)';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamptz';
    case 'boolean':
      return 'boolean';
    case 'multiSelect':
    case 'tags':
      return 'text[]';
    case 'relation':
      return field.relation?.cardinality === 'many' ? 'uuid[]' : 'uuid';
    case 'user':
      return 'uuid';
    default:
      return 'text';
  }
}

const columnsCache = new WeakMap<FieldDef, ColumnSpec[]>();

/** The table columns behind a built-in field (computed once per declaration). */
export function storageColumns(field: FieldDef): ColumnSpec[] {
  let cols = columnsCache.get(field);
  if (!cols) {
    cols = computeColumns(field);
    columnsCache.set(field, cols);
  }
  return cols;
}

function computeColumns(field: FieldDef): ColumnSpec[] {
  const base = columnName(field.name);
  if (field.type === 'money') {
    return [
      { column: `${base}_amount`, sqlType: 'numeric(19,4)', sub: 'amount' },
      { column: `${base}_currency`, sqlType: 'text', sub: 'currency' },
    ];
  }
  if (field.type === 'address') {
    return ADDRESS_PARTS.map((p) => ({
      column: `${base}_${columnName(p)}`,
      sqlType: p === 'latitude' || p === 'longitude' ? 'double precision' : 'text',
      sub: p,
    }));
  }
  return [{ column: base, sqlType: sqlTypeOf(field) }];
}

/**
 * A validated API value → column values for INSERT/UPDATE. JSONB values are
 * serialised unless `asJson` (for rows passed inside a JSON document).
 */
export function toColumns(field: FieldDef, value: unknown, asJson = false): Record<string, unknown> {
  const cols = storageColumns(field);
  if (field.type === 'money' || field.type === 'address') {
    const obj = (value ?? {}) as Record<string, unknown>;
    return Object.fromEntries(cols.map((c) => [c.column, value == null ? null : (obj[c.sub ?? ''] ?? null)]));
  }
  const [col] = cols;
  if (!col) return {};
  if (!asJson && value != null && (field.type === 'emails' || field.type === 'phones' || field.type === 'json')) {
    return { [col.column]: JSON.stringify(value) };
  }
  return { [col.column]: value ?? null };
}

/** A database row → the field's API value. */
export function fromRow(field: FieldDef, row: Record<string, unknown>): unknown {
  const cols = storageColumns(field);
  if (field.type === 'money') {
    const amount = row[cols[0]?.column ?? ''];
    return amount == null ? null : { amount: normaliseDecimal(String(amount)), currency: row[cols[1]?.column ?? ''] };
  }
  if (field.type === 'address') {
    const out = Object.fromEntries(cols.map((c) => [c.sub, row[c.column] ?? null]));
    return Object.values(out).every((v) => v == null) ? null : out;
  }
  const v = row[cols[0]?.column ?? ''];
  if (v == null) return field.type === 'tags' || field.type === 'multiSelect' ? [] : null;
  switch (field.type) {
    case 'integer':
      return Number(v);
    case 'percent':
      return Number(v);
    case 'decimal':
      return normaliseDecimal(String(v));
    case 'datetime':
      return v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();
    case 'date':
      // node-postgres parses a date as local midnight: read it back in local time.
      return v instanceof Date
        ? `${String(v.getFullYear()).padStart(4, '0')}-${String(v.getMonth() + 1).padStart(2, '0')}-${String(v.getDate()).padStart(2, '0')}`
        : String(v).slice(0, 10);
    default:
      return v;
  }
}

/** A custom field's stored JSON value → API value (stored already normalised). */
export function fromCustom(_field: FieldDef, value: unknown): unknown {
  return value === undefined ? null : value;
}

/** The comparison kind of a field, or of one of its sub-fields. */
export function filterKind(field: FieldDef, sub?: string): FilterKind {
  if (field.name === 'id' && !field.customId) return 'uuid';
  switch (field.type) {
    case 'money':
      return sub === 'currency' ? 'text' : 'number';
    case 'address':
      return sub === 'latitude' || sub === 'longitude' ? 'number' : 'text';
    case 'integer':
    case 'decimal':
    case 'percent':
      return 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'boolean':
      return 'boolean';
    case 'user':
      return 'uuid';
    case 'relation':
      return field.relation?.cardinality === 'many' ? 'array' : 'uuid';
    case 'multiSelect':
    case 'tags':
      return 'array';
    case 'emails':
    case 'phones':
      return 'multi';
    case 'json':
      return 'json';
    default:
      return 'text';
  }
}

/** Sub-fields a filter or sort may name (`address.city`, `revenue.currency`). */
export function subFields(field: FieldDef): readonly string[] {
  if (field.type === 'money') return MONEY_PARTS;
  if (field.type === 'address') return ADDRESS_PARTS;
  return [];
}

/** Default sub-field when a composite field is named bare (money → amount). */
export function defaultSub(field: FieldDef): string | undefined {
  return field.type === 'money' ? 'amount' : undefined;
}

export function isSortable(kind: FilterKind): boolean {
  return kind !== 'array' && kind !== 'multi' && kind !== 'json';
}
