import { z } from 'zod';

/**
 * Contracts of the generic record endpoints that are the same for every object (record
 * and page envelopes, bulk, aggregate), shared by server and web app. The per-object
 * record shapes for OpenAPI are derived from the declarations (server/platform/records/api-schemas.ts).
 */

/** A record as the API returns it: fields by name (custom ones beside built-in ones), plus any included relations. */
export const RecordSchema = z.looseObject({ id: z.string(), version: z.number() });
export type TRecord = z.infer<typeof RecordSchema>;

/** `GET /{object}/{id}?include=…`: how many records each included list or section has in all (lists embed at most 100). */
export const RecordViewMeta = z.object({ counts: z.record(z.string(), z.number()) });

/** One record as `GET /{object}/{id}` returns it. */
export const RecordViewSchema = z.object({ data: RecordSchema, meta: RecordViewMeta.optional() });

export const PageSchema = z.object({ nextCursor: z.string().nullable(), hasMore: z.boolean() });

export const RecordPageSchema = z.object({
  data: z.array(RecordSchema),
  page: PageSchema,
  total: z.number().optional().describe('With count=true: every matching record'),
});

// Bulk -----------------------------------------------------------------------

export const BulkActionSchema = z.enum(['update', 'addTags', 'removeTags', 'trash']);

/** `POST /api/v1/{object}/bulk`; at most `MAX_BATCH` ids (server/platform/records/batch.ts). */
export const bulkRequest = (maxIds: number) =>
  z
    .object({
      ids: z.array(z.uuid()).min(1).max(maxIds).optional().describe('The records to act on'),
      filter: z.unknown().optional().describe('Or a filter tree choosing them (at most 1,000 records)'),
      action: BulkActionSchema,
      values: z.record(z.string(), z.unknown()).optional().describe('update: fields to set on every record'),
      tags: z.array(z.string()).max(100).optional().describe('addTags / removeTags: the tags'),
    })
    .strict();

export const BulkItemSchema = z.object({
  index: z.number(),
  id: z.string(),
  status: z.enum(['updated', 'unchanged', 'trashed', 'error']),
  version: z.number().optional(),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    })
    .optional(),
});

export const BulkResponse = z.object({
  data: z.array(BulkItemSchema),
  summary: z.object({
    matched: z.number(),
    updated: z.number(),
    unchanged: z.number(),
    trashed: z.number(),
    failed: z.number(),
  }),
});

// Aggregate ------------------------------------------------------------------

export const AggregateQuery = z
  .object({
    groupBy: z
      .string()
      .min(1)
      .max(100)
      .describe(
        'A select field (one group per option), a person such as ownerId (sales by rep) or a to-one relation such as accountId (one group per value, named); plus "no value"',
      ),
    sum: z.string().min(1).max(100).optional().describe('A money or number field to total per group'),
    filter: z.string().max(20_000).optional().describe('A JSON filter tree, as for lists'),
  })
  .strict();

/** Exact decimal string for number fields; one entry per currency for money; null without `sum`. */
export const AggregateSumSchema = z
  .union([z.string(), z.array(z.object({ currency: z.string(), amount: z.string() }))])
  .nullable();

export const AggregateGroupSchema = z.object({
  value: z
    .string()
    .nullable()
    .describe('The option’s value, or the person’s or related record’s id; null for records with no value'),
  label: z.string(),
  count: z.number(),
  sum: AggregateSumSchema,
});

export const AggregateSchema = z.object({
  groupBy: z.string(),
  sum: z.string().nullable(),
  groups: z.array(AggregateGroupSchema),
  total: z.object({ count: z.number(), sum: AggregateSumSchema }),
});
export type TAggregate = z.infer<typeof AggregateSchema>;
