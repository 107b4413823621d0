import { CronExpressionParser } from 'cron-parser';
import { sql } from 'kysely';
import type { FilterNode } from '../../../common/filter';
import { humanIssueMessage } from '../../../common/validation-messages';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { isTriggerEvent, triggerEvents } from '../../platform/events/trigger-events';
import { AppError, type FieldError } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { isWithheld } from '../../platform/records/sealing';
import { urlProblem } from '../../platform/webhooks/ssrf-guard';
import { type Definition, DefinitionSchema, objectOf, type Step } from './workflow-definition';

const RECORD_STEPS = new Set([
  'update_fields',
  'add_tag',
  'remove_tag',
  'assign_owner',
  'branch',
  'campaign_email',
  'enroll_in_sequence',
]);
/** Steps that act on a person: their trigger's object must be contacts or leads. */
const PERSON_STEPS = new Set(['campaign_email', 'enroll_in_sequence']);

/**
 * Parses and checks a definition for the caller: the shape (zod), then against the
 * workspace — objects exist and the caller may read them, trigger fields exist with
 * the right type, every filter compiles against the object as the caller sees it,
 * the cron expression parses, record steps have a record to act on, the members, teams
 * and mail templates steps name are this workspace's, webhook URLs pass the SSRF
 * guard (the operator's `allowPrivateNetwork`; checked again when sending). All
 * errors at once, each with its path under `definition`.
 */
