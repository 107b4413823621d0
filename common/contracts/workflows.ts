import { z } from 'zod';
import { type FilterNode, FilterTreeInput } from '../filter';

/**
 * Request and response contracts of workflows (`/api/v1/workflows`), shared by server and web app.
 *
 * A workflow definition: one trigger, optional conditions (a filter tree over the
 * record and its related records), and a list of steps; `branch` steps hold their
 * own lists. Stored as JSON per version (workflow_versions.definition).
 */

const FilterTree = FilterTreeInput;

const ObjectName = z.string().regex(/^[a-z][a-z_]*$/, 'must be an object name, e.g. accounts');
const FieldName = z.string().regex(/^[a-z][a-zA-Z0-9]*$/, 'must be a field name, e.g. closeDate');

export const TriggerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('record_created'), object: ObjectName }).strict(),
  z
    .object({
      type: z.literal('field_changed'),
      object: ObjectName,
      field: FieldName,
      /** Only when the value changed from / to this (absent = any). */
      from: z.unknown().optional(),
      to: z.unknown().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('stage_moved'),
      object: ObjectName,
      field: FieldName.default('stage'),
      from: z.unknown().optional(),
      to: z.unknown().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('date_reached'),
      object: ObjectName,
      field: FieldName,
      /** Days relative to the field's date: -3 = three days before. */
      offsetDays: z.number().int().min(-3650).max(3650).default(0),
      /** Time of day (UTC) the trigger fires on that day, for date fields. */
      atTime: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM')
        .default('09:00'),
    })
    .strict(),
  z
    .object({
      type: z.literal('schedule'),
      /** Five-field cron (UTC), e.g. "0 8 * * 1" = Mondays 08:00. */
      cron: z.string().min(9).max(100),
      /** With an object: every record meeting the conditions is enrolled at each tick. */
      object: ObjectName.optional(),
    })
    .strict(),
  z.object({ type: z.literal('webhook'), object: ObjectName.optional() }).strict(),
  z
    .object({
      type: z.literal('event'),
      /** An event type modules offer as a trigger (segment.entered, segment.left, …); its record is the run's. */
      event: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'must be an event type, e.g. segment.entered'),
      /** Only events about records of this object (and steps may act on the record). */
      object: ObjectName.optional(),
    })
    .strict(),
  z.object({ type: z.literal('manual'), object: ObjectName }).strict(),
]);
export type Trigger = z.infer<typeof TriggerSchema>;

/** Who a notification, task or assignment goes to. */
const UserRef = z.union([z.literal('record_owner'), z.literal('run_as'), z.uuid()]);
export type UserRef = z.infer<typeof UserRef>;

const StepId = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'must be 1–40 letters, digits, - or _');
const Text = (max: number) => z.string().min(1).max(max);

