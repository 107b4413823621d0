import type { FieldDef } from '../../platform/records/types';

/**
 * The polymorphic link of an activity (task, meeting, note, interaction) to any
 * record: `relatedObject` (an object's API name) + `relatedId`. The record engine
 * checks through `ObjectDef.references` that the pair names a live record the
 * writer can see; the timeline of that record lists the activity.
 */
export const RELATED_FIELDS: FieldDef[] = [
  { name: 'relatedObject', type: 'text', label: 'Related object', maxLength: 63, hidden: true },
  { name: 'relatedId', type: 'text', label: 'Related record', maxLength: 36, indexed: true, hidden: true },
];

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OBJECT_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Both or neither, well formed. */
export function validateRelated(record: Record<string, unknown>): { path: string; message: string }[] {
  const hasObject = record.relatedObject !== undefined;
  const hasId = record.relatedId !== undefined;
  if (hasObject !== hasId) {
    return [{ path: hasObject ? 'relatedId' : 'relatedObject', message: 'relatedObject and relatedId go together' }];
  }
  const o = record.relatedObject;
  const id = record.relatedId;
  if ((o === null) !== (id === null))
    return [{ path: 'relatedId', message: 'clear relatedObject and relatedId together' }];
  const errors: { path: string; message: string }[] = [];
  if (typeof o === 'string' && !OBJECT_NAME.test(o))
    errors.push({ path: 'relatedObject', message: 'must be an object name such as contacts' });
  if (typeof id === 'string' && !UUID.test(id))
    errors.push({ path: 'relatedId', message: 'must be a record id (uuid)' });
  return errors;
}

/** The related record as a reference for the engine to check. */
export function relatedReference(values: Record<string, unknown>): { path: string; object: string; ids: string[] }[] {
  const o = values.relatedObject;
  const id = values.relatedId;
  return typeof o === 'string' && typeof id === 'string'
    ? [{ path: 'relatedId', object: o, ids: [id.toLowerCase()] }]
    : [];
}

/** A JSON list of workspace members (meeting attendees, interaction participants). */
export function validateUserList(record: Record<string, unknown>, field: string): { path: string; message: string }[] {
  const v = record[field];
  if (v == null) return [];
  if (!Array.isArray(v) || v.length > 100 || !v.every((x) => typeof x === 'string' && UUID.test(x))) {
    return [{ path: field, message: 'must be a list of at most 100 user ids' }];
  }
  return [];
}

export function userListReference(values: Record<string, unknown>, field: string) {
  const v = values[field];
  return Array.isArray(v) && v.length
    ? [{ path: field, object: 'users', ids: v.map((x) => String(x).toLowerCase()) }]
    : [];
}

export { opt } from '../../platform/records/types';
