import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/database';
import { sendProblem } from './problem';

/**
 * GET /metrics in the Prometheus text format (prom-client): HTTP requests by method, route
 * pattern and status (a count and a latency histogram), the job queue's depth by queue and
 * state, each event consumer's lag (the age of the oldest committed event past its cursor,
 * including events a running transaction elsewhere still holds back), the database pools' use, and the process's own figures
 * (CPU, RSS, heap, open file descriptors, event-loop delay).
 *
 * Nothing here names a workspace, a record or a user: routes are the registered patterns
 * (`/api/v1/contacts/:id`, never the URL with its ids or tokens; a URL no route matched is
 * `unmatched`), queues and consumers are names from the code, and the database figures are
 * counts across the installation.
 *
 * Access: with RAPPORT_METRICS_TOKEN, `Authorization: Bearer <token>`; without it, only a
 * connection from the loopback interface that carries no proxy header (a scraper on the same
 * host or a sidecar). A reverse proxy on the same host connects from loopback too, but adds
 * X-Forwarded-For / Forwarded, so /metrics is not reachable through it by accident.
 * Anything else gets 404, as for a route that does not exist.
 */
export function registerMetrics(
  app: FastifyInstance,
  opts: { database: Database; token?: string; now?: () => Date },
): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rapport_' });
  const labels = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'rapport_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: labels,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'rapport_http_request_duration_seconds',
    help: 'Time from receiving a request to the end of its answer, by method, route pattern and status',
    labelNames: labels,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const { database } = opts;

  new Gauge({
    name: 'rapport_jobs',
    help: 'Jobs in the queue by queue and state (queued: waiting, due or not; running; failed: dead letters kept 30 days)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      const { rows } = await sql<{ queue: string; state: string; n: number }>`
        select queue, state, count(*)::int as n from jobs
        where state in ('queued', 'running', 'failed') group by queue, state`.execute(database.db);
      for (const r of rows) this.set({ queue: r.queue, state: r.state }, r.n);
    },
  });
  new Gauge({
    name: 'rapport_jobs_due',
    help: 'Queued jobs whose time has come (the backlog workers have not claimed yet)',
    registers: [registry],
    async collect() {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from jobs where state = 'queued' and run_at <= now()`.execute(database.db);
      this.set(rows[0]?.n ?? 0);
    },
  });
  new Gauge({
    name: 'rapport_event_lag_seconds',
    help: 'Per event consumer: age of the oldest committed event past its cursor (0 when it has caught up)',
    labelNames: ['consumer'],
    registers: [registry],
    async collect() {
      this.reset();
      const { rows } = await sql<{ name: string; lag: number | null }>`
        select c.name, extract(epoch from now() - e.created_at)::float8 as lag
        from event_consumers c
        left join lateral (
          select created_at from events
          where (tx, seq) > (c.last_tx, c.last_seq)
          order by tx, seq limit 1) e on true`.execute(database.db);
      for (const r of rows) this.set({ consumer: r.name }, Math.max(0, r.lag ?? 0));
    },
  });
  new Gauge({
    name: 'rapport_event_dispatch_lag_seconds',
    help: 'Age of the oldest committed event some consumer has not passed yet (0 when every consumer has caught up)',
    registers: [registry],
    async collect() {
      const { rows } = await sql<{ lag: number | null }>`
        select extract(epoch from now() - e.created_at)::float8 as lag
        from (select last_tx, last_seq from event_consumers order by last_tx, last_seq limit 1) c
        cross join lateral (
          select created_at from events
          where (tx, seq) > (c.last_tx, c.last_seq)
          order by tx, seq limit 1) e`.execute(database.db);
      this.set(Math.max(0, rows[0]?.lag ?? 0));
    },
  });
  new Gauge({
    name: 'rapport_db_pool_connections',
    help: 'Database pool connections by pool (owner, tenant, replica) and state (total, idle, waiting: callers queued for one)',
    labelNames: ['pool', 'state'],
    registers: [registry],
    collect() {
      const pools = {
        owner: database.pool,
        ...(database.tenantPool ? { tenant: database.tenantPool } : {}),
        ...(database.replica ? { replica: database.replica.pool } : {}),
      };
      for (const [pool, p] of Object.entries(pools)) {
        this.set({ pool, state: 'total' }, p.totalCount);
        this.set({ pool, state: 'idle' }, p.idleCount);
        this.set({ pool, state: 'waiting' }, p.waitingCount);
      }
    },
  });
  new Gauge({
    name: 'rapport_db_pool_max',
    help: 'Configured size of each database pool',
    labelNames: ['pool'],
    registers: [registry],
    collect() {
      this.set({ pool: 'owner' }, database.pool.options.max ?? 0);
      if (database.tenantPool) this.set({ pool: 'tenant' }, database.tenantPool.options.max ?? 0);
      if (database.replica) this.set({ pool: 'replica' }, database.replica.pool.options.max ?? 0);
    },
  });
  if (database.replica) {
    const replica = database.replica;
    new Gauge({
      name: 'rapport_replica_lag_seconds',
      help: 'The read replica’s lag at the last report read (-1: down, not a standby or never checked)',
      registers: [registry],
      collect() {
        this.set(replica.lastLagSeconds() ?? -1);
      },
    });
  }

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    const method = KNOWN_METHODS.has(req.method) ? req.method : 'OTHER';
    const l = { method, route, status: String(reply.statusCode) };
    requests.inc(l);
    duration.observe(l, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
    if (!allowed(req, opts.token)) return notFound(req, reply);
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(body);
  });
  app.addHook('onClose', async () => registry.clear());
  return registry;
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

function allowed(req: FastifyRequest, token: string | undefined): boolean {
  if (token) {
    const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
  const peer = req.raw.socket?.remoteAddress ?? '';
  const loopback = peer === '127.0.0.1' || peer === '::1' || peer === '::ffff:127.0.0.1';
  const proxied = req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined;
  return loopback && !proxied;
}

function notFound(req: FastifyRequest, reply: FastifyReply) {
  return sendProblem(reply, 'route_not_found', `No endpoint ${req.method} /metrics`);
}
