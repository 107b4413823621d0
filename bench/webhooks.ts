/**
 * Webhook benchmark (part of `npm run bench`; alone: `npm run bench:webhooks`): a
 * `rapport serve` process on the PostgreSQL server, a webhook subscription to a local
 * receiver, and record changes through the HTTP API.
 *
 * 1. Throughput: contacts created in batches of 500 (one event each) as fast as the
 *    API takes them; events delivered per second from the first write to the last
 *    webhook arriving, and each event's latency from the end of its write request
 *    (the commit) to its arrival.
 * 2. Latency at a steady rate: single-record creates at RAPPORT_BENCH_RATE per second
 *    (default 200); latency from sending the request to the webhook arriving.
 *
 * Environment: RAPPORT_BENCH_PG_URL (maintenance DB), RAPPORT_BENCH_EVENTS (default 30000),
 * RAPPORT_BENCH_RATE, RAPPORT_BENCH_STEADY_SECONDS (default 15).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import pg from 'pg';
import { type ServerProcess, startServerProcess } from '../test/helpers/server-process';
import { addResults } from './bench-db';

const ADMIN_URL = process.env.RAPPORT_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const EVENTS = Number(process.env.RAPPORT_BENCH_EVENTS ?? 30_000);
const RATE = Number(process.env.RAPPORT_BENCH_RATE ?? 200);
const STEADY_SECONDS = Number(process.env.RAPPORT_BENCH_STEADY_SECONDS ?? 15);
const BATCH = 500;
const DB_NAME = 'rapport_bench_webhooks';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

async function adminQuery(text: string) {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** A receiver that answers 204 at once and records the first arrival of each event id. */
async function startReceiver() {
  const arrivals = new Map<string, { at: number; recordId: string }>();
  let requests = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      body += d;
    });
    req.on('end', () => {
      const at = performance.now();
      requests++;
      const event = JSON.parse(body) as { id: string; data: { record: { id: string } } };
      if (!arrivals.has(event.id)) arrivals.set(event.id, { at, recordId: event.data.record.id });
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    requests: () => requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
function call(base: string, key: string, method: string, path: string, body?: unknown) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `${base}${path}`,
      {
        method,
        agent,
        headers: {
          authorization: `Bearer ${key}`,
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function waitFor(cond: () => boolean, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting for webhooks');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function main() {
  await adminQuery(`drop database if exists ${DB_NAME} with (force)`);
  await adminQuery(`create database ${DB_NAME}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DB_NAME}`;
  const receiver = await startReceiver();
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess({
      DATABASE_URL: url.toString(),
      RAPPORT_SEED_DEMO: '0',
      RAPPORT_RATE_LIMIT: '0',
      RAPPORT_POOL_SIZE: '20',
      RAPPORT_WEBHOOKS_ALLOW_PRIVATE: '1', // the receiver is on loopback
      LOG_LEVEL: 'error',
    });
    const base = server.url;
    const signUp = await fetch(`${base}/api/v1/auth/sign-up`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'Bench',
        email: 'bench@bench.example',
        password: 'bench main passphrase',
        workspaceName: 'Bench',
      }),
    });
    const cookie = (signUp.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const keyRes = await fetch(`${base}/api/v1/api-keys`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench' }),
    });
    const key = ((await keyRes.json()) as { data: { key: string } }).data.key;
    const sub = await call(base, key, 'POST', '/api/v1/webhooks', {
      url: `${receiver.url}/bench`,
      eventTypes: ['contact.*'],
    });
    if (sub.status !== 201) throw new Error(`subscription failed: ${sub.body}`);

    // 1. Throughput: batches of 500 creates, two requests at a time.
    const committedAt = new Map<string, number>();
    const batches = Math.ceil(EVENTS / BATCH);
    let next = 0;
    const started = performance.now();
    const writers = [0, 1].map(async () => {
      while (next < batches) {
        const b = next++;
        const records = Array.from({ length: BATCH }, (_, i) => ({ firstName: `B${b}`, lastName: `R${i}` }));
        const res = await call(base, key, 'POST', '/api/v1/contacts/batch', { mode: 'create', records });
        const at = performance.now();
        if (res.status !== 200) throw new Error(`batch failed: ${res.status} ${res.body.slice(0, 300)}`);
        for (const r of (JSON.parse(res.body) as { data: { id: string }[] }).data) committedAt.set(r.id, at);
      }
    });
    await Promise.all(writers);
    const writesDone = performance.now();
    await waitFor(() => receiver.arrivals.size >= batches * BATCH, 600_000);
    const finished = performance.now();
    const total = batches * BATCH;
    const throughput = total / ((finished - started) / 1000);
    const writeRate = total / ((writesDone - started) / 1000);
    const burstLatency = [...receiver.arrivals.values()]
      .map((a) => a.at - (committedAt.get(a.recordId) ?? Number.NaN))
      .filter((n) => !Number.isNaN(n))
      .sort((a, b) => a - b);

    // 2. Steady rate: one contact per request at RATE/s; latency from sending to arrival.
    const sentAt = new Map<string, number>();
    const answeredAt = new Map<string, number>();
    const steadyCount = RATE * STEADY_SECONDS;
    const arrivedBefore = receiver.arrivals.size;
    const t0 = performance.now();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < steadyCount; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const at = performance.now();
      inflight.push(
        call(base, key, 'POST', '/api/v1/contacts', { firstName: 'Steady', lastName: `S${i}` }).then((res) => {
          if (res.status !== 201) throw new Error(`create failed: ${res.status}`);
          const id = (JSON.parse(res.body) as { data: { id: string } }).data.id;
          sentAt.set(id, at);
          answeredAt.set(id, performance.now());
        }),
      );
    }
    await Promise.all(inflight);
    await waitFor(() => receiver.arrivals.size >= arrivedBefore + steadyCount, 120_000);
    const steadyLatency = [...receiver.arrivals.values()]
      .filter((a) => sentAt.has(a.recordId))
      .map((a) => a.at - (sentAt.get(a.recordId) as number))
      .sort((a, b) => a - b);

    const steadyFromCommit = [...receiver.arrivals.values()]
      .filter((a) => answeredAt.has(a.recordId))
      .map((a) => a.at - (answeredAt.get(a.recordId) as number))
      .sort((a, b) => a - b);
    const version = await (async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      const { rows } = await c.query<{ v: string }>('select version() as v');
      await c.end();
      return (rows[0]?.v ?? '').split(' on ')[0];
    })();
    const date = new Date().toISOString().slice(0, 10);
    const repeats = receiver.requests() - receiver.arrivals.size;
    const p95ok = percentile(steadyLatency, 95) < 1000;
    const section = `
## ${date} — webhooks: events dispatched per second and end-to-end latency

Machine: ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${version}. A \`rapport serve\` process (pool 20) on the PostgreSQL server, one subscription (\`contact.*\`) to a receiver in the benchmark process on loopback that answers 204 at once; \`bench/webhooks.ts\`.

| workload | result | target | met |
| --- | --- | --- | --- |
| burst: ${total.toLocaleString('en')} contacts created in batches of ${BATCH} (API write rate ${Math.round(writeRate).toLocaleString('en')}/s) | **${Math.round(throughput).toLocaleString('en')} events/s** delivered, first write to last arrival | ≥ 1,000 events/s sustained | ${throughput >= 1000 ? 'yes' : 'NO'} |
| burst: commit → webhook arrival | p50 ${ms(percentile(burstLatency, 50))}, p95 ${ms(percentile(burstLatency, 95))}, max ${ms(burstLatency.at(-1) ?? Number.NaN)} | – | – |
| steady ${RATE}/s single creates for ${STEADY_SECONDS} s: request sent → webhook arrival | p50 ${ms(percentile(steadyLatency, 50))}, p95 ${ms(percentile(steadyLatency, 95))}, max ${ms(steadyLatency.at(-1) ?? Number.NaN)} | p95 < 1 s | ${p95ok ? 'yes' : 'NO'} |
| steady: API answer (commit) → webhook arrival | p50 ${ms(percentile(steadyFromCommit, 50))}, p95 ${ms(percentile(steadyFromCommit, 95))} | – | – |

Every event arrived (${receiver.arrivals.size.toLocaleString('en')} unique event ids; ${repeats} repeated requests).
`;
    process.stdout.write(section);
    addResults(section);
  } finally {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await receiver.close();
    agent.destroy();
    await adminQuery(`drop database if exists ${DB_NAME} with (force)`).catch(() => {});
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
