import { sql } from 'kysely';
import type { TPresence } from '../../../common/contracts/chat';
import type { Tx } from '../../platform/db/database';

/**
 * Routing: each waiting chat, oldest first, goes to the online agent (of the chat's team)
 * with room under their capacity who was served least recently. One router at a time per
 * workspace (an advisory lock), so two processes never give one agent more than capacity.
 * Returns the conversations it assigned.
 */
export async function routeWaitingChats(tx: Tx, workspaceId: string): Promise<string[]> {
  await sql`select pg_advisory_xact_lock(hashtext('rapport_chat_routing'), hashtext(${workspaceId}))`.execute(tx);
  const { rows: waiting } = await sql<{
    id: string;
    team_id: string | null;
  }>`select id, team_id from chat_conversations
    where workspace_id = rapport_workspace() and status = 'waiting' order by created_at, id limit 100`.execute(tx);
  const assigned: string[] = [];
  for (const w of waiting) {
    const { rows } = await sql<{ user_id: string }>`select a.user_id from chat_agents a
      where a.workspace_id = rapport_workspace() and a.status = 'online'
        and (${w.team_id}::uuid is null or exists (select 1 from team_members tm
          where tm.workspace_id = a.workspace_id and tm.team_id = ${w.team_id}::uuid and tm.user_id = a.user_id))
        and (select count(*) from chat_conversations c where c.workspace_id = a.workspace_id
          and c.agent_user_id = a.user_id and c.status = 'active') < a.capacity
      order by a.last_assigned_at nulls first, a.user_id limit 1`.execute(tx);
    const agent = rows[0];
    if (!agent) continue;
    await sql`update chat_conversations set status = 'active', agent_user_id = ${agent.user_id}::uuid, assigned_at = now()
      where workspace_id = rapport_workspace() and id = ${w.id}::uuid`.execute(tx);
    await sql`update chat_agents set last_assigned_at = clock_timestamp()
      where workspace_id = rapport_workspace() and user_id = ${agent.user_id}::uuid`.execute(tx);
    assigned.push(w.id);
  }
  return assigned;
}

/** An agent's presence, capacity and active chats (offline with the default capacity when never set). */
export async function presenceOf(tx: Tx, userId: string | null): Promise<TPresence> {
  const { rows } = await sql<{ status: TPresence['status']; capacity: number; active: number }>`
    select coalesce(a.status, 'offline') as status, coalesce(a.capacity, 3) as capacity,
      (select count(*)::int from chat_conversations c where c.workspace_id = rapport_workspace()
        and c.agent_user_id = ${userId}::uuid and c.status = 'active') as active
    from (select 1) one left join chat_agents a on a.workspace_id = rapport_workspace() and a.user_id = ${userId}::uuid`.execute(
    tx,
  );
  const r = rows[0];
  return { status: r?.status ?? 'offline', capacity: r?.capacity ?? 3, activeChats: r?.active ?? 0 };
}
