import { sealValue } from '../crypto/field-crypto';
import { isEncrypted } from './field-types';
import type { ObjectSchema } from './object-schema';

/** What the audit log keeps of an encrypted field's value: whether it was set, never the value. */
export const REDACTED = '[encrypted]';

/**
 * Custom field values → their stored form: an encrypted field's value becomes
 * `{ sealed, bidx }` (crypto/field-crypto.ts); null (clear) and other fields stay as they are.
 */
export function sealCustom(schema: ObjectSchema, custom: Record<string, unknown>): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(custom)) {
    const f = schema.field(name);
    if (!f?.custom || !isEncrypted(f.def) || value == null) continue;
    out ??= { ...custom };
    out[name] = sealValue(schema.def.table, name, value);
  }
  return out ?? custom;
}

/** Audit-log changes with the values of encrypted fields replaced by REDACTED. */
export function redactEncrypted(
  schema: ObjectSchema,
  changes: Record<string, [unknown, unknown]>,
): Record<string, [unknown, unknown]> {
  let out: Record<string, [unknown, unknown]> | undefined;
  for (const [name, [from, to]] of Object.entries(changes)) {
    const f = schema.field(name);
    if (!f || !isEncrypted(f.def)) continue;
    out ??= { ...changes };
    out[name] = [from == null ? null : REDACTED, to == null ? null : REDACTED];
  }
  return out ?? changes;
}
