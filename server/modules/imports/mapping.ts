import { ADDRESS_PARTS } from '../../../common/fields/field-values';
import type { ObjectSchema } from '../../platform/records/object-schema';
import type { FieldDef } from '../../platform/records/types';
import type { MappingEntry } from './presets';

export const EXTERNAL_ID = '@externalId';

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Country names (English) and ISO codes to ISO 3166-1 alpha-2: "France", "FR", "United States" → "US". */
const NOT_COUNTRIES = new Set(
  'AC AN BU CP CS DD DG DY EA EU EZ FX HV IC NH NT QO RH SU TA TP UK UN VD YD YU ZR XA XB XK ZZ'.split(' '),
);

const COUNTRIES: Map<string, string> = (() => {
  const names = new Intl.DisplayNames(['en'], { type: 'region' });
  const out = new Map<string, string>();
  for (let a = 65; a <= 90; a++) {
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      let name: string | undefined;
      try {
        name = names.of(code);
      } catch {
        name = undefined;
      }
      // Deprecated and reserved codes (DD, UK, EU…) share names with assigned ones: skipped.
      if (name && name !== code && !NOT_COUNTRIES.has(code)) {
        out.set(norm(name), code);
        out.set(norm(code), code);
      }
    }
  }
  for (const [alias, code] of [
    ['usa', 'US'],
    ['unitedstatesofamerica', 'US'],
    ['uk', 'GB'],
    ['kosovo', 'XK'],
    ['england', 'GB'],
    ['greatbritain', 'GB'],
    ['deutschland', 'DE'],
    ['espana', 'ES'],
    ['españa', 'ES'],
    ['holland', 'NL'],
    ['russia', 'RU'],
    ['southkorea', 'KR'],
  ] as const)
    out.set(norm(alias), code);
  return out;
})();

export const countryCode = (v: string): string | null => COUNTRIES.get(norm(v)) ?? null;

/** Header words that name a field under another name. */
const SYNONYMS: Record<string, string> = {
  emailaddress: 'email',
  mail: 'email',
  phonenumber: 'phone',
  telephone: 'phone',
  tel: 'phone',
  mobile: 'phones',
  mobilephone: 'phones',
  mobilephonenumber: 'phones',
  jobtitle: 'title',
  position: 'title',
  firstname: 'firstName',
  givenname: 'firstName',
  lastname: 'lastName',
  surname: 'lastName',
  familyname: 'lastName',
  owner: 'ownerId',
  owneremail: 'ownerId',
  street: 'address.street',
  streetaddress: 'address.street',
  address: 'address.street',
  city: 'address.city',
  town: 'address.city',
  state: 'address.region',
  region: 'address.region',
  province: 'address.region',
  stateregion: 'address.region',
  zip: 'address.postalCode',
  zipcode: 'address.postalCode',
  postcode: 'address.postalCode',
  postalcode: 'address.postalCode',
  country: 'address.country',
  countryregion: 'address.country',
  notes: 'description',
  externalid: EXTERNAL_ID,
  recordid: EXTERNAL_ID,
};

/** Fields a file may set: writable ones of the caller's view of the object. */
export function writableFields(schema: ObjectSchema): FieldDef[] {
  return schema
    .fields()
    .map((f) => f.def)
    .filter((f) => !f.readOnly && !['id', 'version', 'createdAt', 'updatedAt', 'deletedAt'].includes(f.name));
}

const SHAPES: [RegExp, string[]][] = [
  [/^[^\s@]+@[^\s@]+\.[^\s@]+$/, ['email']],
  [/^\+\d[\d\s().-]{6,}$/, ['phone', 'phones']],
  [/^(https?:\/\/|www\.)\S+$/i, ['website']],
];

/** The field a column's values look like (most of the sample's non-empty cells are emails, phones, links). */
function fieldByShape(values: string[]): string[] {
  const cells = values.map((v) => v.trim()).filter(Boolean);
  if (cells.length === 0) return [];
  for (const [re, fields] of SHAPES) {
    if (cells.filter((c) => re.test(c)).length >= Math.ceil(cells.length * 0.8)) return fields;
  }
  return [];
}

/**
 * A mapping from the header and the first rows: a column whose name is a field's name or
 * label (or a common other name: "E-mail address", "Zip", "Company") goes to that field;
 * then a column no name matched whose values look like emails, phone numbers or links goes
 * to the email, phone or website field still free. Each field once (but other phones).
 */
