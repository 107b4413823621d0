import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  OpportunityContactSchema,
  SetOpportunityContactsRequest,
  StageHistorySchema,
  StageReportSchema,
} from '../../../common/contracts/sales';
import type { Database } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import type { RecordService } from '../../platform/records/records.service';
import {
  listOpportunityContacts,
  setOpportunityContacts,
  stageHistory,
  stageReport,
} from './opportunity-extras.service';

const IdParam = z.object({ id: z.uuid() }).strict();
const PipelineIdParam = z.object({ id: z.string().min(1).max(64) }).strict();
const tags = ['Opportunities'];

/** What opportunities have beyond the generic record endpoints: contact roles and stage history. */
export function opportunityRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  return async (app) => {
    app.get(
      '/api/v1/opportunities/:id/contacts',
      {
        schema: {
          tags,
          summary: 'Contacts of an opportunity with their roles',
          params: IdParam,
          response: { 200: z.object({ data: z.array(OpportunityContactSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenantRead(actor.workspaceId, (tx) =>
            listOpportunityContacts(tx, records, actor, req.params.id),
          ),
        };
      },
    );
    app.put(
      '/api/v1/opportunities/:id/contacts',
      {
        schema: {
          tags,
          summary: 'Replace the contacts of an opportunity (roles, one primary)',
          params: IdParam,
          body: SetOpportunityContactsRequest,
          response: { 200: z.object({ data: z.array(OpportunityContactSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenant(actor.workspaceId, (tx) =>
            setOpportunityContacts(tx, records, actor, req.params.id, req.body.contacts),
          ),
        };
      },
    );
    app.get(
      '/api/v1/opportunities/:id/stage-history',
      {
        schema: {
          tags,
          summary: 'Every stay of the opportunity in a stage, with its length',
          params: IdParam,
          response: { 200: z.object({ data: z.array(StageHistorySchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenantRead(actor.workspaceId, (tx) => stageHistory(tx, records, actor, req.params.id)),
        };
      },
    );
    // The stage report is a pipeline's view of its opportunities: served here, where the data is.
    app.get(
      '/api/v1/pipelines/:id/stage-report',
      {
        schema: {
          tags: ['Pipelines'],
          summary: 'Time in stage: per stage, stays begun in the period, their mean length, and current count',
          params: PipelineIdParam,
          querystring: z
            .object({
              from: z.iso.datetime({ offset: true }).optional(),
              to: z.iso.datetime({ offset: true }).optional(),
            })
            .strict(),
          response: { 200: z.object({ data: z.array(StageReportSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        const data = await database.tenantRead(actor.workspaceId, (tx) =>
          stageReport(tx, records, actor, req.params.id, req.query),
        );
        return { data };
      },
    );
  };
}
