import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DealStatsSchema, DealsPageSchema, DealsQuery } from '../../../common/contracts/sales';
import type { Database } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import type { RecordService } from '../../platform/records/records.service';
import { dealStats, listDeals } from './deals.service';

const tags = ['Deals'];

/** Deals: the won/lost view of opportunities, and win rate and sales cycle. */
export function dealRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  return async (app) => {
    app.get(
      '/api/v1/deals',
      {
        schema: {
          tags,
          summary: 'Closed opportunities (won or lost), latest close first',
          description: 'Filter by close period [from, to), owner, pipeline and status; cursor pages like every list.',
          querystring: DealsQuery,
          response: { 200: DealsPageSchema },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return database.tenantRead(actor.workspaceId, (tx) => listDeals(tx, records, actor, req.query));
      },
    );
    app.get(
      '/api/v1/deals/stats',
      {
        schema: {
          tags,
          summary: 'Win rate and sales cycle length of the deals closed in a period',
          description:
            'winRate = won / (won + lost) among opportunities whose current stage is won or lost and that closed in [from, to); ' +
            'null without any. Cycle = closedAt − createdAt of won deals, in days (mean and median). A reopened opportunity ' +
            'counts only once it closes again, with its latest close. Amounts are summed per currency.',
          querystring: DealsQuery.omit({ limit: true, cursor: true }),
          response: { 200: z.object({ data: DealStatsSchema }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return { data: await database.tenantRead(actor.workspaceId, (tx) => dealStats(tx, records, actor, req.query)) };
      },
    );
  };
}
