import { sql } from 'kysely';
import type { TAgent, TAgentUpdateRequest, TWrapUp } from '../../../common/contracts/telephony';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError, notFound } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { average, dayFigures, dayOf } from './queue-days';

/** The NOTIFY channel of screen-pops: `{ workspaceId, id: callId }` when a call is routed to an agent. */
export const SCREEN_POP_CHANNEL = 'rapport_telephony';

interface AgentRow {
  user_id: string;
  name: string | null;
  status: TAgent['status'];
  phone: string | null;
  skills: string[];
  priority: number;
  call_id: string | null;
  idle_since: Date | string;
}

const present = (r: AgentRow): TAgent => ({
  userId: r.user_id,
  name: r.name,
  status: r.status,
  phone: r.phone,
  skills: r.skills,
  priority: r.priority,
  callId: r.call_id,
  idleSince: new Date(r.idle_since).toISOString(),
});

/** Agents work calls: presence and the agents list need `calls: update` / `calls: read`. */
export async function assertCalls(tx: Tx, records: RecordService, actor: Actor, action: 'read' | 'update') {
  await records.context(tx, actor, 'calls', action);
}

export async function listAgents(tx: Tx): Promise<TAgent[]> {
  const { rows } = await sql<AgentRow>`select a.*, u.name from telephony_agents a
    left join users u on u.id = a.user_id
    where a.workspace_id = rapport_workspace() order by a.status, a.idle_since, a.user_id`.execute(tx);
  return rows.map(present);
}

/**
 * Sets the caller's presence (and phone, skills). Becoming available after a call clears it
 * and starts the idle time routing compares; a routed call cannot be dropped by going offline
 * (it ends with the call's status callback).
 */
export async function setPresence(
  tx: Tx,
  actor: Actor,
  input: { status: TAgent['status']; phone?: string | null; skills?: string[] },
): Promise<TAgent> {
  if (!actor.userId) throw new AppError('forbidden', 'Only members have a presence');
  const { rows: before } = await sql<{ phone: string | null }>`select phone from telephony_agents
    where workspace_id = rapport_workspace() and user_id = ${actor.userId}::uuid`.execute(tx);
  const phone = input.phone === undefined ? (before[0]?.phone ?? null) : input.phone;
  if (input.status === 'available' && !phone) {
    throw new AppError('validation_failed', 'An available agent needs a phone for calls to ring', {
      errors: [{ path: 'phone', message: 'is needed to be available (E.164)' }],
    });
  }
  await sql`insert into telephony_agents (workspace_id, user_id, status, phone, skills)
    values (${actor.workspaceId}::uuid, ${actor.userId}::uuid, ${input.status}, ${phone}, ${input.skills ?? []}::text[])
    on conflict (workspace_id, user_id) do update set
      status = excluded.status,
      phone = excluded.phone,
      skills = ${input.skills === undefined ? sql`telephony_agents.skills` : sql`excluded.skills`},
      call_id = case when excluded.status = 'available' then null else telephony_agents.call_id end,
      idle_since = case when excluded.status = 'available' and telephony_agents.status <> 'available' then now()
                        else telephony_agents.idle_since end,
      updated_at = now()`.execute(tx);
  const all = await listAgents(tx);
  return all.find((a) => a.userId === actor.userId) as TAgent;
}

/**
 * An administrator sets a member's routing priority and queues (their agent row is made, offline,
 * when they have none yet); 404 for someone who is not a member of the workspace.
 */
export async function updateAgent(
  tx: Tx,
  workspaceId: string,
  userId: string,
  input: TAgentUpdateRequest,
): Promise<TAgent> {
  const { rows } = await sql`select 1 from workspace_members
    where workspace_id = rapport_workspace() and user_id = ${userId}::uuid`.execute(tx);
  if (rows.length === 0) throw notFound('Member');
  await sql`insert into telephony_agents (workspace_id, user_id, skills, priority)
    values (${workspaceId}::uuid, ${userId}::uuid, ${input.skills ?? []}::text[], ${input.priority ?? 1})
    on conflict (workspace_id, user_id) do update set
      skills = ${input.skills === undefined ? sql`telephony_agents.skills` : sql`excluded.skills`},
      priority = ${input.priority === undefined ? sql`telephony_agents.priority` : sql`excluded.priority`},
      updated_at = now()`.execute(tx);
  return (await listAgents(tx)).find((a) => a.userId === userId) as TAgent;
}

/**
 * Takes the available agent with the queue's skill (or no skills) of the best priority (1 first)
 * who has been idle longest, marks them busy on `callId`; null when nobody is free. Rows are
 * locked (`skip locked`), so two calls routed at once never get the same agent, on any number
 * of app processes.
 */
export async function routeToAgent(
  tx: Tx,
  queue: string,
  callId: string,
): Promise<{ userId: string; phone: string } | null> {
  const { rows } = await sql<{ user_id: string; phone: string }>`select user_id, phone from telephony_agents
    where workspace_id = rapport_workspace() and status = 'available' and phone is not null
      and (skills = '{}' or ${queue} = any(skills))
    order by priority, idle_since, user_id limit 1 for update skip locked`.execute(tx);
  const agent = rows[0];
  if (!agent) return null;
  await sql`update telephony_agents set status = 'busy', call_id = ${callId}::uuid, updated_at = now()
    where workspace_id = rapport_workspace() and user_id = ${agent.user_id}::uuid`.execute(tx);
  return { userId: agent.user_id, phone: agent.phone };
}

