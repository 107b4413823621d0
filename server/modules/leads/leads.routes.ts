import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConvertLeadRequest, ConvertLeadResponse } from '../../../common/contracts/sales';
import type { Database } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import { idempotentPost } from '../../platform/records/idempotency';
import type { RecordService } from '../../platform/records/records.service';
import { convertLead } from './lead-converter';

/** Lead conversion (the lead itself is a generic record). */
export function leadRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  return async (app) => {
    app.post(
      '/api/v1/leads/:id/convert',
      {
        schema: {
          tags: ['Leads'],
          summary: 'Convert a lead into an account, a contact and (by default) an opportunity, in one transaction',
          description:
            'The account is the one given, else the visible account with the lead’s domain, else with its company name ' +
            '(case-insensitive), else a new one; the contact likewise by email. A converted lead cannot be converted again (409). ' +
            'Idempotency-Key makes retries safe.',
          params: z.object({ id: z.uuid() }).strict(),
          body: ConvertLeadRequest.optional(),
          response: { 200: ConvertLeadResponse },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        return idempotentPost(database, req, reply, actor, (tx) =>
          convertLead(tx, records, actor, req.params.id, req.body ?? {}),
        );
      },
    );
  };
}
