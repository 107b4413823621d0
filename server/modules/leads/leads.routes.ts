import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ConversionMatchesResponse, ConvertLeadRequest, ConvertLeadResponse } from '../../../common/contracts/sales';
import type { Database } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import { idempotentPost } from '../../platform/records/idempotency';
import type { RecordService } from '../../platform/records/records.service';
import { accountMatches, contactMatches } from './conversion-matches';
import { convertLead } from './lead-converter';

/** Lead conversion (the lead itself is a generic record). */
export function leadRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  return async (app) => {
    app.get(
      '/api/v1/leads/:id/conversion-matches',
      {
        schema: {
          tags: ['Leads'],
          summary:
            'The existing accounts and contacts converting this lead could link, best first, with score and reasons',
          description:
            'Accounts: same domain (the lead’s domain or website against the account’s domain or website), the lead’s ' +
            'business email at the account’s domain or website (email_domain), the same company name once case, accents, ' +
            'punctuation and legal forms (Inc, Ltd, GmbH, SA…) are ignored (name), or a similar name (similar_name, never ' +
            'strong alone). Contacts: the same email, also among their other emails. Only records and fields you may see. ' +
            'Converting without accountId links the first account when it is strong.',
          params: z.object({ id: z.uuid() }).strict(),
          response: { 200: ConversionMatchesResponse },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenantRead(actor.workspaceId, async (tx) => {
            const ctx = await records.require(tx, actor, 'leads', req.params.id, 'read');
            const lead = await records.get(tx, actor, 'leads', req.params.id);
            return {
              accounts: await accountMatches(tx, records, ctx, lead),
              contacts: await contactMatches(tx, records, ctx, lead),
            };
          }),
        };
      },
    );
    app.post(
      '/api/v1/leads/:id/convert',
      {
        schema: {
          tags: ['Leads'],
          summary: 'Convert a lead into an account, a contact and (by default) an opportunity, in one transaction',
          description:
            'The account is the one given, else (unless newAccount) the first strong match of ' +
            'GET /api/v1/leads/{id}/conversion-matches (same domain or website, the email’s business domain, or the same ' +
            'company name without case, punctuation or legal form), else a new one; the contact likewise by email. ' +
            'A converted lead cannot be converted again (409). Idempotency-Key makes retries safe.',
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
