/**
 * Old against new (npm run bench:ab -- [REF]): the record engine's read and write
 * workloads through two `rapport serve` processes on the same seeded database, one
 * running this checkout and one running REF (default: fe1869c, the code of the
 * 2026-12-01 baseline in RESULTS.md), interleaved request by request so both see the same
 * machine. It answers "is this change slower than that one" on a machine that is not idle,
 * where two runs of `npm run bench` minutes apart differ by more than what is measured.
 *
 * Needs the database `npm run bench` seeds (run that once with RAPPORT_BENCH_REUSE=1).
 * REF is checked out as a git worktree under the system's temp directory, sharing this
 * checkout's node_modules; its migrations must be a prefix of this checkout's.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApiKey } from '../server/platform/auth/api-keys.service';
import { loadConfig } from '../server/platform/config';
import { startRuntime } from '../server/runtime';
import { type ServerProcess, startServerProcess } from '../test/helpers/server-process';
import { addResults, BENCH_CONTACTS, benchDatabaseName, databaseUrl, keepAlive, percentile, request } from './bench-db';

const ROOT = path.resolve(import.meta.dirname, '..');
const REF = process.argv[2] ?? 'fe1869c';
/** The shared bench database `npm run bench` seeds (bench/bench-db.ts). */
const DB_NAME = benchDatabaseName();
const CONTACTS = BENCH_CONTACTS;
const ITERATIONS = Number(process.env.RAPPORT_BENCH_AB_ITERATIONS ?? 2000);
const WARMUP = 500;

const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();

/** REF as a worktree with this checkout's node_modules. */
function checkout(ref: string): { dir: string; commit: string } {
  const commit = git('rev-parse', '--short', ref);
  const dir = path.join(os.tmpdir(), `rapport-ab-${commit}`);
  if (!fs.existsSync(path.join(dir, 'cli/rapport.js'))) {
    git('worktree', 'add', '--detach', '--force', dir, commit);
  }
  const modules = path.join(dir, 'node_modules');
  if (!fs.existsSync(modules)) fs.symlinkSync(path.join(ROOT, 'node_modules'), modules);
  return { dir, commit };
}

