import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor';
import { enterWorkspace, leaveWorkspace, type Tx } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import { AppError, invalidField } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { systemActor } from './ticket-messages.service';

/**
 * Round-robin assignment within a team, respecting each agent's capacity: the members
 * take turns (in user id order, after the last one given a ticket), and an agent whose
 * open tickets (new, open, pending, on hold) reach their capacity is passed by.
 */

/** The statuses in which a ticket counts against its assignee's capacity. */
export const OPEN_STATUSES = ['new', 'open', 'pending', 'on_hold'];

/** How many open tickets each of `userIds` holds (read through the record engine as the system). */
export async function openTicketCounts(
  tx: Tx,
  records: RecordService,
  workspaceId: string,
  userIds: string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const sys = systemActor(workspaceId);
  for (const userId of userIds) {
    const res = await records.list(tx, sys, 'tickets', {
      filter: {
        and: [
          { field: 'assigneeId', op: 'eq', value: userId },
          { field: 'status', op: 'in', value: OPEN_STATUSES },
        ],
      },
      fields: 'id',
      limit: 1,
      count: true,
    });
    counts.set(userId, res.total ?? 0);
  }
  return counts;
}

/** The next member of the team with room for a ticket, and moves the rotation on; null when everyone is full. */
export async function nextAgent(
  tx: Tx,
  records: RecordService,
  workspaceId: string,
  teamId: string,
): Promise<{ userId: string | null; members: number }> {
  const { rows: members } = await sql<{ user_id: string; capacity: number | null }>`
    select tm.user_id, a.capacity from team_members tm
    left join service_agents a on a.workspace_id = tm.workspace_id and a.user_id = tm.user_id
    where tm.workspace_id = rapport_workspace() and tm.team_id = ${teamId}::uuid
    order by tm.user_id`.execute(tx);
  if (members.length === 0) return { userId: null, members: 0 };
  await sql`insert into ticket_round_robin (workspace_id, team_id) values (${workspaceId}, ${teamId}::uuid)
    on conflict do nothing`.execute(tx);
  const { rows } = await sql<{ last_user_id: string | null }>`select last_user_id from ticket_round_robin
    where workspace_id = rapport_workspace() and team_id = ${teamId}::uuid for update`.execute(tx);
  const last = rows[0]?.last_user_id ?? null;
  const start = last ? members.findIndex((m) => m.user_id > last) : 0;
  const order = [...members.slice(Math.max(start, 0)), ...members.slice(0, Math.max(start, 0))];
  const counts = await openTicketCounts(
    tx,
    records,
    workspaceId,
    order.filter((m) => m.capacity !== null).map((m) => m.user_id),
  );
  const next = order.find((m) => m.capacity === null || (counts.get(m.user_id) ?? 0) < m.capacity);
  if (!next) return { userId: null, members: members.length };
  await sql`update ticket_round_robin set last_user_id = ${next.user_id}::uuid
    where workspace_id = rapport_workspace() and team_id = ${teamId}::uuid`.execute(tx);
  return { userId: next.user_id, members: members.length };
}

/**
 * Assigns a ticket the caller may work to the next agent of a team (the body's, else the
 * ticket's): 422 naming `teamId` when there is no team or it has no members, 409 when
 * every member is at capacity. The ticket joins the team.
 */
export async function assignRoundRobin(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  ticketId: string,
  teamId: string | undefined,
): Promise<Record<string, unknown>> {
  await records.require(tx, actor, 'tickets', ticketId, 'update');
  const ticket = await records.get(tx, systemActor(actor.workspaceId), 'tickets', ticketId, {
    fields: 'id,teamId',
  });
  const team = teamId ?? (ticket.teamId as string | null);
  if (!team) throw invalidField('teamId', 'the ticket has no team: name the team whose members take turns');
  const { rows } =
    await sql`select 1 from teams where workspace_id = rapport_workspace() and id = ${team}::uuid`.execute(tx);
  if (!rows[0]) throw invalidField('teamId', 'is not a team of this workspace');
  const next = await nextAgent(tx, records, actor.workspaceId, team);
  if (next.members === 0) throw invalidField('teamId', 'the team has no members');
  if (!next.userId)
    throw new AppError('conflict', 'teamId: every member of the team is at capacity', {
      errors: [{ path: 'teamId', message: 'every member of the team is at capacity (open tickets)' }],
    });
  return records.update(tx, actor, 'tickets', ticketId, { assigneeId: next.userId, teamId: team });
}

/**
 * A ticket created for a team without an assignee (by a person, a form, mail routed to a
 * team) goes to the team's next agent with room. Nobody with room: it stays unassigned,
 * in the team's unassigned queue.
 */
export function autoAssignConsumer(deps: { records: RecordService }): EventConsumer {
  return {
    name: 'tickets.round-robin',
    types: ['ticket.created'],
    async handle(tx, events) {
      let wrote = false;
      for (const e of events) {
        const record = (e.data.record ?? {}) as Record<string, unknown>;
        if (!e.recordId || !record.teamId || record.assigneeId) continue;
        await enterWorkspace(tx, e.workspaceId);
        try {
          const sys = systemActor(e.workspaceId);
          const current = await deps.records.list(tx, sys, 'tickets', {
            filter: { field: 'id', op: 'eq', value: e.recordId },
            fields: 'id,teamId,assigneeId',
            limit: 1,
          });
          const ticket = current.data[0];
          if (!ticket?.teamId || ticket.assigneeId) continue;
          const next = await nextAgent(tx, deps.records, e.workspaceId, ticket.teamId as string);
          if (!next.userId) continue;
          await deps.records.systemWrite(tx, sys, 'tickets', e.recordId, { assigneeId: next.userId });
          wrote = true;
        } finally {
          await leaveWorkspace(tx);
        }
      }
      return wrote ? undefined : 'nothing-written';
    },
  };
}

/** The members of the workspace who may hold tickets (anyone in a team or with a capacity), with their load. */
export async function listAgents(tx: Tx, records: RecordService, workspaceId: string) {
  const { rows } = await sql<{ user_id: string; name: string; capacity: number | null }>`
    select m.user_id, u.name, a.capacity from workspace_members m
    join users u on u.id = m.user_id
    left join service_agents a on a.workspace_id = m.workspace_id and a.user_id = m.user_id
    where m.workspace_id = rapport_workspace()
    order by lower(u.name), m.user_id`.execute(tx);
  const counts = await openTicketCounts(
    tx,
    records,
    workspaceId,
    rows.map((r) => r.user_id),
  );
  return rows.map((r) => ({
    userId: r.user_id,
    name: r.name,
    capacity: r.capacity,
    openTickets: counts.get(r.user_id) ?? 0,
  }));
}

/** Sets an agent's capacity (null: no limit); 404 for someone not in the workspace. */
export async function setCapacity(tx: Tx, workspaceId: string, userId: string, capacity: number | null) {
  const { rows } = await sql`select 1 from workspace_members
    where workspace_id = rapport_workspace() and user_id = ${userId}::uuid`.execute(tx);
  if (!rows[0]) throw new AppError('not_found', 'Member not found');
  await sql`insert into service_agents (workspace_id, user_id, capacity) values (${workspaceId}, ${userId}::uuid, ${capacity})
    on conflict (workspace_id, user_id) do update set capacity = excluded.capacity, updated_at = now()`.execute(tx);
}
