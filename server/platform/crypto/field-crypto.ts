import { ENCRYPTABLE_TYPES } from '../../../common/fields/field-values';
import { SecretBox } from './secret-box';

/**
 * Encryption at rest of sensitive record fields (ARCHITECTURE.md, "Sensitive fields").
 *
 * A sensitive field's value is stored as `SecretBox.seal(JSON.stringify(value))` under
 * the instance key ring, bound to the table and field (not the row: merging and
 * restoring records copy values between rows), beside a keyed blind index
 * (HMAC-SHA256 under a key derived for that purpose) that equality filters compare.
 * Built-in fields keep both in text columns (`<column>`, `<column>_bidx`); custom fields
 * keep `{ "sealed": …, "bidx": … }` under their name in `custom`.
 *
 * The record engine reaches the ring through this module (set once at start-up by
 * loadSecretBox): presenting a row is synchronous and happens in many places.
 */
let box: SecretBox | undefined;

export function setFieldBox(b: SecretBox): void {
  box = b;
}

export function fieldBox(): SecretBox {
  if (!box) throw new Error('the encryption keys are not loaded (loadSecretBox runs at start-up)');
  return box;
}

/** Types whose values can be encrypted (common/, so the web's custom-field editor follows it too). */
export { ENCRYPTABLE_TYPES };

/** The filter operators an encrypted field takes: equality through the blind index, and presence. */
export const ENCRYPTED_OPERATORS = ['eq', 'in', 'isEmpty', 'isNotEmpty'] as const;

/** What a sealed value is bound to: `record:<table>.<field>` (built-in and custom alike). */
export const fieldContext = (table: string, field: string) => `record:${table}.${field}`;

/** The stored form of a value (JSON inside, so every type comes back as it went in). */
export function sealValue(table: string, field: string, value: unknown): { sealed: string; bidx: string } {
  const b = fieldBox();
  const context = fieldContext(table, field);
  return { sealed: b.seal(JSON.stringify(value), context), bidx: b.blindIndex(canonical(value), context) };
}

/** The value from its stored form; a plain value (written before the field was encrypted) is taken as it is. */
export function openValue(table: string, field: string, stored: unknown): unknown {
  if (typeof stored !== 'string' || !SecretBox.isSealed(stored)) return stored;
  return JSON.parse(fieldBox().open(stored, fieldContext(table, field)));
}

/** A custom field's stored value: `{ sealed, bidx }`. */
export function openCustomValue(table: string, field: string, stored: unknown): unknown {
  if (stored && typeof stored === 'object' && 'sealed' in stored) {
    return openValue(table, field, (stored as { sealed: unknown }).sealed);
  }
  return stored ?? null;
}

/** The blind indexes a filter value matches under every key of the ring (values not yet re-indexed after a rotation too). */
export function blindIndexesOf(table: string, field: string, value: unknown): string[] {
  return fieldBox().blindIndexes(canonical(value), fieldContext(table, field));
}

/** The blind index input: the value as validation normalised it (emails lower-cased, phones E.164). */
const canonical = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
