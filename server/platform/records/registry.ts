import { isEncrypted, storageColumns } from './field-types';
import { type FieldDef, type ObjectDef, SYSTEM_FIELDS } from './types';

/** The declared objects, checked once at start-up. */
export class ObjectRegistry {
  private readonly objects = new Map<string, ObjectDef>();
  private readonly fieldMaps = new Map<string, Map<string, FieldDef>>();

  constructor(defs: ObjectDef[]) {
    for (const def of defs) {
      if (this.objects.has(def.name)) throw new Error(`object ${def.name} declared twice`);
      this.objects.set(def.name, def);
      const fields = new Map<string, FieldDef>();
      for (const f of [...SYSTEM_FIELDS, ...def.fields]) {
        if (fields.has(f.name)) throw new Error(`${def.name}.${f.name} declared twice`);
        if (!/^[a-z][a-zA-Z0-9]*$/.test(f.name)) throw new Error(`${def.name}.${f.name}: names are camelCase`);
        fields.set(f.name, f);
      }
      this.fieldMaps.set(def.name, fields);
    }
    for (const def of defs) {
      for (const f of def.fields) {
        if (f.type === 'relation' && !(f.relation && this.objects.has(f.relation.object))) {
          throw new Error(`${def.name}.${f.name}: relation to an undeclared object`);
        }
        if (
          (f.type === 'select' || f.type === 'multiSelect') &&
          !f.options?.length &&
          !def.dynamicOptions?.fields.includes(f.name)
        ) {
          throw new Error(`${def.name}.${f.name}: a select needs options`);
        }
        if (f.unique && storageColumns(f).length !== 1)
          throw new Error(`${def.name}.${f.name}: unique needs one column`);
        if (f.encrypted && !isEncrypted(f))
          throw new Error(`${def.name}.${f.name}: encrypted needs sensitive and a type that can be`);
        // Nothing derived from an encrypted value may be kept in the clear (search vectors, indexes of the value).
        if (isEncrypted(f) && (f.search || f.fuzzy || f.unique || f.indexed || def.titleFields.includes(f.name)))
          throw new Error(`${def.name}.${f.name}: an encrypted field cannot be searched, unique, indexed or a title`);
      }
      for (const inv of def.inverse ?? []) {
        const fields = this.fieldMaps.get(inv.object);
        if (!fields) throw new Error(`${def.name}.${inv.name}: no object ${inv.object}`);
        if (!inv.via && !inv.related) throw new Error(`${def.name}.${inv.name}: needs via or related`);
        if (inv.via && fields.get(inv.via)?.relation?.object !== def.name)
          throw new Error(`${def.name}.${inv.name}: ${inv.object}.${inv.via} does not point here`);
        if (inv.related && !(fields.has('relatedObject') && fields.has('relatedId')))
          throw new Error(`${def.name}.${inv.name}: ${inv.object} has no relatedObject and relatedId`);
      }
      for (const t of def.titleFields)
        if (!this.fieldMaps.get(def.name)?.has(t)) throw new Error(`${def.name}: unknown title field ${t}`);
    }
  }

  get(name: string): ObjectDef | undefined {
    return this.objects.get(name);
  }

  all(): ObjectDef[] {
    return [...this.objects.values()];
  }

  /** Built-in fields of an object (system + declared), by API name. */
  fields(object: string): Map<string, FieldDef> {
    const m = this.fieldMaps.get(object);
    if (!m) throw new Error(`unknown object ${object}`);
    return m;
  }
}
