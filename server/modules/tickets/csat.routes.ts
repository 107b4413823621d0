import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../../platform/db/database';
import { registerSecretPath } from '../../platform/logging';
import type { RecordService } from '../../platform/records/records.service';
import { answerSurvey, commentThanksPage, invalidLinkPage, thanksPage } from './csat';

const TokenParam = z.object({ token: z.string().min(1).max(200) }).strict();
const Rating = z.coerce.number().int().min(1).max(5);

/** The survey's public pages: a rating by one click from the email, then a comment (no login, rate-limited). */
export function csatRoutes(deps: { database: Database; records: RecordService }): FastifyPluginAsyncZod {
  const { database, records } = deps;
  // The token is the credential: never in a log line.
  registerSecretPath('/csat/:secret');
  return async (app) => {
    // The comment form posts as a plain HTML form.
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    app.get(
      '/csat/:token',
      {
        config: { public: true, limit: 'csat.answer' },
        schema: {
          tags: ['Tickets'],
          summary: 'Answer a satisfaction survey with one click (the link from the survey email); HTML',
          params: TokenParam,
          querystring: z.object({ rating: Rating.optional() }).strict(),
          produces: ['text/html'],
        },
      },
      async (req, reply) => {
        const { rating } = req.query;
        const ok = rating ? await answerSurvey(database, records, req.params.token, { rating }) : true;
        reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').type('text/html');
        if (!ok) return reply.status(404).send(invalidLinkPage());
        return reply.send(thanksPage(req.params.token, rating ?? null));
      },
    );

    app.post(
      '/csat/:token',
      {
        config: { public: true, limit: 'csat.answer' },
        schema: {
          tags: ['Tickets'],
          summary: 'Add a comment (and or a rating) to a satisfaction survey answer; a form post or JSON',
          params: TokenParam,
          body: z.object({ comment: z.string().trim().max(2000).optional(), rating: Rating.optional() }).strict(),
          produces: ['text/html'],
        },
      },
      async (req, reply) => {
        const ok = await answerSurvey(database, records, req.params.token, {
          rating: req.body.rating,
          comment: req.body.comment || undefined,
        });
        reply.header('cache-control', 'no-store').type('text/html');
        if (!ok) return reply.status(404).send(invalidLinkPage());
        return reply.send(commentThanksPage());
      },
    );
  };
}
