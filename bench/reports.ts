/**
 * Report builder benchmark (npm run bench:reports): PostgreSQL server, the shared bench
 * database (bench/bench-db.ts: N contacts in the workspace 'Bench', default 1,000,000,
 * created_at spread over three years). Runs the report builder's group-by of every contact
 * by month of creation (`POST /api/v1/reports/run`, a real `rapport serve` process, an API
 * key) and the raw SQL of the same grouping in the same process, sequentially and with 16
 * concurrent clients; plus the same as a sales rep (own scope: half the contacts) and a
 * two-group report (lifecycle stage × quarter). The raw SQL is the report's statement shape
 * (grouped by the bucket's timestamp, formatted once per group) with the report's
 * `work_mem`, and once more with the server's default, where the group-by sorts and spills.
 * Target (issue 22 point 6): the 1M-row group-by by month under 1 s.
 *
 * Environment: RAPPORT_BENCH_DB (the database; default by size), RAPPORT_BENCH_CONTACTS
 * (default 1000000), RAPPORT_BENCH_REUSE=1 to keep and reuse the seeded database,
 * RAPPORT_BENCH_ITERATIONS (sequential requests per workload, default 20),
 * RAPPORT_BENCH_RESULTS_DRY=1 to print the section without adding it to bench/RESULTS.md.
 */
import http from 'node:http';
import pg from 'pg';
import { createApiKey } from '../server/platform/auth/api-keys.service';
import { REPORT_WORK_MEM } from '../server/platform/records/report';
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

const ITERATIONS = Number(process.env.RAPPORT_BENCH_ITERATIONS ?? 20);
const WARMUP = 3;
const CLIENTS = 16;
const PER_CLIENT = 2;
const TARGET_MS = 1000;

const BY_MONTH = {
  object: 'contacts',
  groupBy: [{ field: 'createdAt', bucket: 'month' }],
  measures: [{ op: 'count', as: 'contacts' }],
};
const BY_STAGE_QUARTER = {
  object: 'contacts',
  groupBy: [{ field: 'lifecycleStage' }, { field: 'createdAt', bucket: 'quarter' }],
  measures: [{ op: 'count', as: 'contacts' }],
};
const RAW_BY_MONTH = `select to_char(month, 'YYYY-MM-DD') as month, count from (
    select date_trunc('month', created_at at time zone 'UTC') as month, count(*)
    from contacts where workspace_id = $1 and deleted_at is null group by 1) r order by 1`;
const RAW_BY_STAGE_QUARTER = `select stage, to_char(quarter, 'YYYY-MM-DD') as quarter, count from (
    select lifecycle_stage as stage, date_trunc('quarter', created_at at time zone 'UTC') as quarter, count(*)
    from contacts where workspace_id = $1 and deleted_at is null group by 1, 2) r order by 1, 2`;

