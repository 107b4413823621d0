/**
 * The load suite (`npm run load`; not part of `npm test`). Starts `rapport serve` on a fresh
 * database of the PostgreSQL server, signs up several workspaces, and runs N concurrent
 * keep-alive clients doing mixed reads and writes across them for a while. It reports
 * p50/p95/p99 per kind of request, the server's RSS after warm-up and at the end, its open
 * file descriptors and sockets and its database connections before and after, and fails
 * (exit 1) on any error, RSS growth of 10 % or more after warm-up (judged on runs of 2 minutes
 * or more), or a descriptor or connection leak.
 *
 *   RAPPORT_LOAD_CLIENTS     concurrent clients (default 20; the run: 200)
 *   RAPPORT_LOAD_SECONDS     measured duration (default 20; the run: 600)
 *   RAPPORT_LOAD_WARMUP      warm-up seconds before measuring (default 5; use 60 for the long run)
 *   RAPPORT_LOAD_WORKSPACES  workspaces the clients spread over (default 4)
 *   RAPPORT_LOAD_PG_URL      the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres);
 *                            a database rapport_load_<time> is made there and dropped afterwards
 *   RAPPORT_LOAD_RESULTS     a file to append the Markdown result to (e.g. bench/RESULTS.md)
 *
 * The server runs with RAPPORT_RATE_LIMIT=0: the run measures the app, not the limiter.
 */
import fs from 'node:fs';
import http from 'node:http';
import pg from 'pg';
import { startServerProcess } from '../test/helpers/server-process';

const CLIENTS = Number(process.env.RAPPORT_LOAD_CLIENTS ?? 20);
const SECONDS = Number(process.env.RAPPORT_LOAD_SECONDS ?? 20);
const WARMUP = Number(process.env.RAPPORT_LOAD_WARMUP ?? 5);
const WORKSPACES = Number(process.env.RAPPORT_LOAD_WORKSPACES ?? 4);
const PG_URL = process.env.RAPPORT_LOAD_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PASSWORD = 'correct horse battery staple';
const POOL_SIZE = Number(process.env.RAPPORT_POOL_SIZE ?? 10);

type Kind = 'list' | 'filter' | 'read' | 'search' | 'create' | 'update';
const MIX: [Kind, number][] = [
  ['list', 30],
  ['filter', 15],
  ['read', 25],
  ['search', 10],
  ['create', 12],
  ['update', 8],
];

interface Workspace {
  cookie: string;
  ids: string[];
}

const dbName = `rapport_load_${Date.now()}`;
const admin = new pg.Client({ connectionString: PG_URL });

function pick(): Kind {
  let r = Math.random() * 100;
  for (const [k, w] of MIX) {
    r -= w;
    if (r < 0) return k;
  }
  return 'read';
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) : 0;

function procStats(pid: number): { rssMb: number; fds: number; sockets: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const fds = fs.readdirSync(`/proc/${pid}/fd`);
  let sockets = 0;
  for (const fd of fds) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++;
    } catch {
      // closed meanwhile
    }
  }
  return { rssMb: Math.round(rssKb / 1024), fds: fds.length, sockets };
}

async function dbConnections(): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(
    'select count(*)::int as n from pg_stat_activity where datname = $1',
    [dbName],
  );
  return rows[0]?.n ?? 0;
}

