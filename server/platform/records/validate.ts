import { checkFieldValue, isEmptyValue, REQUIRED_MESSAGE } from '../../../common/fields/field-values';
import type { FieldError } from '../http/errors';
import type { ObjectSchema } from './object-schema';
import type { FieldDef } from './types';

export type WriteMode = 'create' | 'update';

export interface ValidatedInput {
  /** Built-in fields present in the input, by API name, normalised (null = clear). */
  builtin: Map<FieldDef, unknown>;
  /** Custom fields present in the input, by name, normalised (null = clear). */
  custom: Record<string, unknown>;
  errors: FieldError[];
}

/**
 * Validates a record body against the object's fields (built-in and custom):
 * unknown or read-only fields, wrong types, required fields, object rules.
 * Collects every error with its field path instead of stopping at the first.
 */
export function validateInput(
  schema: ObjectSchema,
  input: unknown,
  mode: WriteMode,
  pathPrefix = '',
  /** `system`: a system write (RecordService.systemWrite), which may set read-only fields. */
  opts: { system?: boolean } = {},
): ValidatedInput {
  const out: ValidatedInput = { builtin: new Map(), custom: {}, errors: [] };
  const at = (p: string) => `${pathPrefix}${p}`;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    out.errors.push({ path: pathPrefix.replace(/\.$/, '') || 'body', message: 'must be a JSON object' });
    return out;
  }
  const body = input as Record<string, unknown>;
  const normalised: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(body)) {
    const field = schema.field(key);
    if (!field) {
      // A key that is the empty string is still named, so the answer says which field it refused.
      out.errors.push({ path: key === '' ? at('""') : at(key), message: 'unknown field' });
      continue;
    }
    if (field.def.readOnly && !(opts.system && key !== 'id' && key !== 'version')) {
      if (key === 'id' || key === 'version') continue; // echoed back by clients: harmless, ignored
      out.errors.push({ path: at(key), message: 'is read-only' });
      continue;
    }
    let value = raw;
    const normalise = schema.def.normalise?.[key];
    if (normalise && typeof value === 'string') value = normalise(value);
    // The same per-field rules the web app's forms apply (common/fields/field-values.ts).
    const checked = checkFieldValue(field.def, value);
    if (!checked.ok) {
      for (const p of checked.problems)
        out.errors.push({ path: at(p.sub ? `${key}.${p.sub}` : key), message: p.message });
      continue;
    }
    value = checked.value;
    if (value === undefined) continue;
    normalised[key] = value;
    if (field.custom) out.custom[key] = value;
    else out.builtin.set(field.def, value);
  }
  if (mode === 'create') {
    for (const f of schema.fields()) {
      if (
        f.def.required &&
        !f.def.readOnly &&
        (normalised[f.def.name] === undefined || isEmptyValue(normalised[f.def.name]))
      ) {
        if (!out.errors.some((e) => e.path === at(f.def.name)))
          out.errors.push({ path: at(f.def.name), message: REQUIRED_MESSAGE });
      }
    }
  }
  if (out.errors.length === 0 && schema.def.validate) {
    for (const e of schema.def.validate(normalised, mode, opts))
      out.errors.push({ path: at(e.path), message: e.message });
  }
  return out;
}
