import { sql } from 'kysely';
import type { AccessPolicy } from '../../platform/access/access.service';
import type { Tx } from '../../platform/db/database';
import type { CsatRating, RecentChat } from '../tickets';

/** An ended chat for the satisfaction figures: its agent and the visitor's rating, if given. */
export interface ChatRating {
  conversationId: string;
  agentUserId: string | null;
  contactId: string | null;
  agentName: string | null;
  rating: number | null;
  comment: string | null;
  endedAt: string | null;
}

const iso = (d: Date | string | null) => (d == null ? null : (d instanceof Date ? d : new Date(d)).toISOString());

/**
 * The chats the caller may count, as their tickets (chats are worked by those who may read
 * tickets): none without that right; with the tickets' scope `own` those they answered, with
 * `team` those answered by them or a member of their teams or routed to one of their teams.
 */
function chatScope(policy: AccessPolicy) {
  if (!policy.admin && !policy.can('tickets', 'read')) return sql`false`;
  const scope = policy.admin ? 'all' : policy.object('tickets').scope;
  if (scope === 'all') return sql`true`;
  const me = policy.actor.userId;
  const ors = [me ? sql`c.agent_user_id = ${me}::uuid` : sql`false`];
  if (scope === 'team' && policy.teamIds.length > 0) {
    ors.push(sql`c.team_id = any(${policy.teamIds}::uuid[])`);
    ors.push(sql`c.agent_user_id in (select tm.user_id from team_members tm
      where tm.workspace_id = rapport_workspace() and tm.team_id = any(${policy.teamIds}::uuid[]))`);
  }
  return sql`(${sql.join(ors, sql` or `)})`;
}

/**
 * Ended chats (each offers the visitor its rating at the end) started in [start, end), for
 * reporting's CSAT average and response rate next to the tickets' surveys.
 */
export async function endedChats(tx: Tx, policy: AccessPolicy, start: string, end: string): Promise<ChatRating[]> {
  return select(
    tx,
    sql`c.status = 'ended' and c.created_at >= ${start}::timestamptz and c.created_at < ${end}::timestamptz
    and ${chatScope(policy)}`,
  );
}

/** The rated chats of some contacts, newest first (the single customer view's CSAT history). */
export async function ratedChatsOf(
  tx: Tx,
  policy: AccessPolicy,
  contactIds: string[],
  limit = 50,
): Promise<ChatRating[]> {
  if (contactIds.length === 0) return [];
  return select(
    tx,
    sql`c.csat_rating is not null and c.contact_id = any(${contactIds}::uuid[]) and ${chatScope(policy)}`,
    limit,
  );
}

/**
 * The conversations of some contacts, newest first, as far as the caller may count chats
 * (the single customer view's recent chats): when, who answered, how it ended, its rating.
 */
export async function recentChatsOf(
  tx: Tx,
  policy: AccessPolicy,
  contactIds: string[],
  limit = 10,
): Promise<RecentChat[]> {
  if (contactIds.length === 0) return [];
  const { rows } = await sql<{
    id: string;
    status: RecentChat['status'];
    agent_user_id: string | null;
    agent_name: string | null;
    created_at: Date | string;
    ended_at: Date | string | null;
    csat_rating: number | null;
    ticket_id: string | null;
    interaction_id: string | null;
  }>`select c.id, c.status, c.agent_user_id, u.name as agent_name, c.created_at, c.ended_at, c.csat_rating,
      c.ticket_id, c.interaction_id
    from chat_conversations c left join users u on u.id = c.agent_user_id
    where c.workspace_id = rapport_workspace() and c.contact_id = any(${contactIds}::uuid[]) and ${chatScope(policy)}
    order by c.created_at desc, c.id desc limit ${limit}`.execute(tx);
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    agent: r.agent_user_id ? { id: r.agent_user_id, name: r.agent_name ?? '' } : null,
    startedAt: iso(r.created_at) as string,
    endedAt: iso(r.ended_at),
    rating: r.csat_rating == null ? null : Number(r.csat_rating),
    ticketId: r.ticket_id,
    interactionId: r.interaction_id,
  }));
}

async function select(tx: Tx, where: ReturnType<typeof sql>, limit?: number): Promise<ChatRating[]> {
  const { rows } = await sql<{
    id: string;
    agent_user_id: string | null;
    contact_id: string | null;
    agent_name: string | null;
    csat_rating: number | null;
    csat_comment: string | null;
    ended_at: Date | string | null;
  }>`select c.id, c.agent_user_id, c.contact_id, u.name as agent_name, c.csat_rating, c.csat_comment, c.ended_at
    from chat_conversations c left join users u on u.id = c.agent_user_id where c.workspace_id = rapport_workspace() and ${where}
    order by c.ended_at desc nulls last, c.id desc ${limit ? sql`limit ${limit}` : sql``}`.execute(tx);
  return rows.map((r) => ({
    conversationId: r.id,
    agentUserId: r.agent_user_id,
    contactId: r.contact_id,
    agentName: r.agent_name,
    rating: r.csat_rating == null ? null : Number(r.csat_rating),
    comment: r.csat_comment,
    endedAt: iso(r.ended_at),
  }));
}

/** The chats' ratings in the single customer view's CSAT history and its recent chats (registered with the tickets module). */
export const chatCsatSource = {
  name: 'chat',
  async rated(tx: Tx, policy: AccessPolicy, contactIds: string[], limit: number): Promise<CsatRating[]> {
    return (await ratedChatsOf(tx, policy, contactIds, limit)).map((c) => ({
      conversationId: c.conversationId,
      // As the rating's csat.received event names it.
      subject: `Live chat${c.agentName ? ` with ${c.agentName}` : ''}`,
      rating: c.rating as number,
      comment: c.comment,
      at: c.endedAt,
    }));
  },
  recent: recentChatsOf,
};
