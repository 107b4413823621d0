import { z } from 'zod';
import { fieldShape, objectSchemas } from './api-schemas';
import type { ObjectSchema } from './object-schema';

type Doc = { components?: { schemas?: Record<string, { properties?: Record<string, unknown>; required?: string[] }> } };

/**
 * The caller's workspace view of the OpenAPI document: each object's record,
 * create and update schemas gain that workspace's custom fields.
 */
export function withCustomFields(doc: unknown, schemas: Map<string, ObjectSchema>): unknown {
  const copy = structuredClone(doc) as Doc;
  const components = copy.components?.schemas ?? {};
  for (const schema of schemas.values()) {
    if (schema.customFields.length === 0) continue;
    const { name } = objectSchemas(schema.def);
    for (const suffix of ['', 'Create', 'Update']) {
      const target = components[`${name}${suffix}`];
      if (!target) continue;
      target.properties ??= {};
      for (const f of schema.customFields) {
        const shape = suffix === 'Create' && f.required ? fieldShape(f) : fieldShape(f).nullable();
        target.properties[f.name] = { ...(z.toJSONSchema(shape, { io: 'input' }) as object), 'x-rapport-custom': true };
        if (suffix === 'Create' && f.required) target.required = [...new Set([...(target.required ?? []), f.name])];
      }
    }
  }
  return copy;
}
