import { z } from 'zod';

/**
 * Request and response contracts of imports (issue 18): `POST /api/v1/imports` (multipart:
 * `file`, `object`, `preset?`, `mode?`, `matchOn?`, `dryRun?`, `mapping?`), the import's
 * progress (`GET /api/v1/imports/{id}`), its per-row errors as CSV, a file's preview
 * (`POST /api/v1/imports/preview`), and a contact as vCard. Shared by server and web app.
 */

export const IMPORT_PRESETS = ['hubspot', 'salesforce'] as const;
export type ImportPreset = (typeof IMPORT_PRESETS)[number];
export const IMPORT_MODES = ['create', 'update', 'upsert'] as const;
export const IMPORT_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export const IMPORT_FORMATS = ['csv', 'xlsx', 'vcard'] as const;

const boolText = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', ''])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes' || v === 'on');

/** One column's target: a field name, or a field with how the cell names a related record. */
export const MappingTarget = z.union([
  z.string().min(1).max(100),
  z
    .object({
      field: z.string().min(1).max(100),
      by: z.enum(['id', 'externalId', 'name', 'email']).optional(),
    })
    .strict(),
]);

/** Column header → target (`firstName`, `address.city`, `@externalId`, `{ field: "accountId", by: "name" }`); `null` skips a column. */
export const ImportMapping = z.record(z.string().min(1).max(200), MappingTarget.nullable());

/** The text fields of the multipart upload (the file is the `file` part). */
export const ImportFields = z
  .object({
    object: z.string().min(1, 'Name the object to import into, e.g. contacts').max(63),
    preset: z.enum(IMPORT_PRESETS).optional(),
    mode: z.enum(IMPORT_MODES).default('upsert'),
    matchOn: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('A unique field to find existing records by (upsert, update)'),
    dryRun: boolText.default(false),
    createMissing: boolText.default(true).describe('Create missing related accounts named in the file'),
    mapping: z
      .string()
      .max(100_000)
      .optional()
      .describe('JSON: column header → field (see ImportMapping); omitted: the preset’s or suggested'),
    mappingId: z.uuid().optional().describe('A saved mapping of the object to use (instead of `mapping`)'),
  })
  .strict();
export type TImportFields = z.infer<typeof ImportFields>;

export const ImportCounts = z.object({
  read: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  failed: z.number().int(),
});

export const ImportSchema = z.object({
  id: z.uuid(),
  object: z.string(),
  fileName: z.string(),
  format: z.enum(IMPORT_FORMATS),
  preset: z.enum(IMPORT_PRESETS).nullable(),
  mode: z.enum(IMPORT_MODES),
  matchOn: z.string().nullable(),
  dryRun: z.boolean(),
  status: z.enum(IMPORT_STATUSES),
  counts: ImportCounts,
  /** About how many rows the file holds (CSV lines, vCard cards; null for XLSX), for a progress bar. */
  estimatedRows: z.number().int().nullable(),
  /** Accounts created because the file named them and they were missing. */
  accountsCreated: z.number().int(),
  /** How many per-row errors there are (download them from `errorsUrl`). */
  errors: z.number().int(),
  errorsUrl: z.string(),
  mapping: z.array(
    z.object({ column: z.string(), field: z.string(), by: z.enum(['id', 'externalId', 'name', 'email']).optional() }),
  ),
  /** Columns of the file that no field takes. */
  ignoredColumns: z.array(z.string()),
  /** Why a failed import stopped (an unreadable file). */
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type TImport = z.infer<typeof ImportSchema>;

export const ImportCreated = z.object({ id: z.uuid() });
export type TImportCreated = z.infer<typeof ImportCreated>;

export const ImportListQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }).strict();

export const ImportPreviewSchema = z.object({
  format: z.enum(IMPORT_FORMATS),
  header: z.array(z.string()),
  /** The first rows, cell text by header. */
  rows: z.array(z.record(z.string(), z.string())),
  /** The mapping the import would use (the preset’s, else suggested from headers and values). */
  mapping: z.array(
    z.object({ column: z.string(), field: z.string(), by: z.enum(['id', 'externalId', 'name', 'email']).optional() }),
  ),
  ignoredColumns: z.array(z.string()),
  /** The saved mapping of the object that fits the file's header best (every column it names is in the file), if any. */
  savedMapping: z.object({ id: z.uuid(), name: z.string() }).nullable(),
});
export type TImportPreview = z.infer<typeof ImportPreviewSchema>;

/** A column → field mapping saved under a name for the next import of the same object (shared by the workspace). */
export const SavedMappingSchema = z.object({
  id: z.uuid(),
  object: z.string(),
  name: z.string(),
  mapping: ImportMapping,
  /** The file columns the mapping names (the keys of `mapping` not set to null). */
  columns: z.array(z.string()),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TSavedMapping = z.infer<typeof SavedMappingSchema>;

/** `POST /api/v1/imports/mappings`. */
export const SavedMappingInput = z
  .object({
    object: z.string().min(1, 'Name the object the mapping imports into, e.g. contacts').max(63),
    name: z.string().trim().min(1, 'Give the mapping a name').max(100),
    mapping: ImportMapping.refine((m) => Object.values(m).some((v) => v != null), {
      message: 'map at least one column to a field',
    }),
  })
  .strict();
export type TSavedMappingInput = z.input<typeof SavedMappingInput>;

/** `PATCH /api/v1/imports/mappings/{id}`: rename it, replace its mapping, or both. */
export const SavedMappingPatch = z
  .object({
    name: z.string().trim().min(1, 'Give the mapping a name').max(100).optional(),
    mapping: SavedMappingInput.shape.mapping.optional(),
  })
  .strict()
  .refine((p) => p.name !== undefined || p.mapping !== undefined, {
    message: 'send a new name, a new mapping or both',
    path: ['name'],
  });
export type TSavedMappingPatch = z.input<typeof SavedMappingPatch>;

/** `GET /api/v1/imports/mappings?object=`. */
export const SavedMappingListQuery = z
  .object({ object: z.string().min(1, 'Name the object, e.g. contacts').max(63) })
  .strict();

export const VCardQuery = z
  .object({
    version: z.enum(['4.0', '3.0']).default('4.0'),
    format: z.enum(['vcard', 'jcard']).default('vcard').describe('jcard: RFC 7095 JSON (application/vcard+json)'),
  })
  .strict();
