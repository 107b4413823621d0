import { sql } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { eventForMember } from '../../platform/events/event-visibility';
import { AppError } from '../../platform/http/errors';
import { enqueueMail } from '../../platform/mail/outbox';
import { renderTemplate } from '../../platform/mail/template';
import { getTemplate } from '../../platform/mail/templates.service';
import { notify } from '../../platform/notifications/notify';
import type { RecordData, RecordService } from '../../platform/records/records.service';
import { workflowStepHandler } from '../../platform/workflow-steps';
import { findRecentContacts } from '../interactions';
import { checkAutomatedSend, recordAutomatedSend, workspaceCooldownHours } from './automated-send-guard';
import { enrolInSequence, exitSequences } from './sequence-enrolment';
import { renderText, renderValue, type TemplateContext } from './templates';
import type { Step, UserRef } from './workflow-definition';
import { recordMatches } from './workflow-runs';

/** What a step sees while it runs (inside the step's tenant transaction). */
export interface StepEnv {
  tx: Tx;
  database: Database;
  /** config.baseUrl and config.mailDomain, for steps other modules carry out. */
  mail: { baseUrl: string; mailDomain: string };
  records: RecordService;
  actor: Actor;
  workspaceId: string;
  workflow: { id: string; name: string };
  run: { id: string; object: string | null; recordId: string | null; triggerData: Record<string, unknown> };
  /** The step row's id: stable across retries, so effects keyed on it happen once. */
  stepRowId: string;
  now: Date;
  /** The run's record as the run-as user sees it now (null: none, gone, or out of their scope). */
  record: RecordData | null;
  template: TemplateContext;
}

export interface StepResult {
  status: 'completed' | 'skipped';
  output?: Record<string, unknown>;
  /** For branches: the arm taken. */
  arm?: 'yes' | 'no';
  /** The run ends after this step (a sequence left for another). */
  stop?: boolean;
}

type ActionStep = Exclude<Step, { type: 'wait' } | { type: 'webhook' }>;

const Email = z.email();

function needRecord(env: StepEnv): { object: string; id: string; record: RecordData } {
  if (!env.run.object || !env.run.recordId)
    throw new AppError('validation_failed', 'This step needs a record to act on');
  if (!env.record) {
    throw new AppError('not_found', 'The record is gone or not visible to the user the workflow runs as');
  }
  return { object: env.run.object, id: env.run.recordId, record: env.record };
}

async function resolveUser(env: StepEnv, ref: UserRef): Promise<string | null> {
  if (ref === 'run_as') return env.actor.userId;
  if (ref === 'record_owner') return (env.record?.ownerId as string | undefined) ?? null;
  const { rows } =
    await sql`select 1 from workspace_members where workspace_id = ${env.workspaceId} and user_id = ${ref}`.execute(
      env.tx,
    );
  return rows.length > 0 ? ref : null;
}

async function update(env: StepEnv, values: Record<string, unknown>): Promise<RecordData> {
  const { object, id } = needRecord(env);
  return env.records.update(env.tx, env.actor, object, id, values);
}

/** The next member of a team after the last one assigned by this step (stable order by user id). */
async function nextInRotation(env: StepEnv, stepId: string, teamId: string): Promise<string | null> {
  const { rows: members } = await sql<{ user_id: string }>`
    select user_id from team_members where workspace_id = ${env.workspaceId} and team_id = ${teamId} order by user_id`.execute(
    env.tx,
  );
  if (members.length === 0) return null;
  await sql`insert into workflow_round_robin (workspace_id, workflow_id, step_id) values (${env.workspaceId}, ${env.workflow.id}, ${stepId})
    on conflict do nothing`.execute(env.tx);
  const { rows } = await sql<{ last_user_id: string | null }>`
    select last_user_id from workflow_round_robin
    where workspace_id = ${env.workspaceId} and workflow_id = ${env.workflow.id} and step_id = ${stepId} for update`.execute(
    env.tx,
  );
  const last = rows[0]?.last_user_id;
  const next = members.find((m) => last && m.user_id > last) ?? members[0];
  const userId = next?.user_id as string;
  await sql`update workflow_round_robin set last_user_id = ${userId}
    where workspace_id = ${env.workspaceId} and workflow_id = ${env.workflow.id} and step_id = ${stepId}`.execute(
    env.tx,
  );
  return userId;
}

