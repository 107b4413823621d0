import { z } from 'zod';
import { checkFilterTree, type FilterNode } from '../../../common/filter';

/**
 * A workflow definition: one trigger, optional conditions (a filter tree over the
 * record and its related records), and a list of steps; `branch` steps hold their
 * own lists. Stored as JSON per version (workflow_versions.definition).
 */

const FilterTree = z.unknown().superRefine((v, ctx) => {
  for (const e of checkFilterTree(v, '')) {
    ctx.addIssue({ code: 'custom', message: e.message, path: e.path ? e.path.split('.').filter(Boolean) : [] });
  }
}) as unknown as z.ZodType<FilterNode>;

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
      mode: z.enum(['round_robin', 'user', 'rule']),
      /** round_robin: members of this team in turn. */
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

/** The object whose records runs are about (none for object-less schedules and hooks). */
export const objectOf = (t: Trigger): string | undefined => ('object' in t ? t.object : undefined);

/** A step's position: indices into lists and branch arms, e.g. [2, 'yes', 0] ⇄ "2.yes.0". */
export type StepPath = (number | 'yes' | 'no')[];

export const pathKey = (p: StepPath): string => p.join('.');
export const parsePath = (key: string): StepPath =>
  key.split('.').map((k) => (k === 'yes' || k === 'no' ? k : Number(k)));

/** The list a path points into and the step there. */
function listAt(steps: Step[], path: StepPath): Step[] | undefined {
  let list: Step[] = steps;
  for (let i = 0; i < path.length - 1; i += 2) {
    const s = list[path[i] as number];
    if (s?.type !== 'branch') return undefined;
    list = s[path[i + 1] as 'yes' | 'no'];
  }
  return list;
}

export function stepAt(steps: Step[], path: StepPath): Step | undefined {
  return listAt(steps, path)?.[path[path.length - 1] as number];
}

/** The step after `path` once it (and, for a branch, its arm) is done: next sibling, else up a level. */
export function nextAfter(steps: Step[], path: StepPath): StepPath | undefined {
  let p = [...path];
  while (p.length > 0) {
    const list = listAt(steps, p);
    const idx = (p[p.length - 1] as number) + 1;
    if (list && idx < list.length) return [...p.slice(0, -1), idx];
    p = p.slice(0, -2); // leave the arm: continue after the branch step itself
  }
  return undefined;
}

export const waitMs = (s: { amount: number; unit: 'seconds' | 'minutes' | 'hours' | 'days' }): number =>
  s.amount * { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 }[s.unit];
