import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { GpcSupport } from '../../../common/contracts/audience';

/** The day this server's handling of Global Privacy Control last changed (the `lastUpdate` of gpc.json). */
export const GPC_LAST_UPDATE = '2026-12-07';

/**
 * `GET /.well-known/gpc.json`: tells browsers and auditors that this server honours Global
 * Privacy Control (https://privacycg.github.io/gpc-spec/, "GPC support resource"). Public,
 * rate-limited, the same for every workspace.
 */
export function gpcRoutes(): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/.well-known/gpc.json',
      {
        config: { public: true, limit: 'privacy.gpc' },
        schema: {
          tags: ['Consents'],
          summary: 'Global Privacy Control support resource',
          response: { 200: GpcSupport },
        },
      },
      async (_req, reply) => {
        reply.header('cache-control', 'public, max-age=86400').header('access-control-allow-origin', '*');
        return { gpc: true as const, lastUpdate: GPC_LAST_UPDATE };
      },
    );
  };
}
