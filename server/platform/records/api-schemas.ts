import { z } from 'zod';
import { PageSchema } from '../../../common/contracts/records';
import { ADDRESS_PARTS } from './field-types';
import type { FieldDef, ObjectDef } from './types';
import { SYSTEM_FIELDS } from './types';

/**
 * JSON shapes of an object's records for OpenAPI, derived from the declaration.
 * These describe; the record engine's validator (validate.ts) decides, including
 * for the workspace's custom fields, which is why bodies allow extra properties.
 */
export function fieldShape(f: FieldDef): z.ZodType {
  const d = (t: z.ZodType) => t.describe(f.description ?? f.label);
  switch (f.type) {
    case 'integer':
      return d(z.number().int());
    case 'percent':
      return d(z.number());
    case 'decimal':
      return d(z.string().regex(/^-?\d+(\.\d+)?$/));
    case 'money':
      return d(z.object({ amount: z.string().regex(/^-?\d+(\.\d+)?$/), currency: z.string().length(3) }));
    case 'boolean':
      return d(z.boolean());
    case 'date':
      return d(z.string().meta({ format: 'date' }));
    case 'datetime':
      return d(z.string().meta({ format: 'date-time' }));
    case 'email':
      return d(z.string().meta({ format: 'email' }));
    case 'url':
      return d(z.string().meta({ format: 'uri' }));
    case 'emails':
    case 'phones':
      return d(z.array(z.object({ value: z.string(), label: z.string().optional() })));
    case 'select':
      return d(z.enum((f.options ?? []).map((o) => o.value) as [string, ...string[]]));
    case 'multiSelect':
      return d(z.array(z.enum((f.options ?? []).map((o) => o.value) as [string, ...string[]])));
    case 'tags':
      return d(z.array(z.string()));
    case 'relation':
      return d(f.relation?.cardinality === 'many' ? z.array(z.uuid()) : z.uuid());
    case 'user':
      return d(z.uuid());
    case 'address':
      return d(
        z.object(
          Object.fromEntries(
            ADDRESS_PARTS.map((p) => [
              p,
              (p === 'latitude' || p === 'longitude' ? z.number() : z.string()).nullable().optional(),
            ]),
          ),
        ),
      );
    case 'json':
      return d(f.jsonShape === 'userIds' ? z.array(z.uuid()).max(100) : z.record(z.string(), z.unknown()));
    default:
      return d(z.string());
  }
}

const pascal = (s: string) => s.replace(/(^|[-_ ])(\w)/g, (_, __, c: string) => c.toUpperCase());

export function objectSchemas(def: ObjectDef) {
  const name = pascal(def.singular);
  const all = [...SYSTEM_FIELDS, ...def.fields];
  const record = z
    .object(
      Object.fromEntries(
        all.map((f) => [f.name, f.required || f.name === 'id' ? fieldShape(f) : fieldShape(f).nullable()]),
      ),
    )
    .catchall(z.unknown())
    .meta({ id: name, description: `${def.label}. Custom fields appear beside built-in ones, by name.` });
  const writable = all.filter((f) => !f.readOnly);
  const create = z
    .object(
      Object.fromEntries(
        writable.map((f) => [f.name, f.required ? fieldShape(f) : fieldShape(f).nullable().optional()]),
      ),
    )
    .catchall(z.unknown())
    .meta({ id: `${name}Create`, description: `A new ${def.singular}. Custom fields go beside built-in ones.` });
  const update = z
    .object(Object.fromEntries(writable.map((f) => [f.name, fieldShape(f).nullable().optional()])))
    .catchall(z.unknown())
    .meta({ id: `${name}Update`, description: `Fields to change; null clears a field.` });
  return { record, create, update, name };
}

/** The largest `offset` a list takes: PostgreSQL walks the skipped rows, so a jump past this is refused. */
export const MAX_OFFSET = 1_000_000;

export { PageSchema };

export const ListQuery = z
  .object({
    filter: z
      .string()
      .max(20_000)
      .optional()
      .describe('A JSON filter tree, e.g. {"field":"lastName","op":"eq","value":"Doe"}'),
    sort: z
      .string()
      .max(500)
      .optional()
      .describe('Comma-separated fields, "-" for descending, e.g. -createdAt,lastName'),
    limit: z.coerce.number().int().min(1).max(500).optional().describe('Page size (default 50, at most 500)'),
    cursor: z.string().max(4096).optional().describe('nextCursor of the previous page'),
    offset: z.coerce
      .number()
      .int()
      .min(0)
      .max(MAX_OFFSET)
      .optional()
      .describe('Skip this many records first (to jump into a long list; not with cursor, which is faster for paging)'),
    fields: z.string().max(2000).optional().describe('Comma-separated fields to return (id and version always come)'),
    include: z
      .string()
      .max(500)
      .optional()
      .describe(
        'Comma-separated related records to embed: to-one relations (account,owner), related lists (tasks,interactions) and, on one record, sections (timeline)',
      ),
    count: z.enum(['true', 'false']).optional().describe('Also return the total number of matching records'),
  })
  .strict();

export const QueryBody = z
  .object({
    filter: z.unknown().optional().describe('A filter tree: {and|or: [...]}, {not: ...} or {field, op, value}'),
    sort: z.union([z.string().max(500), z.array(z.string().max(100)).max(5)]).optional(),
    limit: z.number().int().min(1).max(500).optional(),
    cursor: z.string().max(4096).optional(),
    offset: z.number().int().min(0).max(MAX_OFFSET).optional(),
    fields: z.array(z.string().max(100)).max(200).optional(),
    include: z.array(z.string().max(100)).max(10).optional(),
    count: z.boolean().optional(),
  })
  .strict();

export const BatchBody = z
  .object({
    mode: z.enum(['create', 'update', 'upsert']),
    matchOn: z.string().max(100).optional().describe('For upsert: "id" or a unique field such as email or domain'),
    atomic: z.boolean().optional().describe('All or nothing (default false: per-item results)'),
    records: z.array(z.record(z.string(), z.unknown())).min(1).max(1000),
  })
  .strict();

export const BatchResponse = z.object({
  data: z.array(
    z.object({
      index: z.number(),
      status: z.enum(['created', 'updated', 'error']),
      id: z.string().optional(),
      version: z.number().optional(),
      error: z
        .object({
          code: z.string(),
          message: z.string(),
          errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
        })
        .optional(),
    }),
  ),
  summary: z.object({ created: z.number(), updated: z.number(), failed: z.number() }),
});
