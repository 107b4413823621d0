import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Database } from '../db/database';
import { sendProblem } from './problem';

const Health = z.object({
  status: z.literal('ok'),
  database: z.object({ kind: z.enum(['postgres', 'embedded']), version: z.string() }),
  uptimeSeconds: z.number(),
});

/** Liveness (never touches the database) and readiness (does). */
export function healthRoutes(database: Database): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health',
      {
        config: { public: true },
        schema: { tags: ['system'], summary: 'Liveness: the process answers', response: { 200: Health } },
      },
      async () => ({
        status: 'ok' as const,
        database: { kind: database.kind, version: database.version },
        uptimeSeconds: Math.round(process.uptime()),
      }),
    );
    app.get(
      '/ready',
      {
        config: { public: true },
        schema: {
          tags: ['system'],
          summary: 'Readiness: the database answers within 2 s',
          response: { 200: z.object({ status: z.literal('ready') }) },
        },
      },
      async (_req, reply) => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('database did not answer within 2 s')), 2000);
        });
        try {
          await Promise.race([database.pool.query('select 1'), timeout]);
          return { status: 'ready' as const };
        } catch (err) {
          reply.log.warn({ err }, 'not ready');
          return sendProblem(reply, 'service_unavailable', 'The database is not reachable');
        } finally {
          clearTimeout(timer);
        }
      },
    );
  };
}
