/**
 * Segment count benchmark (npm run bench:segments): PostgreSQL server, the shared bench
 * database (bench/bench-db.ts: N contacts in the workspace 'Bench', default 1,000,000,
 * seeded with generate_series SQL). Counts a dynamic segment (country = DE and tag
 * "newsletter") through the segment members' count path
 * (`GET /api/v1/segments/{id}/members?count=true&limit=1`, a real `rapport serve` process,
 * an API key) and as the raw SQL baseline (the same `count(*)`) in the same process,
 * sequentially and with 16 concurrent clients; plus the same count as a sales rep (own
 * scope) and a static segment of 10,000 members. Target (issue 15): under 500 ms at 1,000,000.
 *
 * Environment: RAPPORT_BENCH_PG_URL (maintenance DB, default postgres://postgres@127.0.0.1:5432/postgres),
 * RAPPORT_BENCH_CONTACTS (default 1000000), RAPPORT_BENCH_REUSE=1 to keep and reuse the seeded database,
 * RAPPORT_BENCH_ITERATIONS (sequential requests per workload, default 100).
 */
import http from 'node:http';
import pg from 'pg';
import { createApiKey } from '../server/platform/auth/api-keys.service';
import { type ServerProcess, startServerProcess } from '../test/helpers/server-process';
import {
  addResults,
  BENCH_CONTACTS,
  closeApiBench,
  loadAverage,
  machine,
  openBench,
  request,
  type Timed,
  timeConcurrent,
  timedTable,
  timeSequential,
} from './bench-db';

const ITERATIONS = Number(process.env.RAPPORT_BENCH_ITERATIONS ?? 100);
const WARMUP = 10;
const CLIENTS = 16;
const PER_CLIENT = 5;
const TARGET_MS = 500;

const FILTER = {
  and: [
    { field: 'address.country', op: 'eq', value: 'DE' },
    { field: 'tags', op: 'contains', value: 'newsletter' },
  ],
};
const RAW_COUNT = `select count(*) from contacts where workspace_id = $1 and deleted_at is null
  and address_country = 'DE' and tags @> array['newsletter']`;

async function main() {
  const bench = await openBench({ contacts: BENCH_CONTACTS });
  const { database, workspaceId } = bench;
  // The raw baseline gets the memory the engine gives a count (records.service.ts, countWithRoom), so its bitmaps stay exact too.
  const raw = new pg.Pool({ connectionString: bench.url, max: CLIENTS, options: '-c work_mem=32MB' });
  const agentMany = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
  let server: ServerProcess | undefined;
  try {
    await raw.query('checkpoint');
    const key = (await createApiKey(database, workspaceId, { name: 'bench', role: 'administrator', createdBy: null }))
      .key;
    const repKey = (
      await createApiKey(database, workspaceId, { name: 'rep', role: 'sales_rep', createdBy: bench.repId })
    ).key;
    server = await startServerProcess({
      DATABASE_URL: bench.url,
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
    const plan = (await raw.query(`explain (analyze, buffers) ${RAW_COUNT}`, [workspaceId])).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    process.stderr.write(`raw count plan:\n${plan}\n`);

    const rows: (Timed & { target?: number })[] = [];
    const seq = (name: string, fn: () => Promise<unknown>, target?: number) =>
      timeSequential(name, ITERATIONS, WARMUP, fn).then((t) => {
        rows.push({ ...t, target });
        process.stderr.write(`  ${t.name}: done (load ${loadAverage()})\n`);
      });
    // API and its baseline back to back for each pair, so both see the same machine.
    await seq(
      'API: dynamic segment count (administrator)',
      async () => check(await request(address, key, 'GET', countPath(dynamic))),
      TARGET_MS,
    );
    await seq('raw SQL: the same count(*)', () => raw.query(RAW_COUNT, [workspaceId]));
    await seq(
      'API: dynamic segment count (sales rep, own scope)',
      async () => check(await request(address, repKey, 'GET', countPath(dynamic))),
      TARGET_MS,
    );
    await seq(
      'API: static segment count (10,000 members)',
      async () => check(await request(address, key, 'GET', countPath(staticSeg))),
      TARGET_MS,
    );
    rows.push({
      ...(await timeConcurrent(
        `API: dynamic segment count, ${CLIENTS} concurrent clients`,
        CLIENTS,
        PER_CLIENT,
        async () => check(await request(address, key, 'GET', countPath(dynamic), undefined, agentMany)),
      )),
      target: TARGET_MS,
    });
    rows.push(
      await timeConcurrent(`raw SQL count, ${CLIENTS} concurrent clients`, CLIENTS, PER_CLIENT, () =>
        raw.query(RAW_COUNT, [workspaceId]),
      ),
    );

    const report = [
      `## Segments: counting a dynamic segment over ${BENCH_CONTACTS.toLocaleString('en')} contacts — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      '',
      `Machine: ${machine()}; PostgreSQL server on 127.0.0.1:5432, \`npm run bench:segments\` (database \`${bench.name}\`, seeded by \`bench/bench-db.ts\`). ` +
        `Dynamic filter: address.country = DE and tags contains "newsletter" (${apiTotal.toLocaleString('en')} members). ` +
        `Sequential: ${ITERATIONS} requests after ${WARMUP} warm-up; concurrent: ${CLIENTS} clients × ${PER_CLIENT}. ` +
        'The API is a separate `rapport serve` process over HTTP keep-alive; the raw SQL runs through `pg` from the benchmark process.',
      ...(process.env.RAPPORT_BENCH_NOTE ? ['', process.env.RAPPORT_BENCH_NOTE] : []),
      '',
      timedTable(rows),
    ].join('\n');
    process.stdout.write(`\n${report}\n`);
    addResults(report);
  } finally {
    await closeApiBench({ server, raw, agents: [agentMany], bench });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
