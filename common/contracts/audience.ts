import { z } from 'zod';

/**
 * Request and response contracts of the consent ledger (`/api/v1/{contacts|leads}/{id}/consents`,
 * `/api/v1/consent-purposes`, server/modules/consents) and web forms (`/api/v1/forms`,
 * `/f/{id}`, server/modules/forms), shared by server and web app.
 */

/** The purposes every workspace has; a workspace adds its own (`/api/v1/consent-purposes`). */
export const BUILT_IN_PURPOSES = ['marketing_email', 'tracking', 'profiling', 'sale_sharing'] as const;
export const CONSENT_STATUSES = ['granted', 'withdrawn', 'unknown'] as const;
/** Where a change came from; `gpc` is a browser's Global Privacy Control signal (`Sec-GPC: 1`). */
export const CONSENT_SOURCES = ['form', 'import', 'api', 'user', 'chat', 'gpc'] as const;
export const LAWFUL_BASES = [
  'consent',
  'contract',
  'legal_obligation',
  'vital_interests',
  'public_task',
  'legitimate_interests',
] as const;
export const CONSENT_OBJECTS = ['contacts', 'leads'] as const;

const PurposeKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{1,62}$/, 'must be lower-case letters, digits and underscores (marketing_email)');

export const ConsentPostRequest = z
  .object({
    purpose: PurposeKey,
    status: z.enum(CONSENT_STATUSES),
    source: z.enum(CONSENT_SOURCES).default('api'),
    lawfulBasis: z.enum(LAWFUL_BASES).default('consent'),
    sourceRef: z.string().max(200).optional().describe('The form and version, the import… it came from'),
    wording: z.string().max(5000).optional().describe('The exact words the person agreed to'),
    proof: z.record(z.string(), z.unknown()).optional().describe('Anything that proves it (a message id, a page)'),
  })
  .strict();
export type TConsentPostRequest = z.input<typeof ConsentPostRequest>;

export const ConsentSchema = z.object({
  id: z.string(),
  purpose: z.string(),
  status: z.enum(CONSENT_STATUSES),
  lawfulBasis: z.string(),
  source: z.enum(CONSENT_SOURCES),
  sourceRef: z.string().nullable(),
  wording: z.string().nullable(),
  proof: z.record(z.string(), z.unknown()),
  recordedAt: z.string(),
  recordedBy: z.object({ id: z.string(), name: z.string() }).nullable(),
});
export type TConsent = z.infer<typeof ConsentSchema>;

/** The current status of one purpose (its newest entry; `unknown` with no entry). */
export const CurrentConsentSchema = z.object({
  purpose: z.string(),
  label: z.string(),
  status: z.enum(CONSENT_STATUSES),
  recordedAt: z.string().nullable(),
});

export const ConsentLedgerResponse = z.object({
  data: z.array(ConsentSchema).describe('Every change, newest first'),
  current: z.array(CurrentConsentSchema).describe('Every purpose of the workspace with its current status'),
});
export type TConsentLedger = z.infer<typeof ConsentLedgerResponse>;
export const ConsentResponse = z.object({ data: ConsentSchema });

export const ConsentPurposeSchema = z.object({ key: z.string(), label: z.string(), builtIn: z.boolean() });
export const ConsentPurposesResponse = z.object({ data: z.array(ConsentPurposeSchema) });
export const ConsentPurposeRequest = z.object({ key: PurposeKey, label: z.string().trim().min(1).max(200) }).strict();

// ---- Web forms -------------------------------------------------------------

const FieldName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,62}$/, 'must start with a letter: letters, digits, - and _ (the input’s name)');

export const FormFieldSchema = z
  .object({
    name: FieldName.describe('The input’s name on the page and in a submission'),
    field: z.string().min(1).max(100).describe('The lead or contact field it fills (custom fields included)'),
    label: z.string().trim().min(1).max(200).optional().describe('Default: the field’s label'),
    required: z.boolean().default(false),
  })
  .strict();

export const FormConsentSchema = z
  .object({
    purpose: PurposeKey,
    label: z.string().trim().min(1).max(2000).describe('The exact wording next to the checkbox'),
  })
  .strict();

export const FormRequest = z
  .object({
    name: z.string().trim().min(1).max(200),
    object: z.enum(CONSENT_OBJECTS).default('leads'),
    fields: z.array(FormFieldSchema).min(1).max(50),
    consents: z.array(FormConsentSchema).max(10).default([]),
    thankYouMessage: z.string().trim().max(2000).optional(),
    redirectUrl: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    doubleOptIn: z.boolean().default(false),
    allowedOrigins: z
      .array(z.url({ protocol: /^https?$/ }).max(200))
      .max(20)
      .default([])
      .describe('Sites that may post to the form from a script (CORS)'),
  })
  .strict();
export type TFormRequest = z.input<typeof FormRequest>;

export const FormSchema = z.object({
  id: z.string(),
  name: z.string(),
  object: z.enum(CONSENT_OBJECTS),
  version: z.number().int(),
  url: z.string().describe('The hosted page'),
  fields: z.array(
    z.object({ name: z.string(), field: z.string(), label: z.string().optional(), required: z.boolean() }),
  ),
  consents: z.array(z.object({ purpose: z.string(), label: z.string() })),
  thankYouMessage: z.string().nullable(),
  redirectUrl: z.string().nullable(),
  doubleOptIn: z.boolean(),
  allowedOrigins: z.array(z.string()),
  submissions: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TForm = z.infer<typeof FormSchema>;
export const FormResponse = z.object({ data: FormSchema });
export const FormListResponse = z.object({ data: z.array(FormSchema) });

export const FormSubmissionSchema = z.object({
  id: z.string(),
  formId: z.string(),
  formVersion: z.number().int(),
  object: z.string(),
  recordId: z.string(),
  data: z.record(z.string(), z.unknown()),
  pageUrl: z.string().nullable(),
  referrer: z.string().nullable(),
  visitorId: z.string().nullable(),
  confirmedAt: z.string().nullable(),
  createdAt: z.string(),
});
export const FormSubmissionsResponse = z.object({ data: z.array(FormSubmissionSchema) });

/** `GET /.well-known/gpc.json`: this server honours Global Privacy Control (`Sec-GPC: 1`). */
export const GpcSupport = z.object({
  gpc: z.literal(true),
  lastUpdate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .describe('YYYY-MM-DD'),
});
