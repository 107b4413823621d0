import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../platform/auth/actor';
import type { Database, Tx } from '../../platform/db/database';
import { AppError } from '../../platform/http/errors';
import { requestHash, withIdempotency } from '../../platform/records/idempotency';

/** Runs a sales action POST once per Idempotency-Key (like record POSTs) and sends its response. */
export async function idempotentPost(
  database: Database,
  req: FastifyRequest,
  reply: FastifyReply,
  actor: Actor,
  run: (tx: Tx) => Promise<unknown>,
) {
  const raw = req.headers['idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  const r = await withIdempotency(
    database,
    actor,
    key,
    requestHash('POST', req.url.split('?')[0] ?? '', req.body),
    async (tx) => ({
      status: 200,
      body: { data: await run(tx) },
    }),
  );
  if (r.replayed) reply.header('idempotent-replayed', 'true');
  return reply.status(r.status).send(r.body);
}

/** The version in an If-Match header ("3", W/"3"), or undefined. */
export function ifMatchVersion(req: FastifyRequest): number | undefined {
  const h = req.headers['if-match'];
  if (h === undefined || h === '*') return undefined;
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(String(h).trim());
  if (!m) {
    throw new AppError('malformed_request', 'If-Match must be an ETag from a previous response, e.g. "3"', {
      errors: [{ path: 'If-Match', message: 'malformed' }],
    });
  }
  return Number(m[1]);
}