const ActionSteps = [
  z.object({ id: StepId, type: z.literal('update_fields'), values: z.record(FieldName, z.unknown()) }).strict(),
  z
    .object({
      id: StepId,
      type: z.literal('create_task'),
      title: Text(300),
      dueInDays: z.number().int().min(0).max(3650).optional(),
      assignTo: UserRef.default('record_owner'),
      /** Further task fields (templates allowed). */
      values: z.record(FieldName, z.unknown()).optional(),
    })
    .strict(),
  z
    .object({
      id: StepId,
      type: z.literal('assign_owner'),
      mode: z.enum(['round_robin', 'user', 'rule', 'territory']),
      /**
       * round_robin: members of this team in turn. territory: members of the team of the
       * record's territory in turn (its owner when the team is empty or none is set).
       */
      teamId: z.uuid().optional(),
      /** user: this user; rule: the fallback when no rule matches. */
      userId: z.uuid().optional(),
      /** rule: the first rule whose filter the record meets decides. */
      rules: z
        .array(z.object({ when: FilterTree, userId: z.uuid() }).strict())
        .max(50)
        .optional(),
    })
    .strict()
    .superRefine((s, ctx) => {
      if (s.mode === 'round_robin' && !s.teamId)
        ctx.addIssue({ code: 'custom', path: ['teamId'], message: 'is required' });
      if (s.mode === 'user' && !s.userId) ctx.addIssue({ code: 'custom', path: ['userId'], message: 'is required' });
      if (s.mode === 'rule' && !s.rules?.length)
        ctx.addIssue({ code: 'custom', path: ['rules'], message: 'is required' });
    }),
  z.object({ id: StepId, type: z.literal('add_tag'), tags: z.array(Text(100)).min(1).max(20) }).strict(),
  z.object({ id: StepId, type: z.literal('remove_tag'), tags: z.array(Text(100)).min(1).max(20) }).strict(),
  z
    .object({
      id: StepId,
      type: z.literal('send_email'),
      /** record: the record's email field; owner: its owner; else an address (templates allowed). */
      to: z.union([z.literal('record'), z.literal('record_owner'), Text(320)]).default('record'),
      /** A mail template (/api/v1/mail/templates) instead of the subject and body written here. */
      templateId: z.uuid().optional(),
      subject: Text(300).optional(),
      body: Text(20_000).optional(),
      /** Overrides the workspace's cool-down for this step (hours; 0 = none). */
      cooldownHours: z.number().int().min(0).max(8760).optional(),
    })
    .strict(),
  z
    .object({
      id: StepId,
      type: z.literal('notify'),
      users: z.array(UserRef).min(1).max(50),
      title: Text(300),
      body: z.string().max(4000).optional(),
    })
    .strict(),
  z
    .object({
      id: StepId,
      type: z.literal('webhook'),
      url: z.url({ protocol: /^https?$/ }).max(2000),
      method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
      headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), z.string().max(2000)).optional(),
      /** JSON body (templates allowed in strings); default: the run's record and trigger. */
      body: z.unknown().optional(),
    })
    .strict(),
  z
    .object({
      id: StepId,
      type: z.literal('create_record'),
      object: ObjectName,
      values: z.record(FieldName, z.unknown()),
    })
    .strict(),
  z
    .object({
      id: StepId,
      type: z.literal('campaign_email'),
      /** A marketing email to the run's contact or lead, as a message of this campaign (consent,
       * unsubscribe, tracking, bounces and results are the campaign's). A sequence fills in its own. */
      campaignId: z.uuid(),
      templateId: z.uuid(),
      /** A sender identity (/api/v1/mail/senders); the workspace's default when absent. */
      senderId: z.uuid().optional(),
    })
    .strict(),
  z
    .object({
      id: StepId,
      type: z.literal('enroll_in_sequence'),
      sequenceId: z.uuid(),
      /** In a sequence: leave this one for the other ("move to another sequence"). */
      leaveCurrent: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      id: StepId,
      type: z.literal('wait'),
      amount: z.number().int().min(1).max(100_000),
      unit: z.enum(['seconds', 'minutes', 'hours', 'days']),
    })
    .strict(),
] as const;

export type Step =
  | z.infer<(typeof ActionSteps)[number]>
  | { id: string; type: 'branch'; condition: FilterNode; yes: Step[]; no: Step[] };

export const StepSchema: z.ZodType<Step> = z.lazy(() =>
  z.union([
    ...ActionSteps,
    z
      .object({
        id: StepId,
        type: z.literal('branch'),
        condition: FilterTree,
        yes: z.array(StepSchema).max(50).default([]),
        no: z.array(StepSchema).max(50).default([]),
      })
      .strict(),
  ]),
) as z.ZodType<Step>;

export const STEP_TYPES = [
  'update_fields',
  'create_task',
  'assign_owner',
  'add_tag',
  'remove_tag',
  'send_email',
  'notify',
  'webhook',
  'create_record',
  'campaign_email',
  'enroll_in_sequence',
  'wait',
  'branch',
] as const;