async function main() {
  const bench = await openBench({ contacts: BENCH_CONTACTS });
  const { database, workspaceId } = bench;
  // The raw SQL with the memory the report engine gives its statements, and with the server's default.
  const raw = new pg.Pool({ connectionString: bench.url, max: CLIENTS, options: `-c work_mem=${REPORT_WORK_MEM}` });
  const rawDefault = new pg.Pool({ connectionString: bench.url, max: 1 });
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
    const run = (k: string, def: unknown, via?: http.Agent) =>
      request(address, k, 'POST', '/api/v1/reports/run', def, via).then(check);

    // The API's figures are the raw SQL's.
    const apiRows = JSON.parse((await run(key, BY_MONTH)).body).data.rows as { createdAt: string; contacts: number }[];
    const rawRows = (await raw.query(RAW_BY_MONTH, [workspaceId])).rows as { month: string; count: string }[];
    const apiTotal = apiRows.reduce((a, r) => a + Number(r.contacts), 0);
    const rawTotal = rawRows.reduce((a, r) => a + Number(r.count), 0);
    if (apiTotal !== rawTotal || apiRows.length !== rawRows.length)
      throw new Error(`API ${apiRows.length} months / ${apiTotal}, SQL ${rawRows.length} / ${rawTotal}`);
    const explain = async (pool: pg.Pool, text: string) =>
      (await pool.query(`explain (analyze, buffers) ${text}`, [workspaceId])).rows
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    const plan = await explain(raw, RAW_BY_MONTH);
    const twoGroupPlan = await explain(raw, RAW_BY_STAGE_QUARTER);
    const defaultPlan = await explain(rawDefault, RAW_BY_MONTH);
    process.stderr.write(
      `raw group-by plan:\n${plan}\n\ntwo groups:\n${twoGroupPlan}\n\ndefault work_mem:\n${defaultPlan}\n`,
    );

    const rows: (Timed & { target?: number })[] = [];
    const seq = (name: string, fn: () => Promise<unknown>, target?: number) =>
      timeSequential(name, ITERATIONS, WARMUP, fn).then((t) => {
        rows.push({ ...t, target });
        process.stderr.write(`  ${t.name}: done (load ${loadAverage()})\n`);
      });
    // API and its baseline back to back, so both see the same machine.
    await seq('API: contacts by month of creation, count (administrator)', () => run(key, BY_MONTH), TARGET_MS);
    await seq(`raw SQL: the same group-by (work_mem ${REPORT_WORK_MEM}, as the report's)`, () =>
      raw.query(RAW_BY_MONTH, [workspaceId]),
    );
    await seq('raw SQL: the same at the server’s default work_mem', () =>
      rawDefault.query(RAW_BY_MONTH, [workspaceId]),
    );
    await seq('API: the same as a sales rep (own scope)', () => run(repKey, BY_MONTH), TARGET_MS);
    await seq('API: lifecycle stage × quarter, count', () => run(key, BY_STAGE_QUARTER), TARGET_MS);
    await seq('raw SQL: the same two groups', () => raw.query(RAW_BY_STAGE_QUARTER, [workspaceId]));
    rows.push({
      ...(await timeConcurrent(`API: by month, ${CLIENTS} concurrent clients`, CLIENTS, PER_CLIENT, () =>
        run(key, BY_MONTH, agentMany),
      )),
    });
    rows.push(
      await timeConcurrent(`raw SQL by month, ${CLIENTS} concurrent clients`, CLIENTS, PER_CLIENT, () =>
        raw.query(RAW_BY_MONTH, [workspaceId]),
      ),
    );

    const planLines = (p: string) => p.split('\n').slice(0, 14);
    const report = [
      `## Report builder: group-by of ${BENCH_CONTACTS.toLocaleString('en')} contacts by month — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      '',
      `Machine: ${machine()}; PostgreSQL server on 127.0.0.1:5432, \`npm run bench:reports\` (database \`${bench.name}\`, seeded by \`bench/bench-db.ts\`). ` +
        `${apiRows.length} months, ${apiTotal.toLocaleString('en')} contacts. ` +
        `Sequential: ${ITERATIONS} requests after ${WARMUP} warm-up; concurrent: ${CLIENTS} clients × ${PER_CLIENT}. ` +
        'The API is a separate `rapport serve` process over HTTP keep-alive (no replica: the primary); the raw SQL runs through `pg` from the benchmark process.',
      ...(process.env.RAPPORT_BENCH_NOTE ? ['', process.env.RAPPORT_BENCH_NOTE] : []),
      '',
      timedTable(rows),
      '',
      `The raw query’s plan (first lines), work_mem ${REPORT_WORK_MEM}:`,
      '',
      '```',
      ...planLines(plan),
      '```',
      '',
      'The two-group query’s:',
      '',
      '```',
      ...planLines(twoGroupPlan),
      '```',
      '',
      'The one-group query at the server’s default work_mem:',
      '',
      '```',
      ...planLines(defaultPlan),
      '```',
    ].join('\n');
    process.stdout.write(`\n${report}\n`);
    addResults(report);
  } finally {
    await rawDefault.end();
    await closeApiBench({ server, raw, agents: [agentMany], bench });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
