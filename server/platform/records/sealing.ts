import { sealValue } from '../crypto/field-crypto';
import { isEncrypted } from './field-types';
import type { ObjectSchema } from './object-schema';
import type { FieldDef } from './types';

/**
 * What the audit log and the event log keep of a sensitive field's value: whether it was set,
 * never the value (null stays null). One marker for every sensitive field, encrypted at rest or
 * not (a custom field marked sensitive, the staff directory's private fields, a contact's
 * birthday and social profiles), so a receiver has one thing to recognise.
 */
export const REDACTED = '[encrypted]';

/**
 * Whether a field's values are withheld from the audit and event logs: every sensitive field.
 * Encrypted ones because they are (a copy in the clear would undo it), the built-in sensitive
 * fields that stay in the clear at rest (they need range filters, sorting, date triggers or
 * SQL lookups: ARCHITECTURE.md, "Sensitive fields") because events are copied on to places
 * the record's permissions do not follow.
 */
export const isWithheld = (def: FieldDef): boolean => !!def.sensitive;

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

/** Audit-log changes with the values of sensitive fields replaced by REDACTED. */
export function redactSensitive(
  schema: ObjectSchema,
  changes: Record<string, [unknown, unknown]>,
): Record<string, [unknown, unknown]> {
  let out: Record<string, [unknown, unknown]> | undefined;
  for (const [name, [from, to]] of Object.entries(changes)) {
    const f = schema.field(name);
    if (!f || !isWithheld(f.def)) continue;
    out ??= { ...changes };
    out[name] = [from == null ? null : REDACTED, to == null ? null : REDACTED];
  }
  return out ?? changes;
}

/**
 * A record event's data (`record`, `changes`) with the values of sensitive fields replaced by
 * REDACTED. Events outlive the request and are copied on (webhook delivery bodies, workflow runs'
 * trigger data, notifications, timelines), so they never hold such a value; consumers that need it
 * read the record through the engine (ARCHITECTURE.md, "Sensitive fields"). `schema`: the object's
 * full schema (every field, whoever the caller).
 */
export function redactEventData(schema: ObjectSchema, data: Record<string, unknown>): Record<string, unknown> {
  const withheld = schema
    .fields()
    .filter((f) => isWithheld(f.def))
    .map((f) => f.def.name);
  if (withheld.length === 0) return data;
  const out = { ...data };
  const record = data.record as Record<string, unknown> | null | undefined;
  if (record && typeof record === 'object') {
    out.record = Object.fromEntries(
      Object.entries(record).map(([k, v]) => [k, withheld.includes(k) && v != null ? REDACTED : v]),
    );
  }
  const changes = data.changes as Record<string, [unknown, unknown]> | null | undefined;
  if (changes && typeof changes === 'object') out.changes = redactSensitive(schema, changes);
  return out;
}
