import type { TServiceSummary, TTicketQueue } from '../../../common/contracts/service-desk';
import type { FilterNode } from '../../../common/filter-ops';
import { slaState } from '../../../common/sla-state';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import type { RecordService } from '../../platform/records/records.service';
import { csatSources } from './csat-sources';
import { OPEN_STATUSES } from './ticket-assignment';

/**
 * The agents' working lists, as filters over tickets read through the record engine (so
 * each caller sees only the tickets their role may read): my open tickets, open tickets
 * nobody holds, and tickets with a due time within `hours` (or already overdue) whose
 * clock is running (pending ones are paused and left out).
 */
export function queueFilter(queue: TTicketQueue, actor: Actor, now: Date, hours: number): FilterNode {
  const open = { field: 'status', op: 'in', value: OPEN_STATUSES } as const;
  if (queue === 'mine') {
    if (!actor.userId) throw new AppError('forbidden', 'My tickets are for people; this API key belongs to no one');
    return { and: [open, { field: 'assigneeId', op: 'eq', value: actor.userId }] };
  }
  if (queue === 'unassigned')
    return { and: [open, { field: 'assigneeId', op: 'isEmpty' }, { field: 'mergedIntoId', op: 'isEmpty' }] };
  const horizon = new Date(now.getTime() + hours * 3_600_000).toISOString();
  return {
    and: [
      { field: 'status', op: 'in', value: ['new', 'open', 'on_hold'] },
      {
        or: [
          {
            and: [
              { field: 'firstRespondedAt', op: 'isEmpty' },
              { field: 'firstResponseDueAt', op: 'lte', value: horizon },
            ],
          },
          { field: 'nextResponseDueAt', op: 'lte', value: horizon },
          { field: 'resolutionDueAt', op: 'lte', value: horizon },
        ],
      },
    ],
  };
}

const QUEUE_SORT: Record<TTicketQueue, string> = {
  mine: 'resolutionDueAt,createdAt',
  unassigned: 'createdAt',
  breaching_soon: 'resolutionDueAt,createdAt',
};

/** One queue, a page of tickets (the record list's shape). */
export function listQueue(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  q: { queue: TTicketQueue; hours: number; limit: number; cursor?: string },
  now: Date,
) {
  return records.list(tx, actor, 'tickets', {
    filter: queueFilter(q.queue, actor, now, q.hours),
    sort: QUEUE_SORT[q.queue],
    limit: q.limit,
    cursor: q.cursor,
    count: true,
  });
}

/** How many tickets each queue holds for the caller (the navigation's badges). */
export async function queueCounts(tx: Tx, actor: Actor, records: RecordService, now: Date) {
  const count = async (queue: TTicketQueue) =>
    actor.userId || queue !== 'mine'
      ? ((
          await records.list(tx, actor, 'tickets', {
            filter: queueFilter(queue, actor, now, 4),
            fields: 'id',
            limit: 1,
            count: true,
          })
        ).total ?? 0)
      : 0;
  return {
    mine: await count('mine'),
    unassigned: await count('unassigned'),
    breaching_soon: await count('breaching_soon'),
  };
}

/**
 * A contact's or an account's service side for the single customer view: open tickets
 * with their SLA state, the satisfaction ratings given and the recent live chats, as far as the caller may read
 * tickets (404 when they cannot see the contact or account itself).
 */
export async function serviceSummary(
  tx: Tx,
  actor: Actor,
  records: RecordService,
  object: 'contacts' | 'accounts',
  id: string,
  now: Date,
): Promise<TServiceSummary> {
  await records.get(tx, actor, object, id, { fields: 'id' });
  const policy = await records.access.policy(tx, actor);
  if (!policy.admin && !policy.can('tickets', 'read'))
    return { openTickets: [], csat: [], csatAverage: null, recentChats: [] };
  const link = { field: object === 'contacts' ? 'contactId' : 'accountId', op: 'eq', value: id } as const;
  const open = await records.list(tx, actor, 'tickets', {
    filter: { and: [link, { field: 'status', op: 'in', value: OPEN_STATUSES }] },
    sort: '-createdAt',
    limit: 50,
  });
  const rated = await records.list(tx, actor, 'tickets', {
    filter: { and: [link, { field: 'csatRating', op: 'isNotEmpty' }] },
    sort: '-updatedAt',
    limit: 50,
  });
  const fromTickets: TServiceSummary['csat'] = rated.data.map((t) => ({
    channel: 'ticket',
    ticketId: t.id as string,
    conversationId: null,
    number: (t.number as number | null) ?? null,
    subject: String(t.subject ?? ''),
    rating: Number(t.csatRating),
    comment: (t.csatComment as string | null) ?? null,
    solvedAt: (t.solvedAt as string | null) ?? null,
  }));
  // Live chats rated at their end: the contact's, or those of the account's contacts (as far as the caller sees them).
  const contactIds =
    object === 'contacts'
      ? [id]
      : (
          await records.list(tx, actor, 'contacts', {
            filter: { field: 'accountId', op: 'eq', value: id },
            fields: 'id',
            limit: 1000,
          })
        ).data.map((c) => c.id as string);
  const fromChats: TServiceSummary['csat'] = [];
  for (const source of csatSources()) {
    for (const r of await source.rated(tx, policy, contactIds, 50)) {
      fromChats.push({
        channel: 'chat',
        ticketId: null,
        conversationId: r.conversationId,
        number: null,
        subject: r.subject,
        rating: r.rating,
        comment: r.comment,
        solvedAt: r.at,
      });
    }
  }
  const recentChats: TServiceSummary['recentChats'] = [];
  for (const source of csatSources())
    if (source.recent) recentChats.push(...(await source.recent(tx, policy, contactIds, 10)));
  recentChats.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  recentChats.splice(10);
  // Newest first (undated last), 50 at most.
  const csat = [...fromTickets, ...fromChats]
    .sort((a, b) => (b.solvedAt ?? '').localeCompare(a.solvedAt ?? ''))
    .slice(0, 50);
  return {
    openTickets: open.data.map((t) => {
      const sla = slaState(t, now);
      return {
        id: t.id as string,
        number: (t.number as number | null) ?? null,
        subject: String(t.subject ?? ''),
        status: (t.status as string | null) ?? null,
        priority: (t.priority as string | null) ?? null,
        slaState: sla.state,
        nextDueAt: sla.nextDueAt,
      };
    }),
    csat,
    csatAverage: csat.length ? Math.round((csat.reduce((a, c) => a + c.rating, 0) / csat.length) * 10) / 10 : null,
    recentChats,
  };
}
