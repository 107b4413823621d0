import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { TCreateFieldRequest, TUpdateFieldRequest } from '../../../common/contracts/objects';
import { ENCRYPTABLE_TYPES } from '../crypto/field-crypto';
import type { Tx } from '../db/database';
import { AppError, type FieldError, notFound } from '../http/errors';
import { presentField } from './metadata';
import { customFieldDef, loadSchemas, type ObjectSchema } from './object-schema';
import type { ObjectRegistry } from './registry';
import { FIELD_TYPES, type FieldType, type SelectOption, SYSTEM_FIELD_NAMES } from './types';

export const MAX_CUSTOM_FIELDS = 200;

export const SCHEMA_CHANNEL = 'rapport_schema';

/** Tells every app server's schema cache, once this transaction commits, that this workspace's fields changed. */
async function notifySchemaChange(tx: Tx): Promise<void> {
  await sql`select pg_notify(${SCHEMA_CHANNEL}, rapport_workspace()::text)`.execute(tx);
}

/** A new custom field, as the route validated it (common/contracts/objects.ts). */
export type CustomFieldInput = TCreateFieldRequest;

const bad = (errors: FieldError[]) =>
  new AppError('validation_failed', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });

function checkOptions(type: FieldType, options: SelectOption[] | undefined, errors: FieldError[]) {
  if (type !== 'select' && type !== 'multiSelect') {
    if (options) errors.push({ path: 'options', message: `only select and multiSelect fields have options` });
    return;
  }
  if (!options?.length) {
    errors.push({ path: 'options', message: 'a select field needs at least one option' });
    return;
  }
  const values = options.map((o) => o.value);
  if (new Set(values).size !== values.length) errors.push({ path: 'options', message: 'option values must be unique' });
}

/** Administrator-defined fields: stored in `custom`, validated, filtered, sorted and searched like built-in ones. */
export class CustomFieldService {
  constructor(private readonly registry: ObjectRegistry) {}

  private async schemaOf(tx: Tx, object: string): Promise<ObjectSchema> {
    const schema = (await loadSchemas(tx, this.registry)).get(object);
    if (!schema) throw new AppError('not_found', `No object "${object}"`);
    return schema;
  }

  async create(tx: Tx, workspaceId: string, object: string, input: CustomFieldInput) {
    const schema = await this.schemaOf(tx, object);
    const errors: FieldError[] = [];
    const reserved = new Set([...SYSTEM_FIELD_NAMES, ...schema.fields().map((f) => f.def.name)]);
    const includes = new Set([
      'owner',
      ...schema
        .fields()
        .filter((f) => f.def.relation)
        .map((f) => f.def.name.replace(/Id$/, '')),
      ...(schema.def.inverse ?? []).map((i) => i.name),
    ]);
    if (reserved.has(input.name))
      errors.push({ path: 'name', message: `"${input.name}" is already a field of ${object}` });
    else if (includes.has(input.name))
      errors.push({ path: 'name', message: `"${input.name}" is the name of a relation of ${object}` });
    else if (input.type === 'relation' && includes.has(input.name.replace(/Id$/, ''))) {
      errors.push({
        path: 'name',
        message: `"${input.name}" would hide the relation "${input.name.replace(/Id$/, '')}"`,
      });
    }
    if (!FIELD_TYPES.includes(input.type))
      errors.push({ path: 'type', message: `must be one of ${FIELD_TYPES.join(', ')}` });
    checkOptions(input.type, input.options, errors);
    if (input.type === 'relation' && !(input.relation && this.registry.get(input.relation.object))) {
      errors.push({
        path: 'relation.object',
        message: `must name an object: ${this.registry
          .all()
          .map((o) => o.name)
          .join(', ')}`,
      });
    }
    if (input.type !== 'relation' && input.relation)
      errors.push({ path: 'relation', message: 'only relation fields have a target' });
    if (input.sensitive && !ENCRYPTABLE_TYPES.has(input.type))
      errors.push({
        path: 'sensitive',
        message: `a ${input.type} field cannot be encrypted; sensitive fields are of type ${[...ENCRYPTABLE_TYPES].join(', ')}`,
      });
    if (schema.customFields.length >= MAX_CUSTOM_FIELDS)
      errors.push({ path: 'name', message: `at most ${MAX_CUSTOM_FIELDS} custom fields per object` });
    if (errors.length) throw bad(errors);
    const { rows } = await sql<Parameters<typeof customFieldDef>[0]>`
      insert into custom_fields (workspace_id, id, object, name, type, label, description, required, options,
        relation_object, relation_cardinality, max_length, min_value, max_value, position, sensitive)
      values (${workspaceId}, ${uuidv7()}, ${object}, ${input.name}, ${input.type}, ${input.label}, ${input.description ?? null},
        ${input.required ?? false}, ${input.options ? JSON.stringify(input.options) : null}::jsonb,
        ${input.relation?.object ?? null}, ${input.relation ? input.relation.cardinality : null},
        ${input.maxLength ?? null}, ${input.min ?? null}, ${input.max ?? null}, ${schema.customFields.length},
        ${input.sensitive ?? false})
      on conflict (workspace_id, object, name) do nothing
      returning *`.execute(tx);
    if (!rows[0])
      throw new AppError('already_exists', `${object} already has a custom field "${input.name}"`, {
        errors: [{ path: 'name', message: 'already exists' }],
      });
    await notifySchemaChange(tx);
    return presentField({ def: customFieldDef(rows[0]), custom: true });
  }