/**
 * Round robin within the team of the record's territory (the geo module keeps
 * `territoryId` on accounts, contacts and leads), one rotation per step and territory;
 * the territory's owner when it has no team or an empty one. The territory is read as
 * the workflow's user, like every other record.
 */
async function territoryAssignee(env: StepEnv, stepId: string): Promise<string | null> {
  const { record } = needRecord(env);
  const territoryId = record.territoryId;
  if (typeof territoryId !== 'string' || !env.records.registry.get('territories')) return null;
  const territory = await env.records.get(env.tx, env.actor, 'territories', territoryId);
  const teamId = territory.teamId as string | null | undefined;
  const fromTeam = teamId ? await nextInRotation(env, `${stepId}.${territoryId}`, teamId) : null;
  if (fromTeam) return fromTeam;
  return territory.ownerId ? resolveUser(env, territory.ownerId as string) : null;
}

async function sendEmail(env: StepEnv, step: Extract<Step, { type: 'send_email' }>): Promise<StepResult> {
  let to: string | undefined;
  let toMember = false;
  let contactId: string | null = null;
  if (step.to === 'record') {
    const { record, object, id } = needRecord(env);
    to = typeof record.email === 'string' ? record.email : undefined;
    if (!to) return { status: 'skipped', output: { reason: 'the record has no email address' } };
    if (object === 'contacts') contactId = id;
    if (record.doNotContact === true)
      return { status: 'skipped', output: { reason: 'the contact is marked do not contact', to } };
  } else if (step.to === 'record_owner') {
    const ownerId = (env.record?.ownerId as string | undefined) ?? null;
    if (!ownerId) return { status: 'skipped', output: { reason: 'the record has no owner' } };
    const { rows } = await sql<{
      email: string;
      pending: boolean;
    }>`select u.email, u.pending_email is not null as pending from users u join workspace_members m on m.user_id = u.id
      where m.workspace_id = ${env.workspaceId} and u.id = ${ownerId}`.execute(env.tx);
    to = rows[0]?.email;
    toMember = true;
    if (!to) return { status: 'skipped', output: { reason: 'the owner is no longer a member' } };
    // A pending account (issue 12.9) holds only a placeholder until its address is verified.
    if (rows[0]?.pending)
      return { status: 'skipped', output: { reason: 'the owner has not verified their email address' } };
  } else {
    to = renderText(step.to, env.template).trim();
  }
  if (!Email.safeParse(to).success) throw new AppError('validation_failed', `"${to}" is not an email address`);
  // Don't contact twice: colleagues are not customers, everyone else goes through the guard.
  if (!toMember) {
    const cooldownHours = step.cooldownHours ?? (await workspaceCooldownHours(env.tx));
    const decision = await checkAutomatedSend(env.tx, {
      workspaceId: env.workspaceId,
      email: to,
      cooldownHours,
      now: env.now,
    });
    if (!decision.ok) return { status: 'skipped', output: { reason: decision.reason, to } };
    // …and people: a colleague who emailed this contact (or their account) within the
    // email cool-down means no automated email now (the same rule the app warns with).
    if (contactId) {
      const recent = await findRecentContacts(env.tx, {
        contactId,
        channel: 'email',
        userId: null,
        now: env.now,
      }).catch((err) => {
        if (err instanceof AppError && err.code === 'not_found') return { recent: [] }; // the contact is gone
        throw err;
      });
      const human = recent.recent.find((r) => r.sameChannel);
      if (human) {
        const who = human.by?.name ?? 'a colleague';
        return {
          status: 'skipped',
          output: {
            reason: `contacted recently: ${who} emailed ${human.viaAccount ? 'their account' : 'this contact'} at ${human.occurredAt} (cool-down until ${human.cooldownEndsAt})`,
            to,
          },
        };
      }
    }
  }
  let mail: { subject: string; text: string; html?: string };
  if (step.templateId) {
    // A saved template: {{ variables }} with HTML-escaped values (server/platform/mail/template.ts).
    const tpl = await getTemplate(env.tx, step.templateId);
    const data = { ...env.template, contact: contactId ? env.record : undefined };
    mail = {
      subject: renderTemplate(tpl.subject, data, 'text').slice(0, 300),
      text: renderTemplate(tpl.text, data, 'text'),
      html: tpl.html ? renderTemplate(tpl.html, data, 'html') : undefined,
    };
  } else {
    mail = {
      subject: renderText(step.subject ?? '', env.template).slice(0, 300),
      text: renderText(step.body ?? '', env.template),
    };
  }
  const { subject } = mail;
  const mailId = await enqueueMail(env.tx, env.workspaceId, { to, ...mail });
  if (!toMember) {
    await recordAutomatedSend(env.tx, {
      workspaceId: env.workspaceId,
      email: to,
      contactId,
      workflowId: env.workflow.id,
      runId: env.run.id,
      mailId,
      now: env.now,
    });
  }
  return { status: 'completed', output: { to, subject, mailId, messageId: `<${mailId}@rapport>` } };
}