async function main() {
  const old = checkout(REF);
  const head = git('rev-parse', '--short', 'HEAD');
  const dbUrl = databaseUrl(DB_NAME);
  const raw = new pg.Pool({ connectionString: dbUrl, max: 1 });
  const ws = await raw.query(`select id from workspaces where name = 'Bench'`).catch(() => ({ rows: [] }));
  if (ws.rows.length === 0) {
    process.stderr.write(`no seeded ${DB_NAME}: run RAPPORT_BENCH_REUSE=1 npm run bench once first\n`);
    process.exit(2);
  }
  const workspaceId = ws.rows[0].id as string;
  // Migrate to this checkout's schema (the older code runs on it: new tables and columns only).
  const runtime = await startRuntime(
    loadConfig({ databaseUrl: dbUrl, logLevel: 'silent', seedDemo: false, rateLimitPerMinute: 0, poolSize: 2 }, {}),
    { backgroundWork: false },
  );
  const key = (
    await createApiKey(runtime.database, workspaceId, { name: 'ab', role: 'administrator', createdBy: null })
  ).key;
  await runtime.close();
  const env = { DATABASE_URL: dbUrl, RAPPORT_RATE_LIMIT: '0', RAPPORT_SEED_DEMO: '0', LOG_LEVEL: 'warn' };
  const servers: ServerProcess[] = [];
  try {
    servers.push(await startServerProcess(env));
    servers.push(await startServerProcess(env, 600_000, [], old.dir));
    const [now, then] = servers.map((s) => s.url) as [string, string];
    const sample = (
      await raw.query(`select id, last_name from contacts where workspace_id = $1 order by random() limit 4000`, [
        workspaceId,
      ])
    ).rows as { id: string; last_name: string }[];
    const stages = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer'];
    const check = (r: { status: number; body: string }) => {
      if (r.status >= 300) throw new Error(`API error ${r.status}: ${r.body.slice(0, 300)}`);
    };
    // Each side reads its own half of the sample (the other's rows are not in its cache path).
    const row = (side: number, i: number) => sample[side * 2000 + (i % 2000)] as { id: string; last_name: string };
    const workloads: [string, (base: string, side: number, i: number) => Promise<void>][] = [
      [
        'list: lifecycleStage = X, sort -createdAt, 50 rows',
        async (base, _side, i) => {
          const filter = encodeURIComponent(
            JSON.stringify({ field: 'lifecycleStage', op: 'eq', value: stages[i % 6] }),
          );
          check(await request(base, key, 'GET', `/api/v1/contacts?filter=${filter}&sort=-createdAt&limit=50`));
        },
      ],
      [
        'point read by id',
        async (base, side, i) => check(await request(base, key, 'GET', `/api/v1/contacts/${row(side, i).id}`)),
      ],
      [
        'search contacts: 5-letter name prefix, 20 hits',
        async (base, side, i) => {
          const q = encodeURIComponent(row(side, i).last_name.slice(0, 5));
          check(await request(base, key, 'GET', `/api/v1/search?q=${q}&objects=contacts`));
        },
      ],
      [
        'update: PATCH one field',
        async (base, side, i) =>
          check(await request(base, key, 'PATCH', `/api/v1/contacts/${row(side, i).id}`, { title: `AB ${i}` })),
      ],
    ];
    const lines: string[] = [];
    for (const [name, run] of workloads) {
      for (let i = 0; i < WARMUP; i++) {
        await run(now, 0, i);
        await run(then, 1, i);
      }
      const times: [number[], number[]] = [[], []];
      for (let i = 0; i < ITERATIONS; i++) {
        // Which side goes first alternates.
        for (const side of i % 2 === 0 ? [0, 1] : [1, 0]) {
          const t0 = performance.now();
          await run(side === 0 ? now : then, side, i);
          times[side]?.push(performance.now() - t0);
        }
      }
      const [a, b] = times.map((t) => t.sort((x, y) => x - y)) as [number[], number[]];
      const ms = (v: number) => `${v.toFixed(2)} ms`;
      const pct = (x: number, y: number) => `${x >= y ? '+' : ''}${(((x - y) / y) * 100).toFixed(1)} %`;
      const line = `| ${name} | ${ms(percentile(a, 50))} | ${ms(percentile(b, 50))} | ${pct(percentile(a, 50), percentile(b, 50))} | ${ms(percentile(a, 95))} | ${ms(percentile(b, 95))} | ${pct(percentile(a, 95), percentile(b, 95))} |`;
      lines.push(line);
      process.stdout.write(`${line}\n`);
    }
    const load = os.loadavg().map((l) => l.toFixed(1));
    addResults(
      [
        `## ${new Date().toISOString().slice(0, 10)} — old against new: ${head} (this checkout) and ${old.commit}, interleaved`,
        '',
        `Machine: ${os.cpus()[0]?.model.trim()} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; load average at the end ${load.join(' / ')}. ${ITERATIONS} requests per workload and side after ${WARMUP} warm-up, the two servers called alternately (who goes first alternates) on one database of ${CONTACTS.toLocaleString('en')} contacts (\`npm run bench:ab -- ${REF}\`).`,
        '',
        `| workload | ${head} p50 | ${old.commit} p50 | p50 change | ${head} p95 | ${old.commit} p95 | p95 change |`,
        '| --- | --- | --- | --- | --- | --- | --- |',
        ...lines,
      ].join('\n'),
    );
  } finally {
    keepAlive.destroy();
    for (const s of servers) s.child.kill('SIGTERM');
    await Promise.all(servers.map((s) => s.exited));
    await raw.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
