import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TelephonyService } from './telephony.service';
import { validTwilioSignature } from './twilio-signature';
import { APOLOGY, twiml } from './twiml';

type Params = Record<string, string | string[]>;
const PathParams = z.object({ id: z.string().max(64) });
/** Twilio's webhook bodies are a few dozen short parameters. */
const BODY_LIMIT = 32 * 1024;

/** The first value of each parameter (Twilio's call parameters are single-valued). */
const single = (p: Params): Record<string, string> =>
  Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Array.isArray(v) ? (v[0] ?? '') : v]));

const xml = (reply: FastifyReply, body: string) =>
  reply.status(200).type('text/xml; charset=utf-8').header('cache-control', 'no-store').send(body);

/**
 * Twilio's webhooks for a workspace number (public, rate-limited per address): the voice
 * URL (TwiML answers) and the status callback. Every request must carry Twilio's
 * signature of the public URL (the configured base URL + the path and query as requested)
 * and its form parameters, made with the number's auth token: an unknown number, a
 * missing or a wrong signature all get the same 403 and change nothing. Past that, the
 * provider never gets a 5xx: anything wrong is an apology and a hang-up.
 */
export function twilioRoutes(service: TelephonyService, baseUrl: string): FastifyPluginAsyncZod {
  const base = baseUrl.replace(/\/$/, '');
  return async (app) => {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      const params: Params = {};
      for (const [k, v] of new URLSearchParams(body as string)) {
        const had = params[k];
        params[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
      }
      done(null, params);
    });

    /** The number and its parameters when the request is Twilio's, else null (the caller answers 403). */
    const verified = async (req: {
      params: { id: string };
      body: unknown;
      url: string;
      headers: Record<string, unknown>;
    }) => {
      const params = (req.body && typeof req.body === 'object' ? req.body : {}) as Params;
      const num = await service.webhookNumber(req.params.id).catch(() => null);
      if (!num) return null;
      const signature = req.headers['x-twilio-signature'];
      const ok = validTwilioSignature(
        num.authToken,
        typeof signature === 'string' ? signature : undefined,
        base + req.url,
        params,
      );
      return ok ? { num, params: single(params) } : null;
    };
    const forbidden = (reply: FastifyReply) => reply.status(403).type('text/plain; charset=utf-8').send('Forbidden');

    app.post(
      '/api/v1/telephony/twilio/:id/voice',
      {
        bodyLimit: BODY_LIMIT,
        config: { public: true, limit: 'telephony.webhook', cors: false },
        schema: { hide: true, params: PathParams },
      },
      async (req, reply) => {
        const v = await verified(req);
        if (!v) return forbidden(reply);
        const query = (req.query ?? {}) as Record<string, string | undefined>;
        try {
          return xml(reply, await service.voice(v.num, v.params, query, req.log));
        } catch {
          return xml(reply, APOLOGY);
        }
      },
    );

    app.post(
      '/api/v1/telephony/twilio/:id/status',
      {
        bodyLimit: BODY_LIMIT,
        config: { public: true, limit: 'telephony.webhook', cors: false },
        schema: { hide: true, params: PathParams },
      },
      async (req, reply) => {
        const v = await verified(req);
        if (!v) return forbidden(reply);
        const query = (req.query ?? {}) as Record<string, string | undefined>;
        await service.status(v.num, v.params, query, req.log).catch(() => undefined);
        return xml(reply, twiml());
      },
    );
  };
}
