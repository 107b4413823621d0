import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { z } from 'zod';
import { humanIssueMessage } from '../validation-messages';

/**
 * The value rules of every field type, shared by the server (record engine) and the web
 * app's forms, so a value is refused in the browser with the very words the API uses.
 * Pure and browser-safe: no database, no Node APIs.
 */

export const FIELD_TYPES = [
  'text',
  'longText',
  'email',
  'emails',
  'phone',
  'phones',
  'url',
  'integer',
  'decimal',
  'money',
  'percent',
  'date',
  'datetime',
  'boolean',
  'select',
  'multiSelect',
  'relation',
  'user',
  'address',
  'tags',
  'json',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const isFieldType = (t: string): t is FieldType => (FIELD_TYPES as readonly string[]).includes(t);

/**
 * Types whose values can be encrypted at rest (a field marked sensitive): one column or one JSON
 * value (not money, address, links or lists of options). The server's field crypto and the web's
 * custom-field editor both follow it.
 */
export const ENCRYPTABLE_TYPES: ReadonlySet<FieldType> = new Set<FieldType>([
  'text',
  'longText',
  'email',
  'emails',
  'phone',
  'phones',
  'url',
  'integer',
  'decimal',
  'percent',
  'date',
  'datetime',
  'select',
  'json',
]);

/**
 * What value validation needs to know about a field: the server's FieldDef and the
 * web app's field metadata (GET /api/v1/objects, where absent settings are null) both fit.
 */
export interface FieldValueSpec {
  type: FieldType;
  required?: boolean | null;
  maxLength?: number | null;
  min?: number | null;
  max?: number | null;
  options?: readonly { value: string }[] | null;
  relation?: { cardinality: 'one' | 'many' } | null;
}

export const ADDRESS_PARTS = [
  'street',
  'city',
  'region',
  'postalCode',
  'country',
  'latitude',
  'longitude',
  'geoPrecision',
  'geoSource',
] as const;
/** How precise an address's coordinates are: a city's centre, a postal code's, the street, or set by hand. */
export const GEO_PRECISIONS = ['city', 'postal', 'street', 'manual'] as const;
/**
 * Where an address's coordinates came from: the bundled gazetteer, the configured online
 * geocoder, a person, or an import. Only the first two are ever replaced by the geocoder.
 */
export const GEO_SOURCES = ['gazetteer', 'geocoder', 'user', 'import'] as const;
export const AUTO_GEO_SOURCES: readonly string[] = ['gazetteer', 'geocoder'];
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
    geoPrecision: z.enum(GEO_PRECISIONS).nullish(),
    geoSource: z.enum(GEO_SOURCES).nullish(),
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
  .transform((a) => {
    const out: Record<string, unknown> = Object.fromEntries(
      ADDRESS_PARTS.map((p) => [p, a[p] === '' ? null : (a[p] ?? null)]),
    );
    // Coordinates carry where they came from; without a word, they were set by hand.
    if (out.latitude == null) {
      out.geoPrecision = null;
      out.geoSource = null;
    } else {
      out.geoPrecision ??= 'manual';
      out.geoSource ??= 'user';
    }
    return out;
  });

/** Tags are case-insensitive labels: trimmed, lower-cased, de-duplicated. */
const tags = z
  .array(z.string().trim().min(1).max(64).refine(noNul, NUL_MESSAGE))
  .refine((l) => l.length <= 100, 'at most 100 tags')
  .transform((list) => [...new Set(list.map((t) => t.toLowerCase()))]);

/**
 * The zod schema that validates and normalises a non-null value of `field`
 * (phones to E.164, emails lower-cased, decimals to exact strings…).
 */
export function valueSchema(field: FieldValueSpec): z.ZodType {
  // Building a zod schema costs far more than running it (a batch of 1,000 records
  // validates ~10,000 values), so each distinct field spec builds its schema once.
  let schema = schemaByField.get(field);
  if (schema) return schema;
  const key = JSON.stringify([
    field.type,
    field.maxLength,
    field.min,
    field.max,
    field.options?.map((o) => o.value),
    field.relation?.cardinality,
  ]);
  schema = schemaBySpec.get(key);
  if (!schema) {
    schema = buildValueSchema(field);
    if (schemaBySpec.size >= 10_000) schemaBySpec.clear();
    schemaBySpec.set(key, schema);
  }
  schemaByField.set(field, schema);
  return schema;
}

const schemaByField = new WeakMap<FieldValueSpec, z.ZodType>();
const schemaBySpec = new Map<string, z.ZodType>();

function buildValueSchema(field: FieldValueSpec): z.ZodType {
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

/** A field problem with its path below the field (`amount` of a money field), empty for the field itself. */
export interface ValueProblem {
  sub: string;
  message: string;
}

export type CheckedValue = { ok: true; value: unknown } | { ok: false; problems: ValueProblem[] };

export const REQUIRED_MESSAGE = 'is required';
export const REQUIRED_NOT_EMPTY_MESSAGE = 'is required and cannot be empty';

/** Empty as far as "required" goes: null, '' or []. */
export const isEmptyValue = (v: unknown) => v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * Validates and normalises one present value of a field (null clears it): the type's
 * schema, '' as null, and "required" fields not emptied. What the API does per field.
 */
export function checkFieldValue(field: FieldValueSpec, raw: unknown): CheckedValue {
  let value = raw;
  if (value !== null && value !== undefined) {
    const parsed = valueSchema(field).safeParse(value);
    if (!parsed.success) {
      return {
        ok: false,
        problems: parsed.error.issues.map((i) => ({ sub: i.path.join('.'), message: humanIssueMessage(i) })),
      };
    }
    value = parsed.data;
  }
  if (typeof value === 'string' && value === '') value = null;
  if (field.required && value !== undefined && isEmptyValue(value)) {
    return { ok: false, problems: [{ sub: '', message: REQUIRED_NOT_EMPTY_MESSAGE }] };
  }
  return { ok: true, value };
}
