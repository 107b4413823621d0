import { ENCRYPTED_OPERATORS } from '../crypto/field-crypto';
import { filterKind, isEncrypted, isSortable } from './field-types';
import type { ObjectSchema, ResolvedField } from './object-schema';
import { OPS_BY_KIND } from './query';
import { recordSections } from './sections';

/** A field as clients (and the web app) see it. */
export function presentField(f: ResolvedField) {
  const d = f.def;
  const kind = filterKind(d);
  const encrypted = isEncrypted(d);
  return {
    name: d.name,
    type: d.type,
    label: d.label,
    description: d.description ?? null,
    custom: f.custom,
    required: !!d.required,
    unique: !!d.unique,
    readOnly: !!d.readOnly,
    hidden: !!d.hidden,
    options: d.options ?? null,
    relation: d.relation ?? null,
    maxLength: d.maxLength ?? null,
    min: d.min ?? null,
    max: d.max ?? null,
    // A record's tags sort as their alphabetical list (query.ts).
    sortable: !encrypted && ((isSortable(kind) && d.type !== 'address') || (d.type === 'tags' && !f.custom)),
    filterOperators: encrypted ? [...ENCRYPTED_OPERATORS] : [...OPS_BY_KIND[kind]],
    // Personal data: reads are audited; `encrypted` ones are also stored encrypted (AES-256-GCM).
    sensitive: !!d.sensitive,
    encrypted,
  };
}

/** An object's metadata: what the UI needs to render lists, forms and boards without per-object code. */
export function presentObject(schema: ObjectSchema) {
  const d = schema.def;
  return {
    name: d.name,
    singular: d.singular,
    label: d.label,
    labelPlural: d.labelPlural,
    titleFields: d.titleFields,
    subtitleFields: d.subtitleFields ?? [],
    defaultSort: d.defaultSort ?? '-createdAt',
    fields: schema.fields().map(presentField),
    includes: [
      'owner',
      ...schema
        .fields()
        .filter((f) => f.def.relation?.cardinality === 'one')
        .map((f) => f.def.name.replace(/Id$/, '')),
      ...(d.inverse ?? []).map((i) => i.name),
    ],
    // Records of other objects that point here (an account's contacts): include name,
    // object, the to-one field on that object, and a label for the related list.
    inverse: (d.inverse ?? []).map((i) => ({
      name: i.name,
      object: i.object,
      via: i.via ?? null,
      related: !!i.related,
      label: i.label,
    })),
    // Parts of the record's view that are not relations (the recent timeline): `include=<name>` on one record.
    sections: recordSections(d.name).map((s) => ({ name: s.name, label: s.label })),
  };
}
