/**
 * Where a request's time goes on the server (npm run bench:profile): runs one read
 * workload against the database `npm run bench` seeded (run that first with
 * RAPPORT_BENCH_REUSE=1), with `rapport serve` under V8's CPU profiler, then prints the
 * latency percentiles and the functions with the most CPU time per request.
 *
 * Environment: RAPPORT_BENCH_PROFILE_WHAT = point | list | health (default list),
 * RAPPORT_BENCH_PROFILE_N (requests measured, default 4000), RAPPORT_BENCH_CONTACTS (which
 * seeded database, default 1000000), RAPPORT_BENCH_NODE_FLAGS (default the CPU profiler;
 * e.g. "--trace-gc" instead).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApiKey, revokeApiKey } from '../server/platform/auth/api-keys.service';
import { openDatabase } from '../server/platform/db/database';
import { startServerProcess } from '../test/helpers/server-process';
import { databaseUrl, keepAlive, percentile, request } from './bench-db';

const WHAT = process.env.RAPPORT_BENCH_PROFILE_WHAT ?? 'list';
const N = Number(process.env.RAPPORT_BENCH_PROFILE_N ?? 4000);
const WARMUP = 500;
const dbUrl = databaseUrl(`rapport_bench_${Number(process.env.RAPPORT_BENCH_CONTACTS ?? 1_000_000)}`);
const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-profile-'));
const flags = (process.env.RAPPORT_BENCH_NODE_FLAGS ?? `--cpu-prof --cpu-prof-dir=${profileDir}`).split(' ');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** CPU time per function (its own code, not its callees), largest first. */
function selfTimes(profile: Profile): [string, number][] {
  const names = new Map<number, string>();
  for (const n of profile.nodes) {
    const url = n.callFrame.url.split('/node_modules/').pop()?.replace(`file://${process.cwd()}/`, '') ?? '';
    names.set(n.id, `${n.callFrame.functionName || '(anonymous)'} ${url}:${n.callFrame.lineNumber + 1}`);
  }
  const byName = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const name = names.get(id) ?? '?';
    byName.set(name, (byName.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return [...byName].sort((a, b) => b[1] - a[1]);
}

async function main() {
  const raw = new pg.Pool({ connectionString: dbUrl, max: 1 });
  const workspaceId = (await raw.query(`select id from workspaces where name = 'Bench'`)).rows[0]?.id;
  if (!workspaceId)
    throw new Error(`no seeded benchmark database at ${dbUrl}: run RAPPORT_BENCH_REUSE=1 npm run bench`);
  const ids: string[] = (
    await raw.query('select id from contacts where workspace_id = $1 order by random() limit 2000', [workspaceId])
  ).rows.map((r) => r.id);
  const database = await openDatabase({ databaseUrl: dbUrl, dataDir: 'memory://', poolSize: 1 });
  const created = await createApiKey(database, workspaceId, {
    name: 'profile',
    role: 'administrator',
    createdBy: null,
  });

  const server = await startServerProcess(
    { DATABASE_URL: dbUrl, RAPPORT_RATE_LIMIT: '0', RAPPORT_SEED_DEMO: '0' },
    60_000,
    flags,
  );
  const stages = ['lead', 'mql', 'sql'];
  const target = (i: number) =>
    WHAT === 'point'
      ? `/api/v1/contacts/${ids[i % ids.length]}`
      : WHAT === 'health'
        ? '/health'
        : `/api/v1/contacts?filter=${encodeURIComponent(JSON.stringify({ field: 'lifecycleStage', op: 'eq', value: stages[i % 3] }))}&sort=-createdAt&limit=50`;
  const get = async (p: string) => {
    const t0 = performance.now();
    const res = await request(server.url, created.key, 'GET', p);
    if (res.status !== 200) throw new Error(`${p} → ${res.status}: ${res.body.slice(0, 200)}`);
    return performance.now() - t0;
  };
  try {
    for (let i = 0; i < WARMUP; i++) await get(target(i));
    const times: number[] = [];
    for (let i = 0; i < N; i++) times.push(await get(target(i)));
    times.sort((a, b) => a - b);
    const p = (q: number) => `${percentile(times, q).toFixed(2)} ms`;
    console.log(`${WHAT}: ${N} requests after ${WARMUP} warm-up: p50 ${p(50)}, p95 ${p(95)}, p99 ${p(99)}`);
  } finally {
    keepAlive.destroy();
    server.child.kill('SIGTERM');
    await server.exited;
    // What the flags printed (e.g. --trace-gc), without the start-up banner.
    if (process.env.RAPPORT_BENCH_NODE_FLAGS) process.stdout.write(server.output());
    await revokeApiKey(database, workspaceId, created.id);
    await database.close();
    await raw.end();
  }

  const files = fs.readdirSync(profileDir).map((f) => path.join(profileDir, f));
  // The main thread's profile is the largest (the others are worker threads).
  const main = files.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
  if (!main) return;
  const profile = JSON.parse(fs.readFileSync(main, 'utf8')) as Profile;
  const top = selfTimes(profile);
  const total = top.reduce((s, [, t]) => s + t, 0);
  const idle = top.find(([n]) => n.startsWith('(idle)'))?.[1] ?? 0;
  const requests = N + WARMUP;
  console.log(
    `server CPU: ${((total - idle) / requests).toFixed(3)} ms per request (start-up included), idle ${((100 * idle) / total).toFixed(0)} % of the run`,
  );
  console.log('ms/request  function');
  for (const [name, t] of top.filter(([n]) => !n.startsWith('(idle)')).slice(0, 30)) {
    console.log(`${(t / requests).toFixed(4).padStart(10)}  ${name}`);
  }
  console.log(`profile: ${main} (open it in Chrome DevTools → Performance)`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