export function suggestMapping(
  schema: ObjectSchema,
  header: string[],
  sample: Record<string, string>[] = [],
): MappingEntry[] {
  const fields = writableFields(schema);
  const byKey = new Map<string, string>();
  for (const f of fields) {
    byKey.set(norm(f.name), f.name);
    byKey.set(norm(f.label), f.name);
    if (f.type === 'relation' && f.relation?.cardinality === 'one') {
      byKey.set(norm(f.name.replace(/Id$/, '')), f.name);
      byKey.set(norm(`${f.label} name`), f.name);
    }
    if (f.type === 'user') byKey.set(norm(f.label.replace(/ id$/i, '')), f.name);
  }
  if (schema.field('accountId')) {
    byKey.set('company', 'accountId');
    byKey.set('companyname', 'accountId');
    byKey.set('organisation', 'accountId');
    byKey.set('organization', 'accountId');
    byKey.set('accountname', 'accountId');
  }
  const used = new Set<string>();
  const out: MappingEntry[] = [];
  for (const column of header) {
    const key = norm(column);
    let field = byKey.get(key) ?? SYNONYMS[key];
    if (!field) continue;
    if (field.startsWith('address.') && !schema.field('address')) continue;
    if (!field.startsWith('address.') && field !== EXTERNAL_ID && !fields.some((f) => f.name === field)) continue;
    const def = schema.field(field)?.def;
    // A multi-value field may take several columns; anything else the first one.
    if (used.has(field) && def?.type !== 'phones' && def?.type !== 'emails') continue;
    if (field === 'phones' && !used.has('phone') && schema.field('phone')) field = 'phone';
    used.add(field);
    const by = def?.type === 'relation' ? ('name' as const) : undefined;
    out.push({ column, field, ...(by ? { by } : {}) });
  }
  for (const column of header) {
    if (out.some((e) => e.column === column)) continue;
    const field = fieldByShape(sample.map((r) => r[column] ?? '')).find(
      (f) => fields.some((d) => d.name === f) && (!used.has(f) || f === 'phones'),
    );
    if (!field) continue;
    used.add(field);
    out.push({ column, field });
  }
  return out;
}

/** A mapping as the API takes it ({ header: field | { field, by } | null }) checked against the schema. */
export function mappingFromInput(
  schema: ObjectSchema,
  input: Record<string, string | { field: string; by?: MappingEntry['by'] } | null>,
): { entries: MappingEntry[]; errors: { path: string; message: string }[] } {
  const fields = new Map(writableFields(schema).map((f) => [f.name, f]));
  const entries: MappingEntry[] = [];
  const errors: { path: string; message: string }[] = [];
  for (const [column, target] of Object.entries(input)) {
    if (target == null) continue;
    const t = typeof target === 'string' ? { field: target } : target;
    const path = `mapping.${column}`;
    if (t.field === EXTERNAL_ID) {
      entries.push({ column, field: t.field });
      continue;
    }
    if (t.field.startsWith('address.')) {
      const part = t.field.slice('address.'.length);
      if (!fields.has('address') || !(ADDRESS_PARTS as readonly string[]).includes(part)) {
        errors.push({
          path,
          message: `"${t.field}" is not an address part of ${schema.def.labelPlural.toLowerCase()}`,
        });
      } else entries.push({ column, field: t.field });
      continue;
    }
    const f = fields.get(t.field);
    if (!f) {
      errors.push({
        path,
        message: `"${t.field}" is not a field you can set on ${schema.def.labelPlural.toLowerCase()}`,
      });
      continue;
    }
    if (t.by && f.type !== 'relation' && f.type !== 'user') {
      errors.push({ path, message: `"by" applies only to a relation or a person field` });
      continue;
    }
    entries.push({ column, field: t.field, ...(t.by ? { by: t.by } : {}) });
  }
  return { entries, errors };
}

/** A related record (or person) a cell names, to be found in the batch's lookups. */
export interface Reference {
  field: string;
  /** The related object, or "users" for people. */
  object: string;
  column: string;
  value: string;
  by?: MappingEntry['by'];
  /** Not found: leave the field out rather than fail the row (a preset's owner column). */
  lenient?: boolean;
}

