/**
 * Segment count benchmark (npm run bench:segments): PostgreSQL server, N contacts in one
 * workspace (default 1,000,000, seeded with generate_series SQL). Counts a dynamic
 * segment (country = DE and tag "newsletter") through the API
 * (`GET /api/v1/segments/{id}/members?count=true&limit=1`, a real `rapport serve` process,
 * an API key) and as the raw SQL baseline, sequentially and with 16 concurrent clients;
 * plus the same count as a sales rep (own scope) and a static segment of 10,000 members.
 *
 * Environment: RAPPORT_BENCH_PG_URL (maintenance DB, default postgres://postgres@127.0.0.1:5432/postgres),
 * RAPPORT_BENCH_CONTACTS (default 1000000), RAPPORT_BENCH_REUSE=1 to keep and reuse the seeded database,
 * RAPPORT_BENCH_ITERATIONS (sequential requests per workload, default 100).
 */
import http from 'node:http';
import os from 'node:os';
import pg from 'pg';
import { seedContacts } from '../cli/seed';
import { createApiKey } from '../server/platform/auth/api-keys.service';
import { loadConfig } from '../server/platform/config';
import { addMember, createUser, signUp } from '../server/platform/workspaces/identity.service';
import { startRuntime } from '../server/runtime';
import { type ServerProcess, startServerProcess } from '../test/helpers/server-process';
import { addResults, databaseUrl, dropUnlessReused, ensureDatabase, keepAlive, percentile, request } from './bench-db';

const CONTACTS = Number(process.env.RAPPORT_BENCH_CONTACTS ?? 1_000_000);
const DB_NAME = `rapport_bench_segments_${CONTACTS}`;
const ITERATIONS = Number(process.env.RAPPORT_BENCH_ITERATIONS ?? 100);
const WARMUP = 10;
const CLIENTS = 16;
const PER_CLIENT = 5;
const dbUrl = databaseUrl(DB_NAME);

const FILTER = {
  and: [
    { field: 'address.country', op: 'eq', value: 'DE' },
    { field: 'tags', op: 'contains', value: 'newsletter' },
  ],
};
const RAW_COUNT = `select count(*) from contacts where workspace_id = $1 and deleted_at is null
  and address_country = 'DE' and tags @> array['newsletter']`;

async function sequential(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

/** 16 clients at once, each running PER_CLIENT requests back to back: every request's latency. */
async function concurrent(fn: (client: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; i < PER_CLIENT; i++) {
        const t0 = performance.now();
        await fn(c);
        out.push(performance.now() - t0);
      }
    }),
  );
  return out.sort((a, b) => a - b);
}

