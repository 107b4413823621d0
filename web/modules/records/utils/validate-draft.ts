import { checkFieldValue, isFieldType, REQUIRED_MESSAGE } from '../../../../common/fields/field-values';
import type { FieldMeta } from '../../objects/api/objects.api';
import { type Draft, fromDraft, sameValue } from './form-values';

export type FormMode = 'create' | 'update';

/** Blank as the create form sees it: nothing typed (such values are not sent at all). */
export const isBlank = (v: unknown) =>
  v === null || v === undefined || v === false || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * What is wrong with a field's draft, in the API's own words (the server validates with
 * the same schemas, common/fields/field-values.ts), or null when it may be sent.
 * Uniqueness and references are left to the server, which alone knows them.
 */
export function draftProblem(field: FieldMeta, draft: Draft, mode: FormMode, previous?: unknown): string | null {
  const parsed = fromDraft(field, draft, previous);
  if (!parsed.ok) return parsed.error;
  const value = parsed.value;
  if (mode === 'create' && isBlank(value)) return field.required ? REQUIRED_MESSAGE : null;
  // Unchanged values are not sent, so they cannot be refused.
  if (mode === 'update' && sameValue(value, previous)) return null;
  if (!isFieldType(field.type)) return null;
  const checked = checkFieldValue({ ...field, type: field.type }, value);
  if (checked.ok) return null;
  const [first] = checked.problems;
  if (!first) return null;
  // Shown like the API's `errors[].path` below the field (useFieldErrors): "amount: …".
  return first.sub ? `${first.sub}: ${first.message}` : first.message;
}
