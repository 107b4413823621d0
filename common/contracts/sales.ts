import { z } from 'zod';
import { PageSchema, RecordSchema } from './records';

/** Request and response contracts of the sales endpoints (pipelines, price books, quotes, conversion, deals, duplicates). */

const Uuid = z.uuid();
/** An exact decimal as a string (never a float): up to 15 integer digits and `scale` decimals. */
const decimal = (scale: number, what: string) =>
  z
    .string()
    .trim()
    .regex(
      new RegExp(`^\\d{1,15}(\\.\\d{1,${scale}})?$`),
      `must be a non-negative decimal string with at most ${scale} decimals, e.g. "12.5"`,
    )
    .describe(what);
const Currency = z
  .string()
  .trim()
  .toUpperCase()
  .refine((c) => Intl.supportedValuesOf('currency').includes(c), 'must be an ISO 4217 currency code, e.g. EUR');
export const Money = z.object({ amount: z.string(), currency: z.string() });

// Pipelines ------------------------------------------------------------------

export const StageKind = z.enum(['open', 'won', 'lost']);
export const StageInput = z
  .object({
    id: z.string().max(64).optional().describe('An existing stage (keep it); absent for a new stage'),
    name: z.string().trim().min(1).max(100),
    probability: z.number().min(0).max(100).optional().describe('Default: 100 won, 0 lost, 10 open'),
    kind: StageKind,
  })
  .strict();
export const CreatePipelineRequest = z
  .object({
    name: z.string().trim().min(1).max(100),
    isDefault: z.boolean().optional(),
    stages: z.array(StageInput).min(3).max(30),
  })
  .strict();
export const UpdatePipelineRequest = CreatePipelineRequest.partial()
  .strict()
  .describe('`stages` is the whole new list in order: stages with an id are kept, others added, missing ones removed');