export const DefinitionSchema = z
  .object({
    trigger: TriggerSchema,
    conditions: FilterTree.optional(),
    steps: z.array(StepSchema).max(100),
  })
  .strict()
  .superRefine((d, ctx) => {
    const seen = new Set<string>();
    const walk = (steps: Step[], path: (string | number)[]) => {
      steps.forEach((s, i) => {
        if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: [...path, i, 'id'], message: 'is used twice' });
        seen.add(s.id);
        if (s.type === 'branch') {
          walk(s.yes, [...path, i, 'yes']);
          walk(s.no, [...path, i, 'no']);
        }
      });
    };
    walk(d.steps, ['steps']);
  });
export type Definition = z.infer<typeof DefinitionSchema>;

// Endpoints -------------------------------------------------------------------

export const WorkflowRequest = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).nullish(),
    definition: z.unknown().describe('A definition (trigger, conditions, steps): see the API guide'),
    active: z.boolean().optional(),
  })
  .strict();
export const UpdateWorkflowRequest = WorkflowRequest.partial().omit({ active: true });
export const ActivateRequest = z
  .object({ version: z.number().int().min(1).optional() })
  .strict()
  .optional();

export const RUN_STATUSES = ['running', 'waiting', 'completed', 'failed', 'skipped', 'cancelled'] as const;
export const RunStatusSchema = z.enum(RUN_STATUSES);
export const RunsQuery = z.object({
  status: RunStatusSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
  cursor: z.uuid().optional(),
});

export const ManualRunRequest = z
  .object({
    recordIds: z.array(z.uuid()).min(1).max(1000).optional(),
    filter: FilterTree.optional() as z.ZodType<FilterNode | undefined>,
  })
  .strict();

/** A stored definition as responses carry it (validated when it was saved, not again on the way out). */
const StoredDefinition = z.unknown().describe('The definition (trigger, conditions, steps)') as z.ZodType<Definition>;

export const WorkflowSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  active: z.boolean(),
  activeVersion: z.number().nullable(),
  latestVersion: z.number(),
  activatedAt: z.string().nullable(),
  runAsUserId: z.string().nullable(),
  definition: StoredDefinition,
  hookUrl: z.string().nullable().describe('Webhook triggers: the secret URL that starts a run'),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastRunAt: z.string().nullable().optional().describe('In the list only'),
});
export type TWorkflow = z.infer<typeof WorkflowSchema>;

export const WorkflowVersionSchema = z.object({
  version: z.number(),
  definition: StoredDefinition,
  createdBy: z.string().nullable(),
  createdAt: z.string(),
});

export const RunSchema = z.object({
  id: z.string(),
  workflowId: z.string(),
  version: z.number(),
  status: RunStatusSchema,
  triggerType: z.string(),
  triggerData: z.unknown(),
  object: z.string().nullable(),
  recordId: z.string().nullable(),
  depth: z.number(),
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

export const RunStepSchema = z.object({
  id: z.string(),
  path: z.string().describe('The step’s place: indices into lists and branch arms, e.g. 2.yes.0'),
  stepId: z.string(),
  type: z.string(),
  status: z.enum(['pending', 'running', 'waiting', 'completed', 'failed', 'skipped']),
  attempts: z.number(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
  wakeAt: z.string().nullable(),
  output: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
});

export const RunDetailSchema = RunSchema.extend({ steps: z.array(RunStepSchema) });

export const RunPageSchema = z.object({
  data: z.array(RunSchema),
  page: z.object({ nextCursor: z.string().nullable(), hasMore: z.boolean() }),
});

export const AutomationSettingsSchema = z.object({ emailCooldownHours: z.number() });
export const AutomationSettingsRequest = z.object({ emailCooldownHours: z.number().int().min(0).max(8760) }).strict();

export const SUPPRESSION_REASONS = ['unsubscribed', 'bounced', 'complained', 'manual'] as const;
export const SuppressRequest = z
  .object({ email: z.email().max(320), reason: z.enum(SUPPRESSION_REASONS).default('manual') })
  .strict();
