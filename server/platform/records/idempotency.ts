import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Actor } from '../auth/actor';
import type { Database, Tx } from '../db/database';
import { AppError } from '../http/errors';

export interface StoredResponse {
  status: number;
  body: unknown;
  location?: string | null;
}

const KEY = /^[\x21-\x7e]{1,255}$/;

/** Raised when a concurrent request with the same key committed first. */
class IdempotencyRace extends Error {}

const actorKey = (actor: Actor) => actor.apiKeyId ?? actor.userId ?? 'anonymous';

export function requestHash(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${url}\n${JSON.stringify(body ?? null)}`)
    .digest('hex');
}

/**
 * Runs a POST at most once per Idempotency-Key (per caller, 24 h): the response is
 * stored in the same transaction as the effect, so a retry gets the first
 * response and creates nothing; the same key with another body → 422.
 */
export async function withIdempotency(
  database: Database,
  actor: Actor,
  key: string | undefined,
  hash: string,
  run: (tx: Tx) => Promise<StoredResponse>,
): Promise<StoredResponse & { replayed: boolean }> {
  if (key === undefined) return { ...(await database.tenant(actor.workspaceId, run)), replayed: false };
  if (!KEY.test(key)) {
    throw new AppError('malformed_request', 'Idempotency-Key must be 1–255 visible ASCII characters', {
      errors: [{ path: 'Idempotency-Key', message: 'must be 1–255 visible ASCII characters' }],
    });
  }
  const stored = async (tx: Tx) => {
    const { rows } = await sql<{ request_hash: string; status: number; body: unknown; location: string | null }>`
      select request_hash, status, body, location from idempotency_keys
      where actor = ${actorKey(actor)} and key = ${key} and created_at > now() - interval '24 hours'`.execute(tx);
    const row = rows[0];
    if (!row) return undefined;
    if (row.request_hash !== hash) {
      throw new AppError('idempotency_key_reused', 'This Idempotency-Key was used with a different request', {
        errors: [{ path: 'Idempotency-Key', message: 'already used with another body or endpoint' }],
      });
    }
    return { status: row.status, body: row.body, location: row.location, replayed: true };
  };
  try {
    return await database.tenant(actor.workspaceId, async (tx) => {
      const previous = await stored(tx);
      if (previous) return previous;
      const response = await run(tx);
      const { rows } = await sql`
        insert into idempotency_keys (workspace_id, actor, key, request_hash, status, body, location)
        values (${actor.workspaceId}, ${actorKey(actor)}, ${key}, ${hash}, ${response.status},
                ${JSON.stringify(response.body)}::jsonb, ${response.location ?? null})
        on conflict (workspace_id, actor, key) do update
          set request_hash = excluded.request_hash, status = excluded.status, body = excluded.body,
              location = excluded.location, created_at = now()
          where idempotency_keys.created_at <= now() - interval '24 hours'
        returning key`.execute(tx);
      if (rows.length === 0) throw new IdempotencyRace();
      return { ...response, replayed: false };
    });
  } catch (err) {
    if (!(err instanceof IdempotencyRace)) throw err;
    const previous = await database.tenant(actor.workspaceId, stored);
    if (!previous) throw err;
    return previous;
  }
}

/** Runs a module's action POST (convert, merge, accept, comment…) once per Idempotency-Key, like record POSTs, and sends its response (`status`: 200, or 201 for one that creates). */
export async function idempotentPost(
  database: Database,
  req: FastifyRequest,
  reply: FastifyReply,
  actor: Actor,
  run: (tx: Tx) => Promise<unknown>,
  status = 200,
) {
  const raw = req.headers['idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  const r = await withIdempotency(
    database,
    actor,
    key,
    requestHash('POST', req.url.split('?')[0] ?? '', req.body),
    async (tx) => ({
      status,
      body: { data: await run(tx) },
    }),
  );
  if (r.replayed) reply.header('idempotent-replayed', 'true');
  return reply.status(r.status).send(r.body);
}