  /** Changes a field's label, description, required flag, options or bounds; its name and type are fixed. */
  async update(tx: Tx, object: string, name: string, patch: TUpdateFieldRequest) {
    const schema = await this.schemaOf(tx, object);
    const field = schema.customFields.find((f) => f.name === name);
    if (!field) throw notFound(`Custom field "${name}"`);
    const errors: FieldError[] = [];
    if (patch.name !== undefined && patch.name !== name)
      errors.push({ path: 'name', message: 'cannot change; add a new field instead' });
    if (patch.type !== undefined && patch.type !== field.type)
      errors.push({ path: 'type', message: 'cannot change; add a new field and copy the values' });
    if (patch.relation !== undefined) errors.push({ path: 'relation', message: 'cannot change' });
    if (patch.sensitive !== undefined && patch.sensitive !== !!field.sensitive)
      errors.push({ path: 'sensitive', message: 'cannot change; add a new field and copy the values' });
    if (patch.options !== undefined) checkOptions(field.type, patch.options, errors);
    if (errors.length) throw bad(errors);
    const { rows } = await sql<Parameters<typeof customFieldDef>[0]>`
      update custom_fields set
        label = coalesce(${patch.label ?? null}, label),
        description = ${patch.description === undefined ? sql`description` : sql`${patch.description}`},
        required = coalesce(${patch.required ?? null}, required),
        options = ${patch.options === undefined ? sql`options` : sql`${JSON.stringify(patch.options)}::jsonb`},
        max_length = ${patch.maxLength === undefined ? sql`max_length` : sql`${patch.maxLength}`},
        min_value = ${patch.min === undefined ? sql`min_value` : sql`${patch.min}`},
        max_value = ${patch.max === undefined ? sql`max_value` : sql`${patch.max}`},
        updated_at = now()
      where object = ${object} and name = ${name}
      returning *`.execute(tx);
    await notifySchemaChange(tx);
    return presentField({ def: customFieldDef(rows[0] as Parameters<typeof customFieldDef>[0]), custom: true });
  }

  /** Removes a field and its values from every record of the object. */
  async remove(tx: Tx, object: string, name: string): Promise<void> {
    const schema = await this.schemaOf(tx, object);
    const { rows } =
      await sql`delete from custom_fields where object = ${object} and name = ${name} returning id`.execute(tx);
    if (rows.length === 0) throw notFound(`Custom field "${name}"`);
    await notifySchemaChange(tx);
    await sql`update ${sql.table(schema.def.table)} set custom = custom - ${name}::text
              where custom ? ${name}`.execute(tx);
  }
}
