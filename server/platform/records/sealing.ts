import { sealValue } from '../crypto/field-crypto';
import { isEncrypted } from './field-types';
import type { ObjectSchema } from './object-schema';

/**
 * What the audit log and the event log keep of an encrypted field's value: whether it was set,
 * never the value (null stays null).
 */
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

/**
 * A record event's data (`record`, `changes`) with the values of encrypted fields replaced by
 * REDACTED. Events outlive the request and are copied on (webhook delivery bodies, workflow runs'
 * trigger data, notifications, timelines), so they never hold such a value; consumers that need it
 * read the record through the engine (ARCHITECTURE.md, "Sensitive fields"). `schema`: the object's
 * full schema (every field, whoever the caller).
 */
export function redactEventData(schema: ObjectSchema, data: Record<string, unknown>): Record<string, unknown> {
  const encrypted = schema
    .fields()
    .filter((f) => isEncrypted(f.def))
    .map((f) => f.def.name);
  if (encrypted.length === 0) return data;
  const out = { ...data };
  const record = data.record as Record<string, unknown> | null | undefined;
  if (record && typeof record === 'object') {
    out.record = Object.fromEntries(
      Object.entries(record).map(([k, v]) => [k, encrypted.includes(k) && v != null ? REDACTED : v]),
    );
  }
  const changes = data.changes as Record<string, [unknown, unknown]> | null | undefined;
  if (changes && typeof changes === 'object') out.changes = redactEncrypted(schema, changes);
  return out;
}
