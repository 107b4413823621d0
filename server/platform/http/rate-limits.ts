import type { FastifyInstance, FastifyReply } from 'fastify';
import { sql } from 'kysely';
import type { Database, Tx } from '../db/database';
import { AppError } from './errors';

/**
 * Named limits for routes anyone can call without credentials. A public route
 * declares one (`config: { public: true, limit: 'invitations.lookup' }`) and gets,
 * per client address, a fixed-window count kept in the database (so every app server
 * agrees), IETF RateLimit-* headers on every answer, and 429 problem+json with
 * Retry-After once over it. Public endpoints to come (forms, tracking, chat,
 * unsubscribe) add a line here and declare it.
 */
export const NAMED_LIMITS = {
  /** Sign-up creates an account and a workspace: a handful per address per hour. */
  'auth.sign-up': { max: 10, windowSeconds: 3600 },
  /** Password-reset mails: each sends an email. */
  'auth.mail': { max: 10, windowSeconds: 3600 },
  /** Using an emailed token (password reset). */
  'auth.token': { max: 30, windowSeconds: 60 },
  /** Invitation look-up and acceptance: a token is guessed only by asking. */
  'invitations.lookup': { max: 30, windowSeconds: 60 },
  /** Inbound workflow hooks: machines call these, more often. */
  'workflows.hook': { max: 120, windowSeconds: 60 },
  /** Calendar feeds: calendar apps poll every few minutes. */
  'calendar.feed': { max: 60, windowSeconds: 60 },
  /** Hosted form pages (GET /f/{id}) and double opt-in links. */
  'forms.page': { max: 120, windowSeconds: 60 },
  /** Form submissions per address (each form also has its own limit: FORM_SUBMIT_LIMIT). */
  'forms.submit': { max: 20, windowSeconds: 60 },
  /** Website tracking (t/collect): page views from one address (an office behind one address browses a lot). */
  'tracking.collect': { max: 240, windowSeconds: 60 },
  /** Satisfaction survey answers (a rating link, then a comment): a person clicks a few times. */
  'csat.answer': { max: 30, windowSeconds: 600 },
  /** Public help centre pages and search: people and crawlers read many pages. */
  'help.page': { max: 300, windowSeconds: 60 },
  /** Helpful / not helpful votes on help centre articles. */
  'help.vote': { max: 10, windowSeconds: 60 },
  /** The chat widget's settings (GET /chat/config): once per page that embeds widget.js. */
  'chat.config': { max: 240, windowSeconds: 60 },
  /** Visitor chat sockets opened (GET /chat/socket): a visitor opens one per chat, reconnects a few times. */
  'chat.connect': { max: 30, windowSeconds: 60 },
  /** Files in a chat (POST /chat/files, GET /chat/files/{id}): a visitor sends and opens a few. */
  'chat.files': { max: 30, windowSeconds: 60 },
  /** Campaign mail's open pixel and click redirects (/e/o, /e/c): an office behind one address reads a lot of mail. */
  'campaigns.track': { max: 600, windowSeconds: 60 },
  /** Campaign mail's unsubscribe and preferences page (/e/u): a person clicks a few times. */
  'campaigns.preferences': { max: 30, windowSeconds: 60 },
  /** Telephony provider webhooks (Twilio's voice and status posts): every call makes several, from the provider's few addresses. */
  'telephony.webhook': { max: 1200, windowSeconds: 60 },
  /** Uploaded IVR prompts the provider fetches at their signed URLs (<Play>): a few per call. */
  'telephony.audio': { max: 1200, windowSeconds: 60 },
  /** /.well-known/gpc.json: browsers and auditors read it now and then; a constant answer. */
  'privacy.gpc': { max: 120, windowSeconds: 60 },
  /** /.well-known/carddav and /.well-known/caldav: a phone asks when an account is added, then now and then. */
  'dav.discovery': { max: 60, windowSeconds: 60 },
  /** The public privacy request form and its confirmation page (GET /privacy/…). */
  'privacy.page': { max: 60, windowSeconds: 60 },
  /** Privacy requests and confirmations (POST /privacy/…): each request mails the address. */
  'privacy.request': { max: 5, windowSeconds: 3600 },
  /** Social network webhooks (/social/webhooks/{id}): Meta and X send from a few addresses, in bursts. */
  'social.webhook': { max: 1200, windowSeconds: 60 },
} as const satisfies Record<string, { max: number; windowSeconds: number }>;