export async function checkDefinition(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  input: unknown,
  network: { allowPrivateNetwork: boolean } = { allowPrivateNetwork: false },
): Promise<Definition> {
  const parsed = DefinitionSchema.safeParse(input);
  if (!parsed.success) {
    const errors = parsed.error.issues.map((i) => ({
      path: ['definition', ...i.path].join('.'),
      message: humanIssueMessage(i),
    }));
    throw new AppError('validation_failed', `Invalid workflow: ${errors.map((e) => e.path).join(', ')}`, { errors });
  }
  const def = parsed.data;
  const errors: FieldError[] = [];
  const object = objectOf(def.trigger);

  const filterErrors = async (obj: string, filter: FilterNode, path: string) => {
    try {
      await records.list(tx, actor, obj, { filter, limit: 1, fields: 'id' });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (err.errors.length === 0) errors.push({ path, message: err.message });
      for (const e of err.errors) errors.push({ path: e.path.replace(/^filter/, path), message: e.message });
    }
  };

  if (object) {
    if (!records.registry.get(object)) {
      errors.push({ path: 'definition.trigger.object', message: `no object "${object}"` });
    } else {
      const ctx = await records.context(tx, actor, object).catch(() => undefined);
      if (!ctx?.policy.can(object, 'read')) {
        errors.push({ path: 'definition.trigger.object', message: `you may not read ${object}` });
      } else if ('field' in def.trigger) {
        const field = ctx.schema.field(def.trigger.field);
        if (!field) errors.push({ path: 'definition.trigger.field', message: `unknown field "${def.trigger.field}"` });
        else if (def.trigger.type === 'date_reached' && !['date', 'datetime'].includes(field.def.type)) {
          errors.push({ path: 'definition.trigger.field', message: 'must be a date or date-time field' });
        } else if (
          isWithheld(field.def) &&
          (def.trigger.type === 'field_changed' || def.trigger.type === 'stage_moved')
        ) {
          // Events keep "[encrypted]" for such values (redactEventData): compare in a condition instead.
          for (const end of ['from', 'to'] as const) {
            if (def.trigger[end] === undefined) continue;
            errors.push({
              path: `definition.trigger.${end}`,
              message: `"${field.def.name}" is a sensitive field: its values are not kept in events; trigger on any change and test the value in the conditions`,
            });
          }
        }
      }
    }
  }
  if (def.trigger.type === 'event' && !isTriggerEvent(def.trigger.event)) {
    errors.push({
      path: 'definition.trigger.event',
      message: `workflows cannot start on "${def.trigger.event}"; use one of ${triggerEvents().join(', ') || '(none)'}`,
    });
  }
  if (def.trigger.type === 'schedule') {
    try {
      CronExpressionParser.parse(def.trigger.cron, { tz: 'UTC' });
    } catch (err) {
      errors.push({ path: 'definition.trigger.cron', message: `not a cron expression: ${(err as Error).message}` });
    }
  }
  const objectOk = !!object && !errors.some((e) => e.path.startsWith('definition.trigger.object'));
  if (def.conditions) {
    if (!object) errors.push({ path: 'definition.conditions', message: 'conditions need a trigger with an object' });
    else if (objectOk) await filterErrors(object, def.conditions, 'definition.conditions');
  }
  // Members and teams a step names: they must be this workspace's (checked at once, below).
  const userRefs: { path: string; id: string }[] = [];
  const teamRefs: { path: string; id: string }[] = [];
  const userRef = (path: string, ref: string | undefined) => {
    if (ref && ref !== 'record_owner' && ref !== 'run_as') userRefs.push({ path, id: ref });
  };
  const walk = async (steps: Step[], path: string) => {
    for (const [i, s] of steps.entries()) {
      const at = `${path}.${i}`;
      if (s.type === 'assign_owner') {
        userRef(`${at}.userId`, s.userId);
        for (const [j, r] of (s.rules ?? []).entries()) userRef(`${at}.rules.${j}.userId`, r.userId);
        if (s.teamId) teamRefs.push({ path: `${at}.teamId`, id: s.teamId });
      }
      if (s.type === 'create_task') userRef(`${at}.assignTo`, s.assignTo);
      if (s.type === 'webhook') {
        const problem = urlProblem(s.url, network.allowPrivateNetwork);
        if (problem) errors.push({ path: `${at}.url`, message: problem });
      }
      if (s.type === 'notify') for (const [j, u] of s.users.entries()) userRef(`${at}.users.${j}`, u);
      if (RECORD_STEPS.has(s.type) && !object) {
        errors.push({ path: `${at}.type`, message: 'this step acts on a record: the trigger has no object' });
        continue;
      }
      if (s.type === 'branch') {
        if (objectOk) await filterErrors(object as string, s.condition, `${at}.condition`);
        await walk(s.yes, `${at}.yes`);
        await walk(s.no, `${at}.no`);
      }
      if (s.type === 'assign_owner' && s.mode === 'rule' && objectOk) {
        for (const [j, r] of (s.rules ?? []).entries())
          await filterErrors(object as string, r.when, `${at}.rules.${j}.when`);
      }
      if (s.type === 'create_record' && !records.registry.get(s.object)) {
        errors.push({ path: `${at}.object`, message: `no object "${s.object}"` });
      }
      if (s.type === 'send_email') {
        if (s.templateId) {
          const found = await sql`select 1 from mail_templates where id = ${s.templateId}::uuid`.execute(tx);
          if (found.rows.length === 0) errors.push({ path: `${at}.templateId`, message: 'no such mail template' });
        } else {
          if (!s.subject) errors.push({ path: `${at}.subject`, message: 'is required without a templateId' });
          if (!s.body) errors.push({ path: `${at}.body`, message: 'is required without a templateId' });
        }
      }
      if (PERSON_STEPS.has(s.type) && objectOk && object !== 'contacts' && object !== 'leads') {
        errors.push({
          path: `${at}.type`,
          message: 'this step mails or enrols a person: the trigger must be on contacts or leads',
        });
      }
      if (s.type === 'campaign_email') {
        const campaign = await records
          .get(tx, actor, 'campaigns', s.campaignId, { fields: 'id' })
          .then(() => true)
          .catch((err: unknown) => {
            if (err instanceof AppError) return false;
            throw err;
          });
        if (!campaign) errors.push({ path: `${at}.campaignId`, message: 'no such campaign' });
        const found = await sql`select 1 from mail_templates where id = ${s.templateId}::uuid`.execute(tx);
        if (found.rows.length === 0) errors.push({ path: `${at}.templateId`, message: 'no such mail template' });
        if (s.senderId) {
          const sender = await sql`select 1 from mail_senders where id = ${s.senderId}::uuid`.execute(tx);
          if (sender.rows.length === 0) errors.push({ path: `${at}.senderId`, message: 'no such sender identity' });
        }
      }
      if (s.type === 'enroll_in_sequence') {
        const { rows } = await sql<{ object: string }>`select object from sequences
          where id = ${s.sequenceId}::uuid and deleted_at is null`.execute(tx);
        if (!rows[0]) errors.push({ path: `${at}.sequenceId`, message: 'no such sequence' });
        else if (objectOk && rows[0].object !== object) {
          errors.push({ path: `${at}.sequenceId`, message: `that sequence enrols ${rows[0].object}, not ${object}` });
        }
      }
      if (s.type === 'create_task' && !records.registry.get('tasks')) {
        errors.push({ path: `${at}.type`, message: 'tasks are not available in this installation' });
      }
    }
  };
  await walk(def.steps, 'definition.steps');
  if (userRefs.length) {
    const { rows } = await sql<{ id: string }>`select user_id as id from workspace_members
      where user_id = any(${userRefs.map((r) => r.id)}::uuid[])`.execute(tx);
    const members = new Set(rows.map((r) => r.id));
    for (const r of userRefs)
      if (!members.has(r.id)) errors.push({ path: r.path, message: 'is not a member of this workspace' });
  }
  if (teamRefs.length) {
    const { rows } = await sql<{ id: string }>`select id from teams
      where id = any(${teamRefs.map((r) => r.id)}::uuid[])`.execute(tx);
    const teams = new Set(rows.map((r) => r.id));
    for (const r of teamRefs) if (!teams.has(r.id)) errors.push({ path: r.path, message: 'no such team' });
  }
  if (errors.length > 0) {
    throw new AppError('validation_failed', `Invalid workflow: ${errors.map((e) => e.path).join(', ')}`, { errors });
  }
  return def;
}