/**
 * A VIP's owner for `callId`, now busy on it, when they are an available agent with a phone
 * (skills aside: their own customer); null otherwise. Locked like routeToAgent.
 */
export async function routeToUser(
  tx: Tx,
  userId: string,
  callId: string,
): Promise<{ userId: string; phone: string } | null> {
  const { rows } = await sql<{ user_id: string; phone: string }>`select user_id, phone from telephony_agents
    where workspace_id = rapport_workspace() and user_id = ${userId}::uuid and status = 'available' and phone is not null
    for update skip locked`.execute(tx);
  const agent = rows[0];
  if (!agent) return null;
  await sql`update telephony_agents set status = 'busy', call_id = ${callId}::uuid, updated_at = now()
    where workspace_id = rapport_workspace() and user_id = ${agent.user_id}::uuid`.execute(tx);
  return { userId: agent.user_id, phone: agent.phone };
}

/**
 * A routed call the agent did not answer (Twilio's DialCallStatus no-answer, busy…): they go
 * offline, as a contact centre's "redirect on no answer" does, so the next caller is not sent to
 * an empty desk; the agent desktop shows it and one click makes them available again.
 */
export async function releaseAgent(tx: Tx, userId: string, callId: string): Promise<void> {
  await sql`update telephony_agents set status = 'offline', call_id = null, updated_at = now()
    where workspace_id = rapport_workspace() and user_id = ${userId}::uuid and call_id = ${callId}::uuid
      and status = 'busy'`.execute(tx);
}

/** The call ended: its agent goes to wrap-up (the wrap-up form), idle from now. */
export async function agentCallEnded(tx: Tx, callId: string): Promise<void> {
  await sql`update telephony_agents set status = 'wrap_up', idle_since = now(), updated_at = now()
    where workspace_id = rapport_workspace() and call_id = ${callId}::uuid and status = 'busy'`.execute(tx);
}

/**
 * Live and today's figures per queue, over the calls the caller may read: waiting now and the
 * longest wait, agents available; today's answered, abandoned and averages as the stored daily
 * figures count them (queue-days.ts).
 */
export async function queueStats(tx: Tx, records: RecordService, actor: Actor, now: Date) {
  const ctx = await records.context(tx, actor, 'calls', 'read');
  const calls = records.scopedRelation(ctx, 'calls');
  const { rows } = await sql<{ queue: string; waiting: number; longest: number | null }>`
    select c.queue,
      count(*) filter (where c.agent_id is null and c.ended_at is null)::int as waiting,
      extract(epoch from ${now}::timestamptz - min(c.started_at) filter (where c.agent_id is null and c.ended_at is null))::int as longest
    from ${calls} c where c.queue is not null
    group by c.queue order by c.queue`.execute(tx);
  const today = dayOf(now);
  const figures = new Map((await dayFigures(tx, calls, today, today)).map((d) => [d.queue, d]));
  const agents = await listAgents(tx);
  return rows.map((r) => {
    const d = figures.get(r.queue);
    return {
      queue: r.queue,
      waiting: r.waiting,
      longestWaitSeconds: r.longest,
      agentsAvailable: agents.filter(
        (a) => a.status === 'available' && (a.skills.length === 0 || a.skills.includes(r.queue)),
      ).length,
      answeredToday: d?.answered ?? 0,
      abandonedToday: d?.abandoned ?? 0,
      averageWaitSecondsToday: d ? average(d.wait_seconds, d.waits) : null,
      averageHandleSecondsToday: d ? average(d.handle_seconds, d.handled) : null,
    };
  });
}

/**
 * The agent's wrap-up of a call, in one transaction as the agent: disposition and notes on the
 * call (their `calls: update` right), the follow-up task (their `tasks: create` right) on the
 * caller's contact, lead or account — so it is on that record's timeline — else on the call; then
 * the agent is available again if they were wrapping up.
 */
export async function wrapUp(
  tx: Tx,
  records: RecordService,
  actor: Actor,
  callId: string,
  input: TWrapUp,
): Promise<{ callId: string; taskId: string | null }> {
  const call = await records.update(tx, actor, 'calls', callId, {
    disposition: input.disposition,
    ...(input.notes !== undefined ? { notes: input.notes } : {}),
  });
  let taskId: string | null = null;
  if (input.followUp) {
    const [relatedObject, relatedId] = call.contactId
      ? ['contacts', call.contactId]
      : call.leadId
        ? ['leads', call.leadId]
        : call.accountId
          ? ['accounts', call.accountId]
          : ['calls', callId];
    const task = await records.create(tx, actor, 'tasks', {
      title: input.followUp.title,
      ...(input.followUp.dueAt ? { dueAt: input.followUp.dueAt } : {}),
      ...(actor.userId ? { assigneeId: actor.userId } : {}),
      description:
        `Follow-up of the call from ${String(call.callerName ?? call.from)}${input.notes ? `: ${input.notes}` : ''}`.slice(
          0,
          5000,
        ),
      relatedObject,
      relatedId: String(relatedId),
    });
    taskId = String(task.id);
  }
  if (actor.userId) {
    await sql`update telephony_agents set status = 'available', call_id = null, idle_since = now(), updated_at = now()
      where workspace_id = rapport_workspace() and user_id = ${actor.userId}::uuid and status = 'wrap_up'
        and (call_id is null or call_id = ${callId}::uuid)`.execute(tx);
  }
  return { callId, taskId };
}
