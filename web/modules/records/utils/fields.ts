import type { FieldMeta, ObjectMeta } from '../../objects/api/objects.api';
import type { RecordData } from '../api/records.api';

/** Fields every record has that the system maintains (never typed in a form). */
const SYSTEM = new Set(['id', 'version', 'createdAt', 'updatedAt', 'createdBy', 'updatedBy']);

/** The record's display title from the object's title fields (e.g. first + last name). */
export function recordTitle(meta: ObjectMeta, record: Record<string, unknown>): string {
  const title = meta.titleFields
    .map((f) => record[f])
    .filter((v) => typeof v === 'string' && v.trim() !== '')
    .join(' ');
  if (title) return title;
  const sub = meta.subtitleFields.map((f) => record[f]).find((v) => typeof v === 'string' && v !== '');
  return typeof sub === 'string' ? sub : `Untitled ${meta.singular}`;
}

/** The include name that embeds a to-one relation (`accountId` → `account`, `ownerId` → `owner`). */
export function includeFor(field: FieldMeta): string | null {
  if (field.name === 'ownerId') return 'owner';
  if (field.relation?.cardinality === 'one') return field.name.replace(/Id$/, '');
  return null;
}

/** Columns of the list view: the visible fields, title fields first, system bookkeeping left out. */
export function listColumns(meta: ObjectMeta): FieldMeta[] {
  const visible = meta.fields.filter(
    (f) => !f.hidden && !SYSTEM.has(f.name) && f.type !== 'json' && f.type !== 'longText' && f.name !== 'tags',
  );
  // Title fields first, the record's own fields next, the owner last.
  const rank = (f: FieldMeta) => {
    const i = meta.titleFields.indexOf(f.name);
    if (i !== -1) return i;
    return f.name === 'ownerId' ? meta.titleFields.length + 1 : meta.titleFields.length;
  };
  return [...visible].sort((a, b) => rank(a) - rank(b));
}

/** What a record's card shows on a phone: besides title and subtitle, two useful fields, and who to call or email. */
export interface CardLayout {
  fields: FieldMeta[];
  call: FieldMeta | null;
  email: FieldMeta | null;
}

/**
 * The phone card of an object's records: the list's first two columns after the title
 * and subtitle (a contact's job title and account; an opportunity's account and stage),
 * leaving out what the card's actions already offer (the phone and email) and long values
 * (an address), and the first phone and email field for the call and email actions.
 */
export function cardLayout(meta: ObjectMeta): CardLayout {
  const visible = (type: string) => meta.fields.find((f) => f.type === type && !f.hidden) ?? null;
  const call = visible('phone');
  const email = visible('email');
  const shown = new Set([...meta.titleFields, ...meta.subtitleFields, call?.name, email?.name]);
  const fields = listColumns(meta)
    .filter((f) => !shown.has(f.name) && f.type !== 'address' && f.type !== 'boolean' && f.type !== 'url')
    .slice(0, 2);
  return { fields, call, email };
}

/** Includes that embed to-one relations shown by these fields (one extra query each per page). */
export function includesFor(meta: ObjectMeta, fields: FieldMeta[]): string[] {
  const names = fields.map(includeFor).filter((n): n is string => n !== null);
  return [...new Set(names)].filter((n) => meta.includes.includes(n));
}

/** The fields a list asks for: its columns and what titles its rows (id and version always come). */
export function listFields(meta: ObjectMeta, columns: FieldMeta[]): string[] {
  const known = new Set(meta.fields.map((f) => f.name));
  return [...new Set([...columns.map((c) => c.name), ...meta.titleFields, ...meta.subtitleFields])].filter((n) =>
    known.has(n),
  );
}

/**
 * Shrinks a list row's embedded records to what a cell shows of them (id, title and
 * subtitle fields; people as they come): a related account is otherwise a whole record
 * again in every row, which adds up over 100,000 rows.
 */
export function compactIncluded(meta: ObjectMeta, objects: ObjectMeta[], include: string[]) {
  const keep = new Map<string, string[]>();
  for (const f of meta.fields) {
    const name = includeFor(f);
    const target = f.relation ? objects.find((o) => o.name === f.relation?.object) : undefined;
    if (name && target && include.includes(name))
      keep.set(name, ['id', ...target.titleFields, ...target.subtitleFields]);
  }
  if (keep.size === 0) return undefined;
  return (r: RecordData): RecordData => {
    const out = { ...r };
    for (const [name, fields] of keep) {
      const related = r[name];
      if (related && typeof related === 'object' && !Array.isArray(related)) {
        const src = related as Record<string, unknown>;
        out[name] = Object.fromEntries(fields.filter((k) => k in src).map((k) => [k, src[k]]));
      }
    }
    return out;
  };
}

/** Fields a person can type into when creating or editing (owner defaults to the creator). */
export function editableFields(meta: ObjectMeta): FieldMeta[] {
  return meta.fields.filter((f) => !f.readOnly && !SYSTEM.has(f.name));
}

export interface FieldGroup {
  label: string;
  fields: FieldMeta[];
}

const CONTACT_TYPES = new Set(['email', 'emails', 'phone', 'phones', 'url', 'address']);

/** Groups an object's fields for the record page and forms: details, contact info, links, custom, system. */
export function groupFields(fields: FieldMeta[]): FieldGroup[] {
  const groups: FieldGroup[] = [
    { label: 'Details', fields: [] },
    { label: 'Contact information', fields: [] },
    { label: 'Relations', fields: [] },
    { label: 'Custom fields', fields: [] },
    { label: 'System', fields: [] },
  ];
  const [details, contact, relations, custom, system] = groups as [
    FieldGroup,
    FieldGroup,
    FieldGroup,
    FieldGroup,
    FieldGroup,
  ];
  for (const f of fields) {
    if (SYSTEM.has(f.name)) system.fields.push(f);
    else if (f.custom) custom.fields.push(f);
    else if (f.type === 'relation' || f.type === 'user') relations.fields.push(f);
    else if (CONTACT_TYPES.has(f.type)) contact.fields.push(f);
    else details.fields.push(f);
  }
  // Tags close their group rather than open it.
  details.fields.sort((a, b) => Number(a.name === 'tags') - Number(b.name === 'tags'));
  return groups.filter((g) => g.fields.length > 0);
}

export interface RelatedList {
  include: string;
  label: string;
  object: ObjectMeta;
  /** The to-one field on `object` that points at this record (e.g. `accountId`); null when linked by "related to". */
  via: string | null;
  /** Also linked through the record's relatedObject + relatedId (tasks, meetings, interactions). */
  related: boolean;
}

/**
 * The inverse relations an object can include (an account's contacts, its subsidiaries),
 * as the metadata describes them, limited to objects (and back-pointing fields) the caller sees.
 */
export function relatedLists(meta: ObjectMeta, objects: ObjectMeta[]): RelatedList[] {
  const out: RelatedList[] = [];
  for (const inv of meta.inverse ?? []) {
    const target = objects.find((o) => o.name === inv.object);
    if (!target || !meta.includes.includes(inv.name)) continue;
    out.push({ include: inv.name, label: inv.label, object: target, via: inv.via, related: inv.related });
  }
  return out;
}

/** `childAccounts` → `Child accounts`. */
export function humanise(name: string): string {
  const words = name.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The embedded record of a to-one include, if the API returned it. */
export function embedded(record: RecordData, include: string | null): Record<string, unknown> | null {
  if (!include) return null;
  const v = record[include];
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}
