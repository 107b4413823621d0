import { z } from 'zod';

/** Request and response contracts of data-subject requests and retention policies (`/api/v1/privacy/…`). */

export const PRIVACY_REQUEST_TYPES = ['access', 'erasure', 'rectification', 'opt_out', 'restriction'] as const;
export const PrivacyRequestTypeSchema = z.enum(PRIVACY_REQUEST_TYPES);
export type TPrivacyRequestType = z.infer<typeof PrivacyRequestTypeSchema>;

export const PRIVACY_REQUEST_STATUSES = ['unverified', 'pending', 'in_progress', 'completed', 'rejected'] as const;
export const PrivacyRequestStatusSchema = z.enum(PRIVACY_REQUEST_STATUSES);

/** GDPR: one month (30 days), extendable by two more; CCPA: 45 days, extendable by 45 more. */
export const PRIVACY_REGIMES = ['gdpr', 'ccpa'] as const;
export const PRIVACY_DUE_DAYS = { gdpr: 30, ccpa: 45 } as const;
export const PRIVACY_EXTENSION_DAYS = { gdpr: 60, ccpa: 45 } as const;

const Email = z
  .string()
  .trim()
  .max(320)
  .pipe(z.email({ message: 'must be an email address' }))
  .transform((s) => s.toLowerCase());

export const CreatePrivacyRequest = z
  .object({
    type: PrivacyRequestTypeSchema,
    email: Email,
    /** An administrator may record that they verified the person's identity. */
    verified: z.literal(true).optional(),
    regime: z.enum(PRIVACY_REGIMES).default('gdpr'),
    /** For erasure: delete the person (default) or anonymise them, keeping aggregate statistics. */
    mode: z.enum(['delete', 'anonymise']).default('delete'),
    details: z.string().trim().max(5000).default(''),
    assigneeId: z.uuid().optional(),
  })
  .strict();
export type TCreatePrivacyRequest = z.input<typeof CreatePrivacyRequest>;

export const CreatedPrivacyRequestResponse = z.object({ data: z.object({ id: z.string(), dueAt: z.string() }) });

export const PrivacyRequestSchema = z.object({
  id: z.string(),
  type: PrivacyRequestTypeSchema,
  email: z.string().nullable().describe('Cleared once an erasure completes'),
  regime: z.enum(PRIVACY_REGIMES),
  status: PrivacyRequestStatusSchema,
  source: z.enum(['admin', 'public', 'api']),
  mode: z.enum(['delete', 'anonymise']),
  details: z.string(),
  dueAt: z.string(),
  extendedReason: z.string().nullable(),
  assigneeId: z.string().nullable(),
  verifiedAt: z.string().nullable(),
  result: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});
export type TPrivacyRequest = z.infer<typeof PrivacyRequestSchema>;

export const PrivacyRequestResponse = z.object({ data: PrivacyRequestSchema });
export const PrivacyRequestListResponse = z.object({ data: z.array(PrivacyRequestSchema) });

export const PrivacyRequestQuery = z
  .object({
    status: PrivacyRequestStatusSchema.optional(),
    type: PrivacyRequestTypeSchema.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(100),
  })
  .strict();

export const UpdatePrivacyRequest = z
  .object({
    assigneeId: z.uuid().nullable().optional(),
    verified: z.literal(true).optional(),
    status: z.literal('rejected').optional().describe('Refuse the request (e.g. identity not confirmed)'),
    details: z.string().trim().max(5000).optional(),
  })
  .strict();

export const ExtendPrivacyRequest = z
  .object({ reason: z.string().trim().min(1, 'Enter the reason for the extension').max(2000) })
  .strict();

export const CompletePrivacyRequest = z
  .object({
    /** Rectification: the corrected values, applied to the person's records through the normal edit path. */
    changes: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** The public intake form (`POST /privacy/{workspaceId}`): always answered the same way. */
export const PublicPrivacyRequest = z
  .object({
    type: PrivacyRequestTypeSchema,
    email: Email,
    details: z.string().trim().max(5000).default(''),
  })
  .strict();

export const RETENTION_ACTIONS = ['delete', 'anonymise'] as const;

export const RetentionPolicyInput = z
  .object({
    name: z.string().trim().min(1, 'Enter a name').max(120),
    object: z.string().trim().min(1).max(63),
    filter: z.unknown().optional().describe('A filter tree choosing the records (as for lists)'),
    months: z.number().int().min(1).max(1200).describe('Records not updated for this many months'),
    action: z.enum(RETENTION_ACTIONS),
    active: z.boolean().default(true),
  })
  .strict();
export type TRetentionPolicyInput = z.input<typeof RetentionPolicyInput>;

export const RetentionPolicySchema = z.object({
  id: z.string(),
  name: z.string(),
  object: z.string(),
  filter: z.unknown().nullable(),
  months: z.number(),
  action: z.enum(RETENTION_ACTIONS),
  active: z.boolean(),
  lastRunAt: z.string().nullable(),
  lastResult: z.unknown().nullable(),
});
export type TRetentionPolicy = z.infer<typeof RetentionPolicySchema>;

export const RetentionPolicyResponse = z.object({ data: RetentionPolicySchema });
export const RetentionPolicyListResponse = z.object({ data: z.array(RetentionPolicySchema) });

export const RetentionRunQuery = z.object({ dryRun: z.enum(['true', 'false']).default('true') }).strict();

export const RetentionRunSchema = z.object({
  policyId: z.string(),
  dryRun: z.boolean(),
  object: z.string(),
  action: z.enum(RETENTION_ACTIONS),
  cutoff: z.string(),
  matched: z.number(),
  processed: z.number(),
  sampleIds: z.array(z.string()),
});
export type TRetentionRun = z.infer<typeof RetentionRunSchema>;
export const RetentionRunResponse = z.object({ data: RetentionRunSchema });
