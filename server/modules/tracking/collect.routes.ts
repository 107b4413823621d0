import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { isbot } from 'isbot';
import { sql } from 'kysely';
import { CollectRequest } from '../../../common/contracts/tracking';
import type { Database } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import { checkJson } from '../../platform/http/input-guard';
import { hit, setRateLimitHeaders } from '../../platform/http/rate-limits';
import type { ModuleRouteDeps } from '../../platform/modules';
import { gpcSignal, recordGpcOptOut } from '../consents';
import { recordView, siteOf, visitorRecord } from './tracking.service';
import { TRACKING_SCRIPT, TRACKING_SCRIPT_ETAG } from './tracking-script';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** @fastify/cors per route: false leaves CORS to the route (t/collect answers for each workspace's sites). */
    cors?: false;
  }
}

/** Views one site key may report per minute, from every address together (one busy site). */
export const KEY_LIMIT = { max: 6000, windowSeconds: 60 };

/** A t/collect body is a few hundred bytes; anything much larger is not from t.js. */
const BODY_LIMIT = 8 * 1024;

/** The browser family kept instead of the user agent. */
export function browserFamily(ua: string): string {
  if (/Edg\//.test(ua)) return 'Edge';
  if (/OPR\/|Opera/.test(ua)) return 'Opera';
  if (/Firefox\//.test(ua)) return 'Firefox';
  if (/Chrome\/|CriOS\//.test(ua)) return 'Chrome';
  if (/Safari\//.test(ua)) return 'Safari';
  return 'Other';
}

/** Whether the visitor asked not to be tracked (Do-Not-Track, Global Privacy Control). */
export const optedOut = (req: FastifyRequest): boolean => req.headers.dnt === '1' || req.headers['sec-gpc'] === '1';

/** HMAC of client addresses under an instance key made once and kept in instance_settings (never the address). */
function ipHasher(database: Database) {
  let key: Promise<string> | null = null;
  const load = async () => {
    await sql`insert into instance_settings (key, value) values ('tracking_ip_key', encode(gen_random_bytes(32), 'hex'))
      on conflict (key) do nothing`.execute(database.db);
    const { rows } = await sql<{
      value: string;
    }>`select value from instance_settings where key = 'tracking_ip_key'`.execute(database.db);
    return rows[0]?.value as string;
  };
  return async (workspaceId: string, ip: string): Promise<string> => {
    key ??= load().catch((err) => {
      key = null;
      throw err;
    });
    return createHmac('sha256', await key)
      .update(`${workspaceId}\n${ip}`)
      .digest('hex')
      .slice(0, 32);
  };
}

/** The body t.js sends: JSON in a text/plain body (sendBeacon, simple requests) or application/json. */
function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AppError('malformed_json', 'The body must be the JSON t.js sends');
  }
  checkJson(parsed); // what the JSON parser checks for application/json bodies (NUL, prototype keys, depth)
  return parsed;
}

/**
 * The public tracking endpoints: the script (`GET /t.js`) and what it reports (`POST /t/collect`).
 * Collect answers 204 whether it stored the view or not (opted out, a bot, an unknown or disabled
 * key, a site not allowed): a caller learns nothing about workspaces or keys from it.
 */
export function collectRoutes({ config, database, records }: ModuleRouteDeps): FastifyPluginAsyncZod {
  const hashIp = ipHasher(database);
  /**
   * Global Privacy Control from a browser already identified as a lead or contact: their opt-out
   * of sale/sharing and tracking is recorded (source `gpc`). Nothing is stored about the view, and
   * a body that does not parse or an unknown key is ignored (the answer is the same 204).
   */
  const recordGpcOfVisitor = async (body: unknown): Promise<void> => {
    let parsed: ReturnType<typeof CollectRequest.safeParse>;
    try {
      parsed = CollectRequest.safeParse(parseBody(body));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const site = await siteOf(database.db, parsed.data.key);
    if (!site) return;
    const { visitorId } = parsed.data;
    await database.tenant(site.workspaceId, async (tx) => {
      const who = await visitorRecord(tx, site.workspaceId, visitorId);
      if (!who) return;
      await recordGpcOptOut(tx, { workspaceId: site.workspaceId, userId: null }, records, who.object, who.recordId, {
        via: 't/collect',
        visitorId,
      });
    });
  };
  return async (app) => {
    app.get(
      '/t.js',
      { config: { public: true }, schema: { hide: true } },
      async (req: FastifyRequest, reply: FastifyReply) => {
        reply
          .header('content-type', 'application/javascript; charset=utf-8')
          .header('cache-control', 'public, max-age=3600')
          .header('etag', TRACKING_SCRIPT_ETAG)
          // Loaded by other sites' pages: helmet's same-origin default would block it.
          .header('cross-origin-resource-policy', 'cross-origin');
        const inm = req.headers['if-none-match'];
        if (inm?.split(',').some((t) => t.trim() === TRACKING_SCRIPT_ETAG)) return reply.status(304).send();
        return reply.send(TRACKING_SCRIPT);
      },
    );

    // t.js sends text/plain (no preflight); a caller sending JSON gets its preflight answered here.
    app.options('/t/collect', { config: { public: true, cors: false }, schema: { hide: true } }, async (req, reply) => {
      const origin = req.headers.origin;
      if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
      return reply
        .header('access-control-allow-methods', 'POST')
        .header('access-control-allow-headers', 'content-type')
        .header('access-control-max-age', '86400')
        .status(204)
        .send();
    });

    app.post(
      '/t/collect',
      {
        config: { public: true, cors: false, limit: 'tracking.collect' },
        bodyLimit: BODY_LIMIT,
        schema: { hide: true },
      },
      async (req: FastifyRequest, reply: FastifyReply) => {
        reply.header('cache-control', 'no-store');
        const done = () => reply.status(204).send();
        const ua = req.headers['user-agent'] ?? '';
        if (gpcSignal(req.headers)) {
          await recordGpcOfVisitor(req.body);
          return done();
        }
        if (optedOut(req) || !ua || isbot(ua)) return done();
        const parsed = CollectRequest.safeParse(parseBody(req.body));
        if (!parsed.success) {
          const errors = parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'body', message: i.message }));
          throw new AppError('validation_failed', `Invalid body: ${errors.map((e) => e.path).join(', ')}`, { errors });
        }
        const view = parsed.data;
        const site = await siteOf(database.db, view.key);
        if (!site) return done();
        if (config.publicRateLimits) {
          const h = await hit(database.db, 'tracking.key', view.key, KEY_LIMIT.windowSeconds);
          if (h.hits > KEY_LIMIT.max) {
            setRateLimitHeaders(reply, KEY_LIMIT.max, h);
            throw new AppError('rate_limited', `Too many views for this site; retry in ${h.resetSeconds} seconds`, {
              retryAfterSeconds: h.resetSeconds,
            });
          }
        }
        const origin = req.headers.origin;
        if (origin && site.allowedOrigins.length > 0 && !site.allowedOrigins.includes(origin.toLowerCase())) {
          return done();
        }
        if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
        const ipHash = await hashIp(site.workspaceId, req.ip);
        await database.tenant(site.workspaceId, (tx) =>
          recordView(tx, site.workspaceId, { ...view, browser: browserFamily(ua), ipHash }),
        );
        return done();
      },
    );
  };
}
