import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AcceptQuoteRequest,
  AcceptQuoteResponse,
  QuoteLineSchema,
  SetQuoteLinesRequest,
  SetQuoteLinesResponse,
} from '../../../common/contracts/sales';
import type { Database } from '../../platform/db/database';
import { actorOf } from '../../platform/http/context';
import { ifMatch } from '../../platform/http/if-match';
import { idempotentPost } from '../../platform/records/idempotency';
import type { RecordService } from '../../platform/records/records.service';
import { acceptQuote, listLines, quotePdf, setLines } from './quotes.service';

const IdParam = z.object({ id: z.uuid() }).strict();
const tags = ['Quotes'];

/** Quote line items, the PDF and acceptance (the quote itself is a generic record). */
export function quoteRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  return async (app) => {
    app.get(
      '/api/v1/quotes/:id/lines',
      {
        schema: {
          tags,
          summary: 'Line items of a quote, in order',
          params: IdParam,
          response: { 200: z.object({ data: z.array(QuoteLineSchema) }) },
        },
      },
      async (req) => {
        const actor = actorOf(req);
        return {
          data: await database.tenantRead(actor.workspaceId, (tx) => listLines(tx, records, actor, req.params.id)),
        };
      },
    );
    app.put(
      '/api/v1/quotes/:id/lines',
      {
        schema: {
          tags,
          summary: 'Replace the line items of a draft quote; the server computes amounts and totals',
          description:
            'Missing unit prices come from the quote’s price book in its currency, missing tax rates from the product. ' +
            'Per line: gross = round(qty × unit price), discount = round(gross × discount %), tax = round((gross − discount) × tax %); ' +
            'totals are sums of the rounded lines; rounding half away from zero to the currency’s minor unit. ' +
            'Send If-Match with the quote’s ETag to refuse a stale edit (412).',
          params: IdParam,
          body: SetQuoteLinesRequest,
          response: { 200: SetQuoteLinesResponse },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const version = ifMatch(req);
        const data = await database.tenant(actor.workspaceId, (tx) =>
          setLines(tx, records, actor, req.params.id, req.body.lines, version),
        );
        return reply.header('etag', `"${data.quote.version}"`).send({ data });
      },
    );
    app.get(
      '/api/v1/quotes/:id/pdf',
      {
        schema: {
          tags,
          summary: 'The quote as a PDF document',
          params: IdParam,
          produces: ['application/pdf'],
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        const { pdf, number } = await database.tenant(actor.workspaceId, (tx) =>
          quotePdf(tx, records, actor, req.params.id),
        );
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="quote-${number}.pdf"`)
          .send(pdf);
      },
    );
    app.post(
      '/api/v1/quotes/:id/accept',
      {
        schema: {
          tags,
          summary: 'Accept a draft or sent quote that is still valid; closes its opportunity as won by default',
          description: 'Idempotency-Key makes retries safe.',
          params: IdParam,
          body: AcceptQuoteRequest.optional(),
          response: { 200: AcceptQuoteResponse },
        },
      },
      async (req, reply) => {
        const actor = actorOf(req);
        return idempotentPost(database, req, reply, actor, (tx) =>
          acceptQuote(tx, records, actor, req.params.id, req.body ?? {}),
        );
      },
    );
  };
}