export interface ConvertedRow {
  record: Record<string, unknown>;
  externalId: string | null;
  /** Per relation or person field, the cells naming it, in mapping order (the first found wins). */
  references: Map<string, Reference[]>;
  errors: { column: string; message: string }[];
}

/** Currency symbols an amount may start with, as ISO 4217 codes. */
const CURRENCY_SYMBOLS: Record<string, string> = { $: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY' };

const TRUE = new Set(['true', 'yes', 'y', '1', 'x', 'on', 'oui', 'ja', 'si', 'sí']);
const FALSE = new Set(['false', 'no', 'n', '0', 'off', 'non', 'nein', '']);

/** An Excel serial date (days since 1899-12-30) as YYYY-MM-DD. */
const serialDate = (n: number) => new Date(Math.round((n - 25569) * 86_400_000)).toISOString().slice(0, 10);

function toDate(v: string): string | null {
  const s = v.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(s);
  if (m) return `${m[1]}-${(m[2] as string).padStart(2, '0')}-${(m[3] as string).padStart(2, '0')}`;
  m = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(s);
  if (m) return `${m[1]}-${(m[2] as string).padStart(2, '0')}-${(m[3] as string).padStart(2, '0')}`;
  // Day first (15.01.2024, 15/01/2024) unless the first number cannot be a day's month… kept simple:
  // dots are day-first (European); slashes are month-first when the first number is ≤ 12 (US exports).
  m = /^(\d{1,2})([./])(\d{1,2})\2(\d{4})$/.exec(s);
  if (m) {
    let [day, month] = [Number(m[1]), Number(m[3])];
    if (m[2] === '/' && day <= 12) [day, month] = [month, day];
    return `${m[4]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  }
  if (/^\d{5}(\.\d+)?$/.test(s)) return serialDate(Number(s));
  return null;
}

function toDateTime(v: string): string | null {
  const s = v.trim();
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(s)) {
    const iso = s.replace(' ', 'T');
    const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`;
    const d = new Date(withZone);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  const date = toDate(s);
  if (date) return `${date}T00:00:00.000Z`;
  if (/^\d{12,13}$/.test(s)) return new Date(Number(s)).toISOString(); // epoch milliseconds (HubSpot API exports)
  return null;
}

function selectValue(f: FieldDef, v: string, entry: MappingEntry): string | null {
  const key = v.trim().toLowerCase();
  const mapped = entry.values?.[key];
  if (mapped) return mapped;
  for (const o of f.options ?? []) {
    if (o.value.toLowerCase() === key || o.label.toLowerCase() === key || norm(o.label) === norm(key)) return o.value;
  }
  return null;
}

/**
 * One row's cells as record input (the record engine validates the values), the external
 * id, the references to resolve, and the errors of cells that cannot be read as their field
 * (a date that is no date), each naming its column.
 */
export function convertRow(
  schema: ObjectSchema,
  mapping: MappingEntry[],
  values: Record<string, string>,
  base: Record<string, unknown> = {},
): ConvertedRow {
  const record: Record<string, unknown> = { ...base };
  const references = new Map<string, Reference[]>();
  const errors: { column: string; message: string }[] = [];
  let externalId: string | null = null;
  for (const entry of mapping) {
    const raw = values[entry.column];
    if (raw == null) continue;
    const v = raw.trim();
    if (v === '') continue;
    if (entry.field === EXTERNAL_ID) {
      externalId = v.slice(0, 200);
      continue;
    }
    if (entry.field.startsWith('address.')) {
      const part = entry.field.slice('address.'.length);
      const address = (record.address ?? {}) as Record<string, unknown>;
      if (part === 'country') {
        const code = countryCode(v);
        if (!code) {
          errors.push({
            column: entry.column,
            message: `"${v}" is not a country we know; use a name or ISO code, e.g. FR`,
          });
          continue;
        }
        address.country = code;
      } else if (part === 'latitude' || part === 'longitude') {
        const n = Number(v.replace(',', '.'));
        if (!Number.isFinite(n)) {
          errors.push({ column: entry.column, message: 'must be a number' });
          continue;
        }
        address[part] = n;
      } else address[part] = v;
      record.address = address;
      continue;
    }
    const f = schema.field(entry.field)?.def;
    if (!f) continue;
    switch (f.type) {
      case 'relation':
      case 'user': {
        const object = f.type === 'user' ? (f.name === 'teamId' ? 'teams' : 'users') : (f.relation?.object as string);
        const list = references.get(f.name) ?? [];
        list.push({ field: f.name, object, column: entry.column, value: v, by: entry.by, lenient: entry.lenient });
        references.set(f.name, list);
        break;
      }
      case 'integer':
      case 'percent': {
        const n = Number(
          v
            .replace(/[\s,](?=\d{3}\b)/g, '')
            .replace(',', '.')
            .replace(/%$/, ''),
        );
        if (!Number.isFinite(n) || (f.type === 'integer' && !Number.isInteger(n)))
          errors.push({
            column: entry.column,
            message: `"${v}" is not ${f.type === 'integer' ? 'a whole number' : 'a number'}`,
          });
        else record[f.name] = n;
        break;
      }
      case 'decimal': {
        const n = v.replace(/\s/g, '').replace(',', '.');
        if (!/^-?\d+(\.\d+)?$/.test(n)) errors.push({ column: entry.column, message: `"${v}" is not a number` });
        else record[f.name] = n;
        break;
      }
      case 'money': {
        // "1200.50 EUR", "EUR 1,200.50", "$1,200.50", or a bare amount with a currency column (presets).
        const symbol = /^([$€£¥])\s*/.exec(v)?.[1];
        const m = /^([A-Za-z]{3})?\s*(-?[\d\s.,]+?)\s*([A-Za-z]{3})?$/.exec(symbol ? v.slice(symbol.length).trim() : v);
        const fromColumn = entry.currencyColumn ? values[entry.currencyColumn]?.trim() : undefined;
        const currency = (
          m?.[1] ??
          m?.[3] ??
          (symbol ? CURRENCY_SYMBOLS[symbol] : undefined) ??
          fromColumn
        )?.toUpperCase();
        const amount = m?.[2]
          ?.replace(/\s/g, '')
          .replace(/,(?=\d{3}\b)/g, '')
          .replace(',', '.');
        if (!m || !currency || !amount || !/^-?\d+(\.\d+)?$/.test(amount))
          errors.push({ column: entry.column, message: `"${v}" needs an amount and a currency, e.g. 1200.50 EUR` });
        else record[f.name] = { amount, currency };
        break;
      }
      case 'boolean': {
        const key = v.toLowerCase();
        if (TRUE.has(key)) record[f.name] = true;
        else if (FALSE.has(key)) record[f.name] = false;
        else errors.push({ column: entry.column, message: `"${v}" is not yes or no` });
        break;
      }
      case 'date': {
        const d = toDate(v);
        if (d) record[f.name] = d;
        else errors.push({ column: entry.column, message: `"${v}" is not a date (YYYY-MM-DD)` });
        break;
      }
      case 'datetime': {
        const d = toDateTime(v);
        if (d) record[f.name] = d;
        else errors.push({ column: entry.column, message: `"${v}" is not a date and time` });
        break;
      }
      case 'select': {
        const s = selectValue(f, v, entry);
        if (s) record[f.name] = s;
        else if (!entry.lenient)
          errors.push({
            column: entry.column,
            message: `"${v}" must be one of: ${(f.options ?? []).map((o) => o.label).join(', ')}`,
          });
        break;
      }
      case 'multiSelect':
      case 'tags': {
        const parts = v
          .split(/[;,]/)
          .map((p) => p.trim())
          .filter(Boolean);
        if (f.type === 'tags') {
          record[f.name] = [...((record[f.name] as string[]) ?? []), ...parts];
          break;
        }
        const out: string[] = [];
        for (const p of parts) {
          const s = selectValue(f, p, entry);
          if (s) out.push(s);
          else if (!entry.lenient) errors.push({ column: entry.column, message: `"${p}" is not an option` });
        }
        record[f.name] = out;
        break;
      }
      case 'emails':
      case 'phones': {
        const parts = v
          .split(/[;,]/)
          .map((p) => p.trim())
          .filter(Boolean);
        record[f.name] = [...((record[f.name] as unknown[]) ?? []), ...parts.map((value) => ({ value }))];
        break;
      }
      case 'json':
        try {
          record[f.name] = JSON.parse(v);
        } catch {
          errors.push({ column: entry.column, message: 'is not valid JSON' });
        }
        break;
      default:
        if (record[f.name] === undefined) record[f.name] = v;
    }
  }
  return { record, externalId, references, errors };
}
