import { sql } from 'kysely';
import { readingReplica, type Tx, tenantContext } from '../db/database';
import type { ObjectRegistry } from './registry';
import type { FieldDef, FieldType, ObjectDef, SelectOption } from './types';

export interface ResolvedField {
  def: FieldDef;
  /** True for administrator-defined fields stored in the `custom` JSONB column. */
  custom: boolean;
}

/** An object as one workspace sees it: its declaration plus that workspace's custom fields. */
export class ObjectSchema {
  private readonly byName = new Map<string, ResolvedField>();

  constructor(
    readonly def: ObjectDef,
    builtins: Map<string, FieldDef>,
    readonly customFields: FieldDef[],
  ) {
    for (const f of builtins.values()) this.byName.set(f.name, { def: f, custom: false });
    for (const f of customFields) this.byName.set(f.name, { def: f, custom: true });
  }

  field(name: string): ResolvedField | undefined {
    return this.byName.get(name);
  }

  private all?: readonly ResolvedField[];

  /** Every field, built-in then custom (one array per schema: called per row when presenting records). */
  fields(): readonly ResolvedField[] {
    this.all ??= [...this.byName.values()];
    return this.all;
  }

  /** The to-one relation an include or filter path names: `account` → `accountId`. */
  toOneRelation(name: string): ResolvedField | undefined {
    for (const candidate of [`${name}Id`, name]) {
      const f = this.byName.get(candidate);
      if (f?.def.type === 'relation' && f.def.relation?.cardinality === 'one') return f;
    }
    return undefined;
  }
}

/**
 * The object as a role sees it: hidden fields removed (so they cannot be read,
 * filtered, sorted, searched or named in an error) and read-only ones marked.
 */
export function restrictSchema(schema: ObjectSchema, fields: Record<string, 'hidden' | 'readOnly'>): ObjectSchema {
  if (Object.keys(fields).length === 0) return schema;
  const adjust = (f: FieldDef): FieldDef | undefined =>
    fields[f.name] === 'hidden' && f.name !== 'id'
      ? undefined
      : fields[f.name] === 'readOnly'
        ? { ...f, readOnly: true }
        : f;
  const builtins = new Map<string, FieldDef>();
  for (const r of schema.fields()) {
    if (r.custom) continue;
    const f = adjust(r.def);
    if (f) builtins.set(f.name, f);
  }
  const custom = schema.customFields.map(adjust).filter((f): f is FieldDef => !!f);
  return new ObjectSchema(schema.def, builtins, custom);
}

/**
 * Every object as one role sees it: readable objects restricted to their visible
 * fields, and objects the role may not read with no fields at all — so a relation
 * path through them (`mainQuote.name` in a filter, an embed, a sort) resolves to
 * nothing and is refused exactly like an unknown field, without confirming that
 * the field exists. `acting` (the object a call is about, whose action the caller
 * already asserted) keeps its visible fields.
 */
export function schemasForRole(
  full: Map<string, ObjectSchema>,
  role: {
    can(object: string, action: 'read'): boolean;
    object(name: string): { fields: Record<string, 'hidden' | 'readOnly'> };
  },
  acting?: string,
): Map<string, ObjectSchema> {
  return new Map(
    [...full].map(([n, s]) => [
      n,
      n === acting || role.can(n, 'read')
        ? restrictSchema(s, role.object(n).fields)
        : new ObjectSchema(s.def, new Map(), []),
    ]),
  );
}

interface CustomFieldRow {
  id: string;
  object: string;
  name: string;
  type: FieldType;
  label: string;
  description: string | null;
  required: boolean;
  options: SelectOption[] | null;
  relation_object: string | null;
  relation_cardinality: 'one' | 'many' | null;
  max_length: number | null;
  min_value: number | null;
  max_value: number | null;
  sensitive: boolean;
}

export function customFieldDef(r: CustomFieldRow): FieldDef {
  return {
    name: r.name,
    type: r.type,
    label: r.label,
    customId: r.id,
    ...(r.description ? { description: r.description } : {}),
    ...(r.required ? { required: true } : {}),
    ...(r.options ? { options: r.options } : {}),
    ...(r.relation_object
      ? { relation: { object: r.relation_object, cardinality: r.relation_cardinality ?? 'one' } }
      : {}),
    ...(r.max_length != null ? { maxLength: r.max_length } : {}),
    ...(r.min_value != null ? { min: r.min_value } : {}),
    ...(r.max_value != null ? { max: r.max_value } : {}),
    // A sensitive custom field is encrypted at rest (crypto/field-crypto.ts).
    ...(r.sensitive ? { sensitive: true, encrypted: true } : {}),
  };
}

/** How long a workspace's schemas are trusted without a change notification. */
const SCHEMA_TTL_MS = 30_000;
const cache = new WeakMap<ObjectRegistry, Map<string, { at: number; schemas: Map<string, ObjectSchema> }>>();
const generations = new Map<string, number>();

/** Forget a workspace's cached schemas (its custom fields changed, here or on another server). */
export function invalidateSchemas(workspaceId: string): void {
  generations.set(workspaceId, (generations.get(workspaceId) ?? 0) + 1);
}

/**
 * Every object of the current workspace with its custom fields, cached per
 * workspace until a custom field changes (invalidateSchemas, called locally after
 * the change commits and on other servers through NOTIFY rapport_schema).
 */
export async function loadSchemas(tx: Tx, registry: ObjectRegistry): Promise<Map<string, ObjectSchema>> {
  const ctx = tenantContext();
  if (!ctx) return readSchemas(tx, registry);
  let perRegistry = cache.get(registry);
  if (!perRegistry) {
    perRegistry = new Map();
    cache.set(registry, perRegistry);
  }
  const key = ctx.workspaceId;
  const generation = generations.get(key) ?? 0;
  const hit = perRegistry.get(`${key}:${generation}`);
  if (hit && Date.now() - hit.at < SCHEMA_TTL_MS) return hit.schemas;
  const schemas = await readSchemas(tx, registry);
  // A replica's schemas may be older than a change already announced: used, not kept.
  if (readingReplica()) return schemas;
  // Stored under the generation read before the query: a change meanwhile makes it unreachable.
  if (perRegistry.size > 5_000) perRegistry.clear();
  perRegistry.delete(`${key}:${generation - 1}`);
  perRegistry.set(`${key}:${generation}`, { at: Date.now(), schemas });
  return schemas;
}

async function readSchemas(tx: Tx, registry: ObjectRegistry): Promise<Map<string, ObjectSchema>> {
  const { rows } = await sql<CustomFieldRow>`
    select id, object, name, type, label, description, required, options, relation_object,
           relation_cardinality, max_length, min_value, max_value, sensitive
    from custom_fields order by position, created_at`.execute(tx);
  const out = new Map<string, ObjectSchema>();
  for (const def of registry.all()) {
    const custom = rows.filter((r) => r.object === def.name).map(customFieldDef);
    let builtins = registry.fields(def.name);
    if (def.dynamicOptions) {
      const loaded = await def.dynamicOptions.load(tx);
      builtins = new Map(
        [...builtins].map(([n, f]) => [
          n,
          loaded[n] && def.dynamicOptions?.fields.includes(n) ? { ...f, options: loaded[n] } : f,
        ]),
      );
    }
    out.set(def.name, new ObjectSchema(def, builtins, custom));
  }
  return out;
}
