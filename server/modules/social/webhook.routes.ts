import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound } from '../../platform/http/errors';
import type { ModuleRouteDeps } from '../../platform/modules';
import { connectionById } from './connections.service';
import { storeDelivery } from './ingest';
import { signatureValid, xSignature } from './providers';

/** The largest webhook body taken (Meta batches up to 1,000 updates; larger bodies get 413 and are not stored). */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

const params = z.object({ id: z.string().max(64) });
const CHALLENGE = /^[A-Za-z0-9_.-]{1,200}$/;

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * The public webhook of each connection (`/social/webhooks/{id}`): Meta's subscription
 * handshake and X's CRC on GET; deliveries on POST, verified on the raw body before
 * anything is parsed or stored. Unknown and switched-off connections are 404, a bad
 * signature 401 with nothing stored; a verified body is stored at once and answered 200.
 */
export function webhookRoutes({ database, jobs, secrets, now }: ModuleRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    // The signature covers the exact bytes sent: these routes read every body raw
    // (this plugin's scope only; the rest of the app keeps the guarded JSON parser).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );

    app.get(
      '/social/webhooks/:id',
      {
        config: { public: true, limit: 'social.webhook', cors: false },
        schema: {
          hide: true,
          params,
          querystring: z.object({
            'hub.mode': z.string().max(50).optional(),
            'hub.verify_token': z.string().max(500).optional(),
            'hub.challenge': z.string().max(500).optional(),
            crc_token: z.string().max(500).optional(),
          }),
        },
      },
      async (req, reply) => {
        const conn = await database.system((tx) => connectionById(tx, secrets, req.params.id));
        if (!conn?.active) throw notFound('Webhook');
        const q = req.query;
        reply.header('cache-control', 'no-store');
        if (conn.network === 'facebook' || conn.network === 'instagram') {
          const ok =
            q['hub.mode'] === 'subscribe' &&
            !!conn.verifyToken &&
            typeof q['hub.verify_token'] === 'string' &&
            same(q['hub.verify_token'], conn.verifyToken) &&
            CHALLENGE.test(q['hub.challenge'] ?? '');
          if (!ok) throw new AppError('forbidden', 'The verify token does not match this connection');
          return reply.type('text/plain; charset=utf-8').send(q['hub.challenge']);
        }
        if (conn.network === 'x') {
          if (!q.crc_token)
            throw new AppError('validation_failed', 'crc_token is required', {
              errors: [{ path: 'crc_token', message: 'is required (the CRC check)' }],
            });
          return reply.send({ response_token: xSignature(conn.appSecret, q.crc_token) });
        }
        throw notFound('Webhook');
      },
    );

    app.post(
      '/social/webhooks/:id',
      {
        bodyLimit: WEBHOOK_BODY_LIMIT,
        config: { public: true, limit: 'social.webhook', cors: false },
        schema: { hide: true, params },
      },
      async (req, reply) => {
        const conn = await database.system((tx) => connectionById(tx, secrets, req.params.id));
        if (!conn?.active) throw notFound('Webhook');
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const nowSeconds = Math.floor(now().getTime() / 1000);
        if (!conn.appSecret || !signatureValid(conn.network, conn.appSecret, raw, req.headers, nowSeconds))
          throw new AppError('unauthenticated', 'The signature does not match this connection’s secret');
        const receipt = await storeDelivery(database, jobs, conn, raw);
        jobs.wake();
        return reply.status(200).send({ received: true, ...receipt });
      },
    );
  };
}
