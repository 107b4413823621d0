import { z } from 'zod';
import { FIELD_TYPES } from '../fields/field-values';
import { FILTER_OPERATORS } from '../filter-ops';

/** Request and response contracts of object metadata, custom fields and search, shared by server and web app. */

/** A field as `GET /api/v1/objects` describes it (server/platform/records/metadata.ts). */
export const FieldMetaSchema = z.object({
  name: z.string(),
  type: z.string(),
  label: z.string(),
  description: z.string().nullable(),
  custom: z.boolean(),
  required: z.boolean(),
  unique: z.boolean(),
  readOnly: z.boolean(),
  hidden: z.boolean(),
  options: z
    .array(
      z.object({
        value: z.string(),
        label: z.string(),
        group: z.string().optional(),
        meta: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
      }),
    )
    .nullable(),
  relation: z.object({ object: z.string(), cardinality: z.enum(['one', 'many']) }).nullable(),
  maxLength: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  sortable: z.boolean(),
  filterOperators: z.array(z.enum(FILTER_OPERATORS)),
  /** Personal data: reads are written to the audit log (always sent by the server; optional for client-made metadata). */
  sensitive: z.boolean().optional(),
  /** Stored encrypted (AES-256-GCM); filters take eq, in, isEmpty and isNotEmpty only, and it cannot be sorted. */
  encrypted: z.boolean().optional(),
});

/**
 * Records of other objects that point here (related lists): include name, object, the
 * back-pointing to-one field (null when linked only through relatedObject + relatedId),
 * whether the "related to" link counts (`related`), and a label.
 */
export const InverseMetaSchema = z.object({
  name: z.string(),
  object: z.string(),
  via: z.string().nullable(),
  related: z.boolean(),
  label: z.string(),
});

/** A section of a record's view that is not a relation (the recent timeline), included by name. */
export const SectionMetaSchema = z.object({ name: z.string(), label: z.string() });

/** What the caller's role may do with an object (fields it may not see are left out of the metadata). */
export const ObjectPermissionsSchema = z.object({
  create: z.boolean(),
  read: z.boolean(),
  update: z.boolean(),
  delete: z.boolean(),
  export: z.boolean(),
  scope: z.enum(['own', 'team', 'all']),
});

/** An object (accounts, contacts, …) with everything the UI needs to render it. */
export const ObjectMetaSchema = z.object({
  name: z.string(),
  singular: z.string(),
  label: z.string(),
  labelPlural: z.string(),
  titleFields: z.array(z.string()),
  subtitleFields: z.array(z.string()),
  defaultSort: z.string(),
  fields: z.array(FieldMetaSchema),
  includes: z.array(z.string()),
  inverse: z.array(InverseMetaSchema),
  sections: z.array(SectionMetaSchema),
  permissions: ObjectPermissionsSchema,
});

const Option = z
  .object({ value: z.string().trim().min(1).max(100), label: z.string().trim().min(1).max(100) })
  .strict();
const FieldCommon = {
  label: z.string().trim().min(1).max(100),
  description: z.string().max(1000).nullable().optional(),
  required: z.boolean().optional(),
  options: z.array(Option).min(1).max(500).optional(),
  maxLength: z.number().int().min(1).max(20_000).nullable().optional(),
  min: z.number().nullable().optional(),
  max: z.number().nullable().optional(),
};
/** `POST /api/v1/objects/{object}/fields`: a custom field (server/platform/records/custom-fields.service.ts). */
export const CreateFieldRequest = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-zA-Z0-9]{0,62}$/, 'must be camelCase: a lower-case letter, then letters and digits'),
    type: z.enum(FIELD_TYPES),
    relation: z
      .object({ object: z.string(), cardinality: z.enum(['one', 'many']).default('one') })
      .strict()
      .optional(),
    sensitive: z
      .boolean()
      .optional()
      .describe(
        'Personal data, encrypted at rest (AES-256-GCM) with reads audited; filters take eq, in, isEmpty and isNotEmpty only, no sort, not searched. Fixed once made.',
      ),
    ...FieldCommon,
  })
  .strict();
export type TCreateFieldRequest = z.infer<typeof CreateFieldRequest>;

/**
 * `PATCH /api/v1/objects/{object}/fields/{name}`: any of the common properties; name, type
 * and relation are accepted only to be refused with a plain reason when they differ (fixed once made).
 */
export const UpdateFieldRequest = z
  .object({
    ...z.object(FieldCommon).partial().shape,
    name: z.string().optional(),
    type: z.enum(FIELD_TYPES).optional(),
    relation: z.unknown().optional(),
    sensitive: z.boolean().optional(),
  })
  .strict();
export type TUpdateFieldRequest = z.infer<typeof UpdateFieldRequest>;

export const SearchQuery = z
  .object({
    q: z.string().trim().min(1).max(200),
    objects: z.string().max(500).optional().describe('Comma-separated objects to search (default: all)'),
    limit: z.coerce.number().int().min(1).max(100).optional(),
  })
  .strict();

/** One hit of `GET /api/v1/search`. */
export const SearchHitSchema = z.object({
  object: z.string(),
  id: z.string(),
  title: z.string(),
  subtitle: z.string().nullable(),
  score: z.number(),
});