async function main() {
  const reused = await ensureDatabase(DB_NAME, async (db) => {
    const { rows } = await db.query(
      `select count(*)::int as n from contacts c join workspaces w on w.id = c.workspace_id where w.name = 'Bench'`,
    );
    return rows[0].n >= CONTACTS;
  });
  const config = loadConfig({ databaseUrl: dbUrl, logLevel: 'silent', seedDemo: false, rateLimitPerMinute: 0 }, {});
  const runtime = await startRuntime(config, { backgroundWork: false });
  const { database } = runtime;
  const raw = new pg.Pool({ connectionString: dbUrl, max: CLIENTS });
  const agentMany = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  let server: ServerProcess | undefined;
  try {
    let workspaceId: string;
    if (!reused) {
      const deps = { database, auth: runtime.auth };
      const main = await signUp(
        deps,
        { name: 'Bench', email: 'bench@bench.example', password: 'bench main passphrase', workspaceName: 'Bench' },
        {},
      );
      workspaceId = main.data.workspace.id;
      const { userId: repId } = await createUser(
        deps,
        { name: 'Rep', email: 'rep@bench.example', password: 'bench rep passphrase' },
        {},
      );
      await addMember(database, workspaceId, repId, 'sales_rep');
      const t0 = Date.now();
      await seedContacts(database, workspaceId, { contacts: CONTACTS }, (n) =>
        process.stderr.write(`\r  seeding ${n.toLocaleString('en')} contacts…`),
      );
      process.stderr.write(`\n  seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      await raw.query('vacuum analyze');
    } else {
      workspaceId = (await raw.query(`select id from workspaces where name = 'Bench'`)).rows[0].id;
    }
    await raw.query('checkpoint');
    const key = (await createApiKey(database, workspaceId, { name: 'bench', role: 'administrator', createdBy: null }))
      .key;
    const repUser = (await raw.query(`select id from users where email = 'rep@bench.example'`)).rows[0].id;
    const repKey = (await createApiKey(database, workspaceId, { name: 'rep', role: 'sales_rep', createdBy: repUser }))
      .key;
    server = await startServerProcess({
      DATABASE_URL: dbUrl,
      RAPPORT_RATE_LIMIT: '0',
      RAPPORT_SEED_DEMO: '0',
      LOG_LEVEL: 'warn',
    });
    const address = server.url;
    const check = (r: { status: number; body: string }) => {
      if (r.status >= 300) throw new Error(`API error ${r.status}: ${r.body.slice(0, 300)}`);
      return r;
    };
    const dynamic = JSON.parse(
      check(
        await request(address, key, 'POST', '/api/v1/segments', {
          name: `Germany newsletter ${Date.now()}`,
          object: 'contacts',
          filter: FILTER,
        }),
      ).body,
    ).data.id as string;
    const staticSeg = JSON.parse(
      check(
        await request(address, key, 'POST', '/api/v1/segments', {
          name: `Static ${Date.now()}`,
          object: 'contacts',
          type: 'static',
        }),
      ).body,
    ).data.id as string;
    const picks = (
      await raw.query('select id from contacts where workspace_id = $1 order by id limit 10000', [workspaceId])
    ).rows.map((r) => r.id as string);
    for (let i = 0; i < picks.length; i += 1000) {
      check(
        await request(address, key, 'POST', `/api/v1/segments/${staticSeg}/members`, { ids: picks.slice(i, i + 1000) }),
      );
    }
    const countPath = (id: string) => `/api/v1/segments/${id}/members?count=true&limit=1`;
    const apiTotal = JSON.parse(check(await request(address, key, 'GET', countPath(dynamic))).body).total;
    const rawTotal = Number((await raw.query(RAW_COUNT, [workspaceId])).rows[0].count);
    if (apiTotal !== rawTotal) throw new Error(`API counted ${apiTotal}, SQL ${rawTotal}`);

    const rows: { name: string; ms: number[] }[] = [];
    rows.push({
      name: 'API: dynamic segment count (administrator)',
      ms: await sequential(async () => check(await request(address, key, 'GET', countPath(dynamic)))),
    });
    rows.push({ name: 'raw SQL count', ms: await sequential(() => raw.query(RAW_COUNT, [workspaceId])) });
    rows.push({
      name: 'API: dynamic segment count (sales rep, own scope)',
      ms: await sequential(async () => check(await request(address, repKey, 'GET', countPath(dynamic)))),
    });
    rows.push({
      name: 'API: static segment count (10,000 members)',
      ms: await sequential(async () => check(await request(address, key, 'GET', countPath(staticSeg)))),
    });
    rows.push({
      name: `API: dynamic segment count, ${CLIENTS} concurrent clients`,
      ms: await concurrent(async () =>
        check(await request(address, key, 'GET', countPath(dynamic), undefined, agentMany)),
      ),
    });
    rows.push({
      name: `raw SQL count, ${CLIENTS} concurrent clients`,
      ms: await concurrent(() => raw.query(RAW_COUNT, [workspaceId])),
    });

    const f = (n: number) => n.toFixed(1);
    const report = [
      `## Segments: counting a segment over ${CONTACTS.toLocaleString('en')} contacts — ${new Date().toISOString().slice(0, 10)}`,
      '',
      `PostgreSQL server, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'cpu'}), \`npm run bench:segments\`. ` +
        `Dynamic filter: address.country = DE and tags contains "newsletter" (${apiTotal.toLocaleString('en')} members). ` +
        `Sequential: ${ITERATIONS} requests after ${WARMUP} warm-up; concurrent: ${CLIENTS} clients × ${PER_CLIENT}.`,
      '',
      '| workload | p50 ms | p95 ms |',
      '| --- | --- | --- |',
      ...rows.map((r) => `| ${r.name} | ${f(percentile(r.ms, 50))} | ${f(percentile(r.ms, 95))} |`),
    ].join('\n');
    process.stdout.write(`\n${report}\n`);
    addResults(report);
  } finally {
    keepAlive.destroy();
    agentMany.destroy();
    if (server) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await raw.end();
    await runtime.close();
    await dropUnlessReused(DB_NAME);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
