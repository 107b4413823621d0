import type { z } from 'zod';
import {
  ADDRESS_PARTS,
  MONEY_PARTS,
  normaliseDecimal,
  valueSchema as sharedValueSchema,
} from '../../../common/fields/field-values';
import type { FilterKind } from '../../../common/filter';
import { ENCRYPTABLE_TYPES, sealValue } from '../crypto/field-crypto';
import { columnName, type FieldDef } from './types';

/** Whether a field's values are encrypted at rest (crypto/field-crypto.ts). */
export function isEncrypted(field: FieldDef): boolean {
  return !!field.encrypted && !!field.sensitive && ENCRYPTABLE_TYPES.has(field.type);
}

// The value schemas live in common/ so the web app validates with the very same rules.
export {
  ADDRESS_PARTS,
  AUTO_GEO_SOURCES,
  GEO_PRECISIONS,
  GEO_SOURCES,
  MONEY_PARTS,
  normaliseDecimal,
} from '../../../common/fields/field-values';

/**
 * The zod schema that validates and normalises a non-null value of `field`
 * (phones to E.164, emails lower-cased, decimals to exact strings…).
 */
export function valueSchema(field: FieldDef): z.ZodType {
  return sharedValueSchema(field);
}

/** One database column behind a field (money and address have several: one per sub-field). */
export interface ColumnSpec {
  column: string;
  sqlType: string;
  /** Sub-field name (money.amount, address.city); absent for single-column fields. */
  sub?: string;
  /** The blind index beside an encrypted field's ciphertext (equality filters). */
  blindIndex?: boolean;
}

// How fields compare in filters lives in common/ so the web app's filter builder offers the same operators.
export { type FilterKind, filterKind } from '../../../common/filter';

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
  if (isEncrypted(field)) {
    return [
      { column: base, sqlType: 'text' },
      { column: `${base}_bidx`, sqlType: 'text', blindIndex: true },
    ];
  }
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
 * serialised unless `asJson` (for rows passed inside a JSON document). An encrypted
 * field's value is sealed for `table` (its ciphertext and blind index columns).
 */
export function toColumns(field: FieldDef, value: unknown, asJson = false, table = ''): Record<string, unknown> {
  const cols = storageColumns(field);
  if (isEncrypted(field)) {
    const [col, bidx] = cols as [ColumnSpec, ColumnSpec];
    if (!table) throw new Error(`toColumns: the table of encrypted field ${field.name} is needed`);
    if (value == null) return { [col.column]: null, [bidx.column]: null };
    const s = sealValue(table, field.name, value);
    return { [col.column]: s.sealed, [bidx.column]: s.bidx };
  }
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
  return kind !== 'array' && kind !== 'multi' && kind !== 'json' && kind !== 'geo';
}