export type LimitName = keyof typeof NAMED_LIMITS;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A named limit (NAMED_LIMITS) counted per client address before the handler runs. */
    limit?: LimitName;
  }
}

export interface Hit {
  /** Requests counted in the current window, this one included. */
  hits: number;
  /** Seconds until the window ends. */
  resetSeconds: number;
}

/**
 * Counts one hit of `name` for `key` and returns the count, atomically: one upsert
 * under the row lock, so N parallel requests see 1…N, never N times the same count.
 * An expired window starts again at 1.
 */
export async function hit(db: Tx, name: string, key: string, windowSeconds: number): Promise<Hit> {
  const { rows } = await sql<{ hits: number; reset: number }>`
    insert into rate_limit_hits (name, key, hits, window_ends)
    values (${name}, ${key}, 1, now() + make_interval(secs => ${windowSeconds}))
    on conflict (name, key) do update set
      hits = case when rate_limit_hits.window_ends <= now() then 1 else rate_limit_hits.hits + 1 end,
      window_ends = case when rate_limit_hits.window_ends <= now() then excluded.window_ends
                         else rate_limit_hits.window_ends end
    returning hits, ceil(extract(epoch from window_ends - now()))::int as reset`.execute(db);
  const r = rows[0];
  return { hits: r?.hits ?? 1, resetSeconds: Math.max(1, r?.reset ?? windowSeconds) };
}

/** The current count of `name` for `key` without counting (0 when its window is over). */
export async function peek(db: Tx, name: string, key: string): Promise<Hit> {
  const { rows } = await sql<{ hits: number; reset: number }>`
    select hits, ceil(extract(epoch from window_ends - now()))::int as reset from rate_limit_hits
    where name = ${name} and key = ${key} and window_ends > now()`.execute(db);
  return { hits: rows[0]?.hits ?? 0, resetSeconds: Math.max(1, rows[0]?.reset ?? 0) };
}

/** Takes one hit back (an attempt that turned out not to count, e.g. a correct password). */
export async function unhit(db: Tx, name: string, key: string): Promise<void> {
  await sql`update rate_limit_hits set hits = greatest(hits - 1, 0) where name = ${name} and key = ${key}`.execute(db);
}

/** Forgets a key's count (e.g. an account's failures after a successful sign-in). */
export async function resetHits(db: Tx, name: string, key: string): Promise<void> {
  await sql`delete from rate_limit_hits where name = ${name} and key = ${key}`.execute(db);
}

/** Deletes counters whose window ended (hourly housekeeping). */
export async function purgeRateLimits(database: Database): Promise<number> {
  const { numDeletedRows } = await database.db
    .deleteFrom('rate_limit_hits')
    .where('window_ends', '<', sql<Date>`now() - interval '1 minute'`)
    .executeTakeFirst();
  return Number(numDeletedRows);
}

/** Sets the IETF RateLimit-* headers (draft-ietf-httpapi-ratelimit-headers, as @fastify/rate-limit does). */
export function setRateLimitHeaders(reply: FastifyReply, max: number, h: Hit): void {
  reply.header('ratelimit-limit', String(max));
  reply.header('ratelimit-remaining', String(Math.max(0, max - h.hits)));
  reply.header('ratelimit-reset', String(h.resetSeconds));
}

/** Counts a named limit for the request's address; throws 429 (Retry-After) once over it. */
export async function enforceLimit(database: Database, name: LimitName, ip: string, reply: FastifyReply) {
  const { max, windowSeconds } = NAMED_LIMITS[name];
  const h = await hit(database.db, name, ip, windowSeconds);
  setRateLimitHeaders(reply, max, h);
  if (h.hits > max) {
    throw new AppError('rate_limited', `Too many requests; retry in ${h.resetSeconds} seconds`, {
      retryAfterSeconds: h.resetSeconds,
    });
  }
}

/** Applies every route's declared named limit (see NAMED_LIMITS) before its handler. */
export function registerNamedLimits(app: FastifyInstance, database: Database): void {
  app.addHook('onRequest', async (req, reply) => {
    const name = req.routeOptions.config.limit;
    if (name) await enforceLimit(database, name, req.ip, reply);
  });
}