async function main() {
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const url = new URL(PG_URL);
  url.pathname = `/${dbName}`;
  const server = await startServerProcess(
    {
      DATABASE_URL: url.toString(),
      RAPPORT_SEED_DEMO: 'false',
      RAPPORT_RATE_LIMIT: '0',
      RAPPORT_PUBLIC_RATE_LIMITS: 'off',
      LOG_LEVEL: 'warn',
    },
    300_000,
  );
  const pid = server.child.pid as number;
  const base = server.url;
  try {
    // Keep-alive clients on Node's own agent, which can close every socket at the end (so the
    // server's descriptors can be compared with a baseline).
    let agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    const call = (ws: Workspace | null, method: string, path: string, body?: unknown) =>
      new Promise<{ status: number; text: string; cookie: string }>((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = http.request(
          `${base}${path}`,
          {
            method,
            agent,
            headers: {
              ...(ws ? { cookie: ws.cookie } : {}),
              ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
            },
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              text += d;
            });
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                text,
                cookie: String(res.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '',
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      });

    // Workspaces, each with a few hundred contacts to read.
    const workspaces: Workspace[] = [];
    for (let w = 0; w < WORKSPACES; w++) {
      const res = await call(null, 'POST', '/api/v1/auth/sign-up', {
        name: `Load ${w}`,
        email: `load-${w}-${Date.now()}@example.com`,
        password: PASSWORD,
        workspaceName: `Load ${w}`,
      });
      if (res.status !== 201) throw new Error(`sign-up answered ${res.status}`);
      const ws: Workspace = { cookie: res.cookie, ids: [] };
      const records = Array.from({ length: 300 }, (_, i) => ({
        firstName: `First${i}`,
        lastName: `Last${i % 50}`,
        email: `p${i}@w${w}.example.com`,
        lifecycleStage: i % 3 === 0 ? 'customer' : 'lead',
      }));
      const batch = await call(ws, 'POST', '/api/v1/contacts/batch', { mode: 'create', records });
      if (batch.status !== 200) throw new Error(`batch answered ${batch.status}: ${batch.text.slice(0, 300)}`);
      const made = JSON.parse(batch.text) as { data: { id?: string; record?: { id: string } }[] };
      ws.ids = made.data.map((r) => r.record?.id ?? r.id ?? '').filter(Boolean);
      workspaces.push(ws);
    }

    // The baseline: the server with no client connected.
    agent.destroy();
    agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
    await new Promise((r) => setTimeout(r, 1000));
    const baseline = { ...procStats(pid), db: await dbConnections() };
    const latencies = new Map<Kind, number[]>(MIX.map(([k]) => [k, []]));
    const errors: string[] = [];
    let measuring = false;
    let stop = false;
    let requests = 0;

    const one = async (ws: Workspace, kind: Kind) => {
      const id = ws.ids[Math.floor(Math.random() * ws.ids.length)];
      switch (kind) {
        case 'list':
          return call(ws, 'GET', '/api/v1/contacts?limit=25&sort=-createdAt');
        case 'filter':
          return call(
            ws,
            'GET',
            `/api/v1/contacts?limit=25&sort=-createdAt&filter=${encodeURIComponent(JSON.stringify({ field: 'lifecycleStage', op: 'eq', value: 'customer' }))}`,
          );
        case 'read':
          return call(ws, 'GET', `/api/v1/contacts/${id}`);
        case 'search':
          return call(ws, 'GET', `/api/v1/search?objects=contacts&limit=20&q=Last${Math.floor(Math.random() * 50)}`);
        case 'create': {
          const r = await call(ws, 'POST', '/api/v1/contacts', { firstName: 'Load', lastName: `New${requests}` });
          if (r.status === 201) ws.ids.push((JSON.parse(r.text) as { data: { id: string } }).data.id);
          return r;
        }
        case 'update':
          return call(ws, 'PATCH', `/api/v1/contacts/${id}`, { title: `Title ${requests % 100}` });
      }
    };
    const expected: Record<Kind, number> = { list: 200, filter: 200, read: 200, search: 200, create: 201, update: 200 };

    const clients = Array.from({ length: CLIENTS }, async (_, c) => {
      const ws = workspaces[c % workspaces.length] as Workspace;
      while (!stop) {
        const kind = pick();
        const start = performance.now();
        try {
          const r = await one(ws, kind);
          const ms = performance.now() - start;
          requests++;
          if (r.status !== expected[kind]) errors.push(`${kind} → ${r.status} ${r.text.slice(0, 200)}`);
          else if (measuring) latencies.get(kind)?.push(ms);
        } catch (err) {
          errors.push(`${kind} → ${(err as Error).message}`);
        }
      }
    });

    await new Promise((r) => setTimeout(r, WARMUP * 1000));
    const warm = { ...procStats(pid), db: await dbConnections() };
    const rssSamples: number[] = [];
    measuring = true;
    const startRequests = requests;
    const started = Date.now();
    const sampler = setInterval(() => rssSamples.push(procStats(pid).rssMb), 1000);
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    measuring = false;
    clearInterval(sampler);
    const measured = requests - startRequests;
    const elapsed = (Date.now() - started) / 1000;
    stop = true;
    await Promise.all(clients);
    // Close the clients' connections, let the server see them go, then compare with the baseline.
    agent.destroy();
    await new Promise((r) => setTimeout(r, 3000));
    const end = { ...procStats(pid), db: await dbConnections() };

    const all = [...latencies.values()].flat().sort((a, b) => a - b);
    const rows = [...latencies.entries()].map(([k, v]) => {
      const s = [...v].sort((a, b) => a - b);
      return `| ${k} | ${s.length} | ${pct(s, 50).toFixed(1)} | ${pct(s, 95).toFixed(1)} | ${pct(s, 99).toFixed(1)} |`;
    });
    const peakRss = Math.max(warm.rssMb, ...rssSamples);
    const growth = ((Math.max(...rssSamples, end.rssMb) - warm.rssMb) / warm.rssMb) * 100;
    const judgeRss = SECONDS >= 120;
    // Database connections are sockets too, and the pools grow on demand up to their size:
    // descriptors are compared without them, and connections against the pools' bound
    // (two pools of RAPPORT_POOL_SIZE, default 10, and the LISTEN connection).
    const leakFd = end.fds - end.db > baseline.fds - baseline.db + 3;
    const leakDb = end.db > 2 * POOL_SIZE + 1;
    const report = [
      `### Load run ${new Date().toISOString()} — ${CLIENTS} clients × ${SECONDS} s (warm-up ${WARMUP} s), ${WORKSPACES} workspaces, PostgreSQL`,
      '',
      `${measured} requests measured, ${(measured / elapsed).toFixed(0)} req/s, errors: ${errors.length}`,
      '',
      '| request | n | p50 ms | p95 ms | p99 ms |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows,
      `| all | ${all.length} | ${pct(all, 50).toFixed(1)} | ${pct(all, 95).toFixed(1)} | ${pct(all, 99).toFixed(1)} |`,
      '',
      `RSS after warm-up ${warm.rssMb} MB, peak ${peakRss} MB, growth ${growth.toFixed(1)} % (${judgeRss ? 'limit 10 %' : 'not judged: shorter than 2 min'}). ` +
        `File descriptors with no client connected ${baseline.fds} before, ${end.fds} after (sockets ${baseline.sockets} → ${end.sockets}; ${warm.sockets} under load); ` +
        `database connections ${baseline.db} before, ${warm.db} after warm-up, ${end.db} at the end (bound ${2 * POOL_SIZE + 1}).`,
      '',
    ].join('\n');
    console.log(report);
    if (errors.length) console.log(`First errors:\n${errors.slice(0, 10).join('\n')}`);
    if (process.env.RAPPORT_LOAD_RESULTS) fs.appendFileSync(process.env.RAPPORT_LOAD_RESULTS, `\n${report}`);
    // A short smoke run ends while the heap and the JIT are still settling: RSS growth is
    // judged on runs of 2 minutes or more (the run: 10 minutes after warm-up).
    const rssFailed = judgeRss && growth >= 10;
    const failed = errors.length > 0 || rssFailed || leakFd || leakDb;
    if (failed) {
      console.log(
        `FAILED: ${[errors.length ? 'errors' : '', rssFailed ? 'RSS growth' : '', leakFd ? 'descriptor leak' : '', leakDb ? 'connection leak' : ''].filter(Boolean).join(', ')}`,
      );
    }
    process.exitCode = failed ? 1 : 0;
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.end();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