/** Runs one step that acts inside the database (everything but wait and webhook). */
export async function runAction(env: StepEnv, step: ActionStep): Promise<StepResult> {
  switch (step.type) {
    case 'update_fields': {
      const values = renderValue(step.values, env.template) as Record<string, unknown>;
      await update(env, values);
      return { status: 'completed', output: { fields: Object.keys(values) } };
    }
    case 'add_tag':
    case 'remove_tag': {
      const { record } = needRecord(env);
      const current = ((record.tags as string[] | undefined) ?? []).map((t) => t.toLowerCase());
      const tags = step.tags.map((t) => renderText(t, env.template).trim().toLowerCase()).filter(Boolean);
      const next =
        step.type === 'add_tag' ? [...new Set([...current, ...tags])] : current.filter((t) => !tags.includes(t));
      if (next.length === current.length && next.every((t, i) => t === current[i])) {
        return { status: 'completed', output: { tags: next, changed: false } };
      }
      await update(env, { tags: next });
      return { status: 'completed', output: { tags: next, changed: true } };
    }
    case 'assign_owner': {
      needRecord(env);
      let userId: string | null = null;
      if (step.mode === 'user') userId = await resolveUser(env, step.userId as string);
      else if (step.mode === 'round_robin') userId = await nextInRotation(env, step.id, step.teamId as string);
      else if (step.mode === 'territory') userId = await territoryAssignee(env, step.id);
      else {
        for (const rule of step.rules ?? []) {
          const { object, id } = needRecord(env);
          if (await recordMatches(env.tx, env.records, env.actor, object, id, rule.when)) {
            userId = await resolveUser(env, rule.userId);
            break;
          }
        }
        if (!userId && step.userId) userId = await resolveUser(env, step.userId);
      }
      if (!userId)
        return {
          status: 'skipped',
          output: { reason: 'nobody to assign (empty team, no territory, or no rule matched)' },
        };
      await update(env, { ownerId: userId });
      return { status: 'completed', output: { ownerId: userId } };
    }
    case 'create_task': {
      if (!env.records.registry.get('tasks')) throw new AppError('validation_failed', 'Tasks are not available');
      const assignee = await resolveUser(env, step.assignTo);
      const values: Record<string, unknown> = {
        ...((renderValue(step.values ?? {}, env.template) as Record<string, unknown>) ?? {}),
        title: renderText(step.title, env.template),
      };
      if (assignee) values.ownerId = assignee;
      if (step.dueInDays !== undefined) {
        values.dueAt = new Date(env.now.getTime() + step.dueInDays * 86_400_000).toISOString();
      }
      const task = await env.records.create(env.tx, env.actor, 'tasks', values);
      return { status: 'completed', output: { object: 'tasks', id: task.id } };
    }
    case 'create_record': {
      const values = renderValue(step.values, env.template) as Record<string, unknown>;
      const created = await env.records.create(env.tx, env.actor, step.object, values);
      return { status: 'completed', output: { object: step.object, id: created.id } };
    }
    case 'notify': {
      const notified: string[] = [];
      for (const ref of step.users) {
        const userId = await resolveUser(env, ref);
        if (!userId || notified.includes(userId)) continue;
        // The title and body are rendered from the record: a member who may not read it
        // is told only that the workflow ran, never the record's name or values.
        const reads =
          !env.record ||
          !env.run.object ||
          !env.run.recordId ||
          (await eventForMember(env.tx, env.records, env.workspaceId, userId, {
            id: `workflow-step:${env.stepRowId}`,
            object: env.run.object,
            recordId: env.run.recordId,
            data: {},
          })) !== null;
        await notify(env.tx, {
          workspaceId: env.workspaceId,
          userId,
          kind: 'workflow',
          title: reads
            ? renderText(step.title, env.template).slice(0, 300) || env.workflow.name
            : `Workflow “${env.workflow.name}” ran on a record you cannot open`,
          body: reads && step.body ? renderText(step.body, env.template) : undefined,
          object: reads ? (env.run.object ?? undefined) : undefined,
          recordId: reads && env.record ? (env.run.recordId ?? undefined) : undefined,
          actorUserId: env.actor.userId,
          dedupeKey: `workflow-step:${env.stepRowId}`,
        });
        notified.push(userId);
      }
      if (notified.length === 0) return { status: 'skipped', output: { reason: 'nobody to notify' } };
      return { status: 'completed', output: { notified } };
    }
    case 'send_email':
      return sendEmail(env, step);
    case 'campaign_email': {
      // Carried out by the module that registered it (campaigns), as the run's record.
      const handler = workflowStepHandler(step.type);
      if (!handler) throw new AppError('validation_failed', `No module carries out "${step.type}" steps here`);
      if (env.run.object && env.run.recordId) needRecord(env);
      return handler.run(env.tx, {
        database: env.database,
        records: env.records,
        mail: env.mail,
        workspaceId: env.workspaceId,
        object: env.run.object,
        recordId: env.run.recordId,
        actorUserId: env.actor.userId,
        stepRowId: env.stepRowId,
        triggerData: env.run.triggerData,
        now: env.now,
        step: step as unknown as Record<string, unknown>,
      });
    }
    case 'enroll_in_sequence': {
      const { object, id } = needRecord(env);
      const current = typeof env.run.triggerData.sequenceId === 'string' ? env.run.triggerData.sequenceId : null;
      const result = await enrolInSequence(env.tx, {
        workspaceId: env.workspaceId,
        sequenceId: step.sequenceId,
        object,
        recordId: id,
        via: current ? 'sequence' : 'workflow',
        enrolledBy: env.actor.userId,
        now: env.now,
      });
      const leave = step.leaveCurrent && current !== null && current !== step.sequenceId;
      if (leave) {
        await exitSequences(env.tx, {
          workspaceId: env.workspaceId,
          recordId: id,
          now: env.now,
          reason: { kind: 'moved', text: 'moved to another sequence' },
          sequenceIds: [current],
        });
      }
      const output = result.enrolled
        ? { sequenceId: step.sequenceId, enrolmentId: result.enrolmentId, left: leave ? current : null }
        : { sequenceId: step.sequenceId, reason: result.reason, left: leave ? current : null };
      return { status: result.enrolled ? 'completed' : 'skipped', output, stop: leave };
    }
    case 'branch': {
      const { object, id } = needRecord(env);
      const met = await recordMatches(env.tx, env.records, env.actor, object, id, step.condition);
      return { status: 'completed', arm: met ? 'yes' : 'no', output: { conditionMet: met } };
    }
  }
}
