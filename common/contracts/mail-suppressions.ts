import { z } from 'zod';

/** Request and response contracts of the suppression list (`/api/v1/mail/suppressions`), shared by server and web app. */

export const SUPPRESSION_REASONS = ['hard_bounce', 'complaint', 'soft_bounce_limit', 'manual', 'erasure'] as const;
export const SuppressionReasonSchema = z.enum(SUPPRESSION_REASONS);
export type TSuppressionReason = z.infer<typeof SuppressionReasonSchema>;

const Email = z
  .string()
  .trim()
  .max(320)
  .pipe(z.email({ message: 'must be an email address' }))
  .transform((s) => s.toLowerCase());

export const SuppressionSchema = z.object({
  address: z.string().describe('Lower-cased'),
  reason: SuppressionReasonSchema,
  source: z.string().describe('What suppressed it: the bounce status and diagnostic, the complaint type, or "manual"'),
  outboxId: z.string().nullable().describe('The mail whose bounce or complaint suppressed the address'),
  createdAt: z.string(),
});
export type TSuppression = z.infer<typeof SuppressionSchema>;

export const SuppressionQuery = z
  .object({
    reason: SuppressionReasonSchema.optional(),
    /** Addresses starting with this (lower-cased). */
    q: z.string().trim().max(320).optional(),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const SuppressionPageSchema = z.object({
  data: z.array(SuppressionSchema),
  page: z.object({ nextCursor: z.string().nullable(), hasMore: z.boolean() }),
});

export const CreateSuppressionRequest = z
  .object({
    address: Email,
    /** Administrators add addresses by hand (reason manual) unless they record a known bounce or complaint. */
    reason: z.enum(['hard_bounce', 'complaint', 'soft_bounce_limit', 'manual']).default('manual'),
    source: z.string().trim().max(500).optional(),
  })
  .strict();
export type TCreateSuppressionRequest = z.input<typeof CreateSuppressionRequest>;

export const SuppressionAddress = z.object({ address: Email }).strict();

export const BounceSettingsSchema = z.object({
  softBounceLimit: z.number().int().min(1).max(100).describe('Soft bounces that suppress an address …'),
  softBounceWindowDays: z.number().int().min(1).max(365).describe('… within this many days'),
});
export type TBounceSettings = z.infer<typeof BounceSettingsSchema>;
export const UpdateBounceSettingsRequest = BounceSettingsSchema.partial().strict();