export const StageSchema = z.object({
  id: z.string(),
  pipelineId: z.string(),
  name: z.string(),
  position: z.number(),
  probability: z.number(),
  kind: StageKind,
});
export const PipelineSchema = z.object({
  id: z.string(),
  name: z.string(),
  position: z.number(),
  isDefault: z.boolean(),
  stages: z.array(StageSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const StageReportSchema = z.object({
  stageId: z.string(),
  name: z.string(),
  kind: StageKind,
  entered: z.number().describe('Stays that began in the period'),
  completed: z.number().describe('Of those, stays that have ended'),
  current: z.number().describe('Opportunities in this stage now'),
  averageDaysInStage: z.number().nullable().describe('Mean length of completed stays, in days'),
});

// Opportunities --------------------------------------------------------------

export const ContactRole = z.enum([
  'decision_maker',
  'economic_buyer',
  'champion',
  'influencer',
  'technical_buyer',
  'user',
  'other',
]);
export const OpportunityContactInput = z
  .object({ contactId: Uuid, role: ContactRole.nullable().optional(), isPrimary: z.boolean().optional() })
  .strict();
export const SetOpportunityContactsRequest = z.object({ contacts: z.array(OpportunityContactInput).max(50) }).strict();
export const OpportunityContactSchema = z.object({
  contactId: z.string(),
  role: ContactRole.nullable(),
  isPrimary: z.boolean(),
  contact: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('The contact (title fields) when the caller may see it'),
});
export const StageHistorySchema = z.object({
  id: z.string(),
  pipelineId: z.string(),
  fromStageId: z.string().nullable(),
  toStageId: z.string(),
  stageName: z.string().nullable(),
  enteredAt: z.string(),
  leftAt: z.string().nullable(),
  durationSeconds: z.number().describe('Time in the stage (so far, for the current stage)'),
  changedBy: z.string().nullable(),
});

// Price books ----------------------------------------------------------------

export const PriceBookRequest = z
  .object({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(2000).nullable().optional(),
    active: z.boolean().optional(),
  })
  .strict();
export const PriceBookSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  isStandard: z.boolean(),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const PriceEntryInput = z
  .object({ productId: Uuid, currency: Currency, unitPrice: decimal(4, 'Unit price, e.g. "49.90"') })
  .strict();
export const SetPricesRequest = z.object({ entries: z.array(PriceEntryInput).min(1).max(1000) }).strict();
export const PriceEntrySchema = z.object({
  priceBookId: z.string(),
  productId: z.string(),
  currency: z.string(),
  unitPrice: z.string(),
  updatedAt: z.string(),
});

// Quotes ---------------------------------------------------------------------

export const QuoteLineInput = z
  .object({
    productId: Uuid.nullable().optional(),
    name: z.string().trim().min(1).max(200).optional().describe('Default: the product’s name'),
    description: z.string().max(2000).nullable().optional(),
    quantity: decimal(6, 'Quantity, > 0'),
    unitPrice: decimal(4, 'Default: the product’s price in the quote’s price book and currency').optional(),
    discountPercent: decimal(4, 'Line discount in %, 0–100').optional(),
    taxRate: decimal(4, 'Tax rate in %, 0–100; default: the product’s tax rate').optional(),
  })
  .strict();
export const SetQuoteLinesRequest = z.object({ lines: z.array(QuoteLineInput).max(200) }).strict();
export const QuoteLineSchema = z.object({
  id: z.string(),
  position: z.number(),
  productId: z.string().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  quantity: z.string(),
  // The amounts are absent when the caller's role hides any of the quote's amounts (a line's
  // price, discount or tax would reveal them).
  unitPrice: z.string().optional(),
  discountPercent: z.string().optional(),
  taxRate: z.string().optional(),
  gross: z.string().optional(),
  discount: z.string().optional(),
  tax: z.string().optional(),
  total: z.string().optional(),
});
/** `PUT /api/v1/quotes/{id}/lines`: the quote with its recomputed totals, and its lines. */
export const SetQuoteLinesResponse = z.object({
  data: z.object({ quote: RecordSchema, lines: z.array(QuoteLineSchema) }),
});
export const AcceptQuoteRequest = z
  .object({
    closeOpportunity: z
      .boolean()
      .optional()
      .describe('Default true: move the opportunity to its pipeline’s won stage with the quote’s total as amount'),
  })
  .strict();

/** `POST /api/v1/quotes/{id}/accept`: the accepted quote and, when it was closed as won, its opportunity. */
export const AcceptQuoteResponse = z.object({
  data: z.object({ quote: RecordSchema, opportunity: RecordSchema.nullable() }),
});

// Leads ----------------------------------------------------------------------

export const ConvertLeadRequest = z
  .object({
    accountId: Uuid.optional().describe('Link this account instead of matching by domain / name'),
    newAccount: z
      .boolean()
      .optional()
      .describe('Create a new account even when one matches (default false; `accountId` wins)'),
    contactId: Uuid.optional().describe('Link this contact instead of matching by email'),
    createOpportunity: z.boolean().optional().describe('Default true'),
    opportunity: z
      .object({
        name: z.string().trim().min(1).max(200).optional(),
        amount: z.object({ amount: z.string(), currency: z.string() }).strict().optional(),
        pipelineId: z.string().max(64).optional(),
        stageId: z.string().max(64).optional(),
        expectedCloseDate: z.string().optional(),
      })
      .strict()
      .optional(),
    ownerId: Uuid.optional().describe('Owner of the created records (default: the lead’s owner)'),
  })
  .strict();
export const ConvertLeadResponse = z.object({
  data: z.object({
    lead: z.record(z.string(), z.unknown()),
    account: z.object({ id: z.string(), created: z.boolean() }).nullable(),
    contact: z.object({ id: z.string(), created: z.boolean() }),
    opportunity: z.object({ id: z.string() }).nullable(),
  }),
});

/** Why an existing record matches a lead being converted. */
export const ConversionReason = z.enum(['domain', 'website', 'email_domain', 'name', 'similar_name', 'email']);
export const ConversionMatchSchema = z.object({
  id: z.string(),
  title: z.string(),
  subtitle: z.string().nullable(),
  reasons: z.array(ConversionReason),
  score: z.number().describe('0–1: how sure the match is'),
  strong: z
    .boolean()
    .describe('Sure enough to link without asking: converting without accountId links the first strong account'),
});
export const ConversionMatchesResponse = z.object({
  data: z.object({ accounts: z.array(ConversionMatchSchema), contacts: z.array(ConversionMatchSchema) }),
});

// Deals ----------------------------------------------------------------------

export const DealsQuery = z
  .object({
    from: z.iso.datetime({ offset: true }).optional().describe('Closed at or after (ISO 8601)'),
    to: z.iso.datetime({ offset: true }).optional().describe('Closed before (ISO 8601)'),
    ownerId: Uuid.optional(),
    pipelineId: z.string().max(64).optional(),
    status: z.enum(['won', 'lost']).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
    cursor: z.string().max(2000).optional(),
  })
  .strict();
export const DealSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['won', 'lost']),
  closedAt: z.string(),
  createdAt: z.string(),
  cycleDays: z.number().describe('closedAt − createdAt in days'),
  amount: Money.nullable().optional().describe('Absent when the caller’s role may not see amounts'),
  lostReason: z.string().nullable(),
  ownerId: z.string().nullable(),
  accountId: z.string().nullable(),
  pipelineId: z.string(),
  stageId: z.string(),
});
export const DealsPageSchema = z.object({ data: z.array(DealSchema), page: PageSchema });
export const DealStatsSchema = z.object({
  won: z.number(),
  lost: z.number(),
  winRate: z.number().nullable().describe('won / (won + lost); null when no deal closed in the period'),
  averageCycleDays: z.number().nullable().describe('Mean of closedAt − createdAt over won deals, in days'),
  medianCycleDays: z.number().nullable(),
  wonAmounts: z.array(z.object({ currency: z.string(), amount: z.string(), count: z.number() })).optional(),
  lostAmounts: z.array(z.object({ currency: z.string(), amount: z.string(), count: z.number() })).optional(),
});

// Duplicates -----------------------------------------------------------------

export const DuplicateSchema = z.object({
  object: z.string(),
  id: z.string(),
  title: z.string(),
  subtitle: z.string().nullable(),
  reasons: z
    .array(z.enum(['email', 'phone', 'shared_phone', 'domain', 'name']))
    .describe('shared_phone: the phone is also on several other records (a switchboard), weak evidence'),
  score: z.number().describe('0–1: the evidence combined (an email or a domain alone is 1)'),
  strong: z.boolean().describe('Sure enough to offer a one-click merge (score ≥ 0.85)'),
});
export const MergeRequest = z
  .object({
    otherId: Uuid.describe('The record merged into this one (it goes to the trash)'),
    values: z
      .record(z.string(), z.unknown())
      .optional()
      .describe('Chosen field values for the surviving record (a PATCH body), e.g. the other record’s email'),
  })
  .strict();
