import { z } from 'zod';
import { FilterTreeInput } from '../filter';
import { RecordSchema } from './records';

/**
 * Request and response contracts of lead scoring (`/api/v1/scoring`, the score breakdown
 * `GET /api/v1/{leads|contacts}/{id}/score` and the MQL hand-off), server/modules/scoring.
 */

const FilterTree = FilterTreeInput;

export const SCORED_OBJECTS = ['leads', 'contacts'] as const;

/** The events engagement rules can name (the scoring consumer receives these). */
export const ENGAGEMENT_EVENTS = [
  'page.viewed',
  'form.submitted',
  'email.opened',
  'email.clicked',
  'meeting.created',
  'interaction.created',
] as const;

const EventName = z.enum(ENGAGEMENT_EVENTS);

/** What an engagement event's data must hold for the rule to count it. */
export const EngagementMatchSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .describe('page.viewed: a glob on data.path (or data.url), * for any run of characters: "/pricing*"'),
    url: z.string().min(1).max(2000).optional().describe('page.viewed: a glob on data.url'),
    kind: z.string().min(1).max(50).optional().describe('page.viewed: data.kind must equal it ("download")'),
    formId: z.string().min(1).max(100).optional().describe('form.submitted: only this form'),
  })
  .strict();

const Points = z.number().int().min(-1000).max(1000).describe('Points the rule gives (negative takes away)');
const Cap = z.number().int().min(0).max(100_000).nullable().describe('The most points one record gets from this rule');
const Name = z.string().trim().min(1).max(200);
const ObjectName = z.enum(SCORED_OBJECTS).describe('The records the rule scores (default leads)');

export const FitRuleInput = z
  .object({
    name: Name,
    kind: z.literal('fit'),
    object: ObjectName.optional(),
    condition: FilterTree.describe('A filter tree over the object (the record engine’s), as in list filters'),
    points: Points,
    cap: Cap.optional(),
    active: z.boolean().optional(),
  })
  .strict();

export const EngagementRuleInput = z
  .object({
    name: Name,
    kind: z.literal('engagement'),
    object: ObjectName.optional(),
    event: EventName.describe(`The event that earns the points: ${ENGAGEMENT_EVENTS.join(', ')}`),
    match: EngagementMatchSchema.optional(),
    points: Points,
    halfLifeDays: z
      .number()
      .positive()
      .max(3650)
      .nullable()
      .optional()
      .describe('Points halve every this many days, continuously (none: no decay)'),
    cap: Cap.optional(),
    active: z.boolean().optional(),
  })
  .strict();

export const CreateScoringRuleRequest = z.discriminatedUnion('kind', [FitRuleInput, EngagementRuleInput]);
export type TCreateScoringRuleRequest = z.infer<typeof CreateScoringRuleRequest>;

/** A partial change; the kind and object stay. */
export const UpdateScoringRuleRequest = z
  .object({
    name: Name.optional(),
    condition: FilterTree.optional(),
    event: EventName.optional(),
    match: EngagementMatchSchema.optional(),
    points: Points.optional(),
    halfLifeDays: z.number().positive().max(3650).nullable().optional(),
    cap: Cap.optional(),
    active: z.boolean().optional(),
  })
  .strict();
export type TUpdateScoringRuleRequest = z.infer<typeof UpdateScoringRuleRequest>;

export const ScoringRuleSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['fit', 'engagement']),
  object: z.enum(SCORED_OBJECTS),
  condition: FilterTree.nullable(),
  event: z.string().nullable(),
  match: EngagementMatchSchema,
  points: z.number(),
  cap: z.number().nullable(),
  halfLifeDays: z.number().nullable(),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TScoringRule = z.infer<typeof ScoringRuleSchema>;

export const ScoringRuleResponse = z.object({ data: ScoringRuleSchema });
export const ScoringRuleListResponse = z.object({ data: z.array(ScoringRuleSchema) });

export const ScoringSettingsSchema = z.object({
  mqlThreshold: z.number().int().describe('A lead whose total score reaches it becomes an MQL'),
  mqlOwnerId: z.string().nullable().describe('New MQLs are assigned to this member (null: the owner stays)'),
  grades: z
    .object({ A: z.number(), B: z.number(), C: z.number() })
    .describe('The lowest total of each grade (D below C): the threshold, two thirds and one third of it'),
});
export type TScoringSettings = z.infer<typeof ScoringSettingsSchema>;
export const ScoringSettingsResponse = z.object({ data: ScoringSettingsSchema });
export const UpdateScoringSettingsRequest = z
  .object({
    mqlThreshold: z.number().int().min(1).max(1_000_000).optional(),
    mqlOwnerId: z.uuid().nullable().optional(),
  })
  .strict();

export const ScoreFactorSchema = z.object({
  rule: z.string().describe('The rule’s name'),
  ruleId: z.string(),
  kind: z.enum(['fit', 'engagement']),
  points: z.number().describe('Points now (engagement: after decay and the rule’s cap)'),
  originalPoints: z.number().describe('Points when earned'),
  at: z.string().nullable().describe('Engagement: when the event happened; fit: null'),
  halfLifeDays: z.number().nullable(),
  event: z.string().nullable().optional(),
});
export type TScoreFactor = z.infer<typeof ScoreFactorSchema>;

export const ScoreBreakdownSchema = z.object({
  total: z.number(),
  fit: z.number(),
  engagement: z.number(),
  grade: z.enum(['A', 'B', 'C', 'D']),
  mqlThreshold: z.number(),
  factors: z.array(ScoreFactorSchema),
});
export type TScoreBreakdown = z.infer<typeof ScoreBreakdownSchema>;
export const ScoreBreakdownResponse = z.object({ data: ScoreBreakdownSchema });

export const RESCORE_STATES = ['queued', 'running', 'completed', 'failed'] as const;
export const RescoreSchema = z.object({
  id: z.string(),
  state: z.enum(RESCORE_STATES),
  reason: z.string(),
  total: z.number().describe('Records to rescore'),
  done: z.number().describe('Records rescored so far'),
  changed: z.number().describe('Records whose score changed'),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type TRescore = z.infer<typeof RescoreSchema>;
export const RescoreResponse = z.object({ data: RescoreSchema.nullable() });

export const RejectMqlRequest = z
  .object({
    reason: z.string().trim().min(1, 'give a reason').max(500).describe('Why the lead goes back to nurturing'),
  })
  .strict();
export const MqlDecisionResponse = z.object({ data: RecordSchema });
