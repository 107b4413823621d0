/**
 * Live chat benchmark (`npm run bench:chat`): message delivery latency over N concurrent chat
 * WebSockets (RAPPORT_BENCH_CHAT_SOCKETS, default 1,000) on one Rapport runtime in this process,
 * on the PostgreSQL server (its own database). The real protocol: each workspace has one agent
 * (online, capacity 19) with the console's socket (`/api/v1/chat/stream`) and 19 visitors on
 * the widget's socket (`/chat/socket`) who `start` a chat and are routed to that agent. A
 * visitor's message is a `message` frame on its socket and is delivered as a `message` frame on
 * the agent's socket; the agent answers with `POST /api/v1/chats/{id}/messages` (HTTP keep-alive
 * on loopback, with its session cookie) and the answer arrives on the visitor's socket. Every
 * message is committed (visitors' messages that arrive together in one transaction per
 * workspace), published with pg_notify and fanned out from this process's LISTEN, exactly as in
 * production. Latency: sent → received on the other side, in milliseconds.
 *
 * 1. sequential: one pair, message after message (visitor → agent, then agent → visitor);
 * 2. all sockets at once: every visitor sends in the same instant, then every agent answers
 *    all its visitors (one answer in flight per agent: an agent is one person), for a few rounds;
 * 3. 16 concurrent senders: 16 loops each sending to the next visitor (all sockets stay open).
 *
 * Baseline (the floor): a bare `ws` relay server in this same process, with the same number of
 * sockets in pairs, forwarding the same JSON frame from one socket to its partner (parse,
 * stringify, send). That is the transport's cost alone: what a chat message cannot go below
 * on this machine whatever the application does. The database's own floor is shown beside it:
 * the message row inserted with one raw SQL statement (the chat path writes a batch's rows
 * where their conversations are open, then sends their NOTIFYs in one statement). The visitor socket's frame limit (60 per 10 s) is
 * raised for the run, as the inbound benchmark raises the per-sender limit: it protects
 * against a misbehaving visitor, and the sequential run sends faster than any person types.
 * Memory: the process's heap and RSS before and after the sockets opened and their chats
 * started (the workspaces were set up before), divided by the sockets; both ends are in this
 * process, so it is an upper bound for the server's share (run with `node --expose-gc` to
 * collect garbage before each reading).
 *
 * Environment: RAPPORT_BENCH_PG_URL (maintenance DB), RAPPORT_BENCH_CHAT_SOCKETS (default 1000),
 * RAPPORT_BENCH_CHAT_MESSAGES (sequential and 16-sender messages, default 500), RAPPORT_BENCH_CHAT_ROUNDS
 * (all-sockets rounds, default 3), RAPPORT_BENCH_RESULTS_DRY=1 (print, do not write RESULTS.md),
 * RAPPORT_BENCH_DB (the database it creates and drops, default rapport_bench_chat).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { uuidv7 } from 'uuidv7';
import { WebSocket, WebSocketServer } from 'ws';
import { SOCKET_FRAMES } from '../server/modules/chat/widget.routes';
import { loadConfig } from '../server/platform/config';
import { startRuntime } from '../server/runtime';
import { signUp } from '../test/helpers/app';
import { ADMIN_URL, addResults, databaseUrl, loadAverage, machine, percentile } from './bench-db';

const SOCKETS = Number(process.env.RAPPORT_BENCH_CHAT_SOCKETS ?? 1000);
const MESSAGES = Number(process.env.RAPPORT_BENCH_CHAT_MESSAGES ?? 500);
const ROUNDS = Number(process.env.RAPPORT_BENCH_CHAT_ROUNDS ?? 3);
const SENDERS = 16;
/** Sockets per workspace: one agent and its visitors (an agent takes at most 20 chats). */
const GROUP = 20;
const TARGET_P95 = 100;
const DB_NAME = process.env.RAPPORT_BENCH_DB ?? 'rapport_bench_chat';

async function admin(text: string) {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** A socket whose `message` frames resolve the waits registered for their body. */
class Receiver {
  private readonly waiting = new Map<string, (at: number) => void>();
  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const at = performance.now();
      const f = JSON.parse(String(data)) as { type: string; message?: { body: string } };
      if (f.type !== 'message' || !f.message) return;
      const done = this.waiting.get(f.message.body);
      if (done) {
        this.waiting.delete(f.message.body);
        done(at);
      }
    });
  }
  /** Resolves with the time the frame carrying `body` arrived (registered before sending). */
  expect(body: string, ms = 60_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(body);
        reject(new Error(`"${body}" not delivered within ${ms} ms`));
      }, ms);
      this.waiting.set(body, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }
}

function open(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const s = new WebSocket(url, { headers });
    s.once('open', () => resolve(s));
    s.once('error', reject);
    s.once('unexpected-response', (_req, res) => reject(new Error(`refused with ${res.statusCode}`)));
  });
}

/** The next frame of a type on a socket. */
const nextFrame = (s: WebSocket, type: string) =>
  new Promise<Record<string, any>>((resolve) => {
    const on = (d: unknown) => {
      const f = JSON.parse(String(d));
      if (f.type === type) {
        s.off('message', on);
        resolve(f);
      }
    };
    s.on('message', on);
  });

/** A visitor ↔ agent pair, whichever transport carries it. */
interface Pair {
  /** The visitor sends `body`; resolves with the latency until the agent's side has it. */
  toAgent(body: string): Promise<number>;
  /** The agent answers `body`; resolves with the latency until the visitor has it. */
  toVisitor(body: string): Promise<number>;
  agent: number;
}

let seq = 0;
const body = () => `m${++seq}`;

/** Runs the three workloads over `pairs`: latencies visitor → agent and agent → visitor. */
async function workloads(pairs: Pair[], withAnswers: boolean) {
  const out: { name: string; toAgent: number[]; toVisitor: number[] }[] = [];
  // 1. One pair, one message at a time (after 20 unmeasured).
  const first = pairs[0] as Pair;
  for (let i = 0; i < 20; i++) {
    await first.toAgent(body());
    if (withAnswers) await first.toVisitor(body());
  }
  const seqA: number[] = [];
  const seqV: number[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    seqA.push(await first.toAgent(body()));
    if (withAnswers) seqV.push(await first.toVisitor(body()));
  }
  out.push({ name: 'sequential, one pair', toAgent: seqA, toVisitor: seqV });
  // 2. Every visitor at once; then every agent answers its visitors, one answer at a time each.
  const allA: number[] = [];
  const allV: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    allA.push(...(await Promise.all(pairs.map((p) => p.toAgent(body())))));
    if (withAnswers) {
      const byAgent = new Map<number, Pair[]>();
      for (const p of pairs) byAgent.set(p.agent, [...(byAgent.get(p.agent) ?? []), p]);
      await Promise.all(
        [...byAgent.values()].map(async (mine) => {
          for (const p of mine) allV.push(await p.toVisitor(body()));
        }),
      );
    }
  }
  out.push({ name: `all ${pairs.length} visitors at once (× ${ROUNDS} rounds)`, toAgent: allA, toVisitor: allV });
  // 3. 16 senders, each taking the next visitor in turn.
  const conA: number[] = [];
  const conV: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < MESSAGES) {
        const p = pairs[next++ % pairs.length] as Pair;
        conA.push(await p.toAgent(body()));
        if (withAnswers) conV.push(await p.toVisitor(body()));
      }
    }),
  );
  out.push({ name: `${SENDERS} concurrent senders`, toAgent: conA, toVisitor: conV });
  return out.map((w) => ({
    ...w,
    toAgent: w.toAgent.sort((a, b) => a - b),
    toVisitor: w.toVisitor.sort((a, b) => a - b),
  }));
}

/** The floor: a plain `ws` server relaying each frame to the partner socket, same sockets, same frames. */
async function relayBaseline(pairCount: number) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const partner = new Map<string, WebSocket>();
  server.on('connection', (socket, req) => {
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') as string;
    partner.set(id, socket);
    socket.on('message', (data) => {
      const f = JSON.parse(String(data)) as { to: string; body: string };
      partner.get(f.to)?.send(JSON.stringify({ type: 'message', message: { body: f.body } }));
    });
  });
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const pairs: Pair[] = [];
  const opened: WebSocket[] = [];
  // As many sockets as the chat run: one agent per group, the rest visitors.
  const groups = Math.ceil(pairCount / (GROUP - 1));
  const agents: Receiver[] = [];
  for (let g = 0; g < groups; g++) {
    const s = await open(`${url}?id=a${g}`);
    opened.push(s);
    agents.push(new Receiver(s));
  }
  for (let i = 0; i < pairCount; i++) {
    const s = await open(`${url}?id=v${i}`);
    opened.push(s);
    const visitor = new Receiver(s);
    const g = Math.floor(i / (GROUP - 1));
    const agent = agents[g] as Receiver;
    pairs.push({
      agent: g,
      async toAgent(b) {
        const arrived = agent.expect(b);
        const t0 = performance.now();
        s.send(JSON.stringify({ to: `a${g}`, body: b }));
        return (await arrived) - t0;
      },
      async toVisitor(b) {
        const arrived = visitor.expect(b);
        const t0 = performance.now();
        agent.socket.send(JSON.stringify({ to: `v${i}`, body: b }));
        return (await arrived) - t0;
      },
    });
  }
  const results = await workloads(pairs, true);
  for (const s of opened) s.terminate();
  server.close();
  return results;
}

async function main() {
  const loadAtStart = loadAverage();
  await admin(`drop database if exists ${DB_NAME} with (force)`);
  await admin(`create database ${DB_NAME}`);
  const config = loadConfig(
    {
      databaseUrl: databaseUrl(DB_NAME),
      baseUrl: 'http://localhost:3000',
      logLevel: 'warn',
      seedDemo: false,
      poolSize: 20,
      publicRateLimits: false,
      rateLimitPerMinute: 0,
    },
    {},
  );
  const runtime = await startRuntime(config, { backgroundWork: false });
  SOCKET_FRAMES.max = Number.MAX_SAFE_INTEGER;
  const opened: WebSocket[] = [];
  const results: string[] = [];
  try {
    const base = await runtime.app.listen({ host: '127.0.0.1', port: 0 });
    const wsBase = base.replace('http', 'ws');
    const port = new URL(base).port;
    const keepAlive = new http.Agent({ keepAlive: true });
    const post = (cookie: string, path: string, payload: unknown) =>
      new Promise<number>((resolve, reject) => {
        const text = JSON.stringify(payload);
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path,
            method: 'POST',
            agent: keepAlive,
            headers: { cookie, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.end(text);
      });

    // The workspaces: one agent each, online with room for all its visitors.
    const groups = Math.max(1, Math.round(SOCKETS / GROUP));
    const visitorsPerGroup = Math.max(1, Math.floor(SOCKETS / groups) - 1);
    const workspaces: { cookie: string; widgetKey: string }[] = [];
    for (let g = 0; g < groups; g++) {
      const owner = await signUp(runtime.app, { workspaceName: `Chat bench ${g}` });
      const inject = (method: 'POST' | 'PUT', url: string, payload: unknown) =>
        runtime.app.inject({ method, url, headers: { cookie: owner.cookie }, payload: payload as object });
      const settings = (await inject('POST', '/api/v1/chat/settings', { enabled: true })).json() as {
        data: { widgetKey: string };
      };
      const presence = await inject('PUT', '/api/v1/chat/presence', {
        status: 'online',
        capacity: Math.min(20, visitorsPerGroup),
      });
      if (presence.statusCode !== 200) throw new Error(`presence: ${presence.body}`);
      workspaces.push({ cookie: owner.cookie, widgetKey: settings.data.widgetKey });
    }
    // Memory from here on: the sockets and their chats, not the workspaces' setup.
    global.gc?.();
    const memoryBefore = process.memoryUsage();
    const pairs: Pair[] = [];
    for (const [g, owner] of workspaces.entries()) {
      const settings = { data: { widgetKey: owner.widgetKey } };
      const agentSocket = await open(`${wsBase}/api/v1/chat/stream`, { cookie: owner.cookie });
      opened.push(agentSocket);
      const agent = new Receiver(agentSocket);
      for (let v = 0; v < visitorsPerGroup; v++) {
        const s = await open(`${wsBase}/chat/socket?key=${settings.data.widgetKey}`);
        opened.push(s);
        const visitor = new Receiver(s);
        const started = nextFrame(s, 'started');
        s.send(JSON.stringify({ type: 'start', name: `Visitor ${g}.${v}` }));
        const answer = await started;
        if (answer.status !== 'active') throw new Error(`chat ${g}.${v} is ${answer.status}, not routed`);
        const conversationId = (answer.messages as { conversationId: string }[])[0]?.conversationId as string;
        pairs.push({
          agent: g,
          async toAgent(b) {
            const arrived = agent.expect(b);
            const t0 = performance.now();
            s.send(JSON.stringify({ type: 'message', body: b }));
            return (await arrived) - t0;
          },
          async toVisitor(b) {
            const arrived = visitor.expect(b);
            const t0 = performance.now();
            const status = await post(owner.cookie, `/api/v1/chats/${conversationId}/messages`, { body: b });
            if (status !== 201) throw new Error(`reply answered ${status}`);
            return (await arrived) - t0;
          },
        });
      }
      process.stderr.write(`\r  ${opened.length} sockets open (load ${loadAverage()})`);
    }
    process.stderr.write('\n');
    global.gc?.();
    const memoryAfter = process.memoryUsage();
    const connections = (() => {
      let n = 0;
      for (const s of opened) if (s.readyState === WebSocket.OPEN) n++;
      return n;
    })();

    // The database's floor: the same message rows, one raw INSERT each.
    const conv = (
      await sql<{ id: string; workspace_id: string }>`select id, workspace_id from chat_conversations limit 1`.execute(
        runtime.database.db,
      )
    ).rows[0] as { id: string; workspace_id: string };
    const inserts: number[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const t0 = performance.now();
      await sql`insert into chat_messages (workspace_id, id, conversation_id, author, body, attachments)
        values (${conv.workspace_id}::uuid, ${uuidv7()}::uuid, ${conv.id}::uuid, 'visitor', ${`raw ${i}`}, '[]'::jsonb)`.execute(
        runtime.database.db,
      );
      inserts.push(performance.now() - t0);
    }
    inserts.sort((a, b) => a - b);

    const loadBeforeChat = loadAverage();
    const chat = await workloads(pairs, true);
    const loadAfterChat = loadAverage();
    for (const s of opened) s.terminate();
    const relay = await relayBaseline(pairs.length);

    const f = (n: number) => (Number.isNaN(n) ? '–' : n.toFixed(1));
    const ps = (ms: number[]) => `${f(percentile(ms, 50))} | ${f(percentile(ms, 95))} | ${f(percentile(ms, 99))}`;
    const rows: string[] = [];
    chat.forEach((w, i) => {
      const floor = relay[i] as (typeof relay)[number];
      const p95 = percentile(w.toAgent, 95);
      rows.push(
        `| ${w.name}: visitor → agent | ${w.toAgent.length} | ${ps(w.toAgent)} | ${p95 < TARGET_P95 ? 'yes' : 'NO'} |`,
        `| ${w.name}: agent → visitor (HTTP reply) | ${w.toVisitor.length} | ${ps(w.toVisitor)} | – |`,
        `| (floor) bare \`ws\` relay, ${floor.name}: visitor → agent | ${floor.toAgent.length} | ${ps(floor.toAgent)} | – |`,
      );
    });
    rows.push(
      `| (floor) raw SQL insert of one chat message row, sequential | ${inserts.length} | ${ps(inserts)} | – |`,
    );
    const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
    results.push(
      `## ${new Date().toISOString().slice(0, 10)} — live chat: message delivery over ${connections.toLocaleString('en-US')} WebSockets`,
      `Machine: ${machine()}, PostgreSQL (${runtime.database.version.split(' ').slice(0, 2).join(' ')}), load average ${loadAtStart} at the start, ${loadBeforeChat} → ${loadAfterChat} around the chat workloads, ${loadAverage()} at the end (a shared machine: compare the rows with each other, not with other runs). A runtime in the benchmark process (pool 20), ${groups} workspaces of one agent (console socket, online) and ${visitorsPerGroup} visitors (widget sockets, chats started and routed to the agent): ${pairs.length} visitor and ${groups} agent sockets; visitors send \`message\` frames, agents answer with \`POST /api/v1/chats/{id}/messages\` over HTTP keep-alive; every message committed (visitors' messages arriving together: one transaction per workspace), sent with pg_notify and fanned out from LISTEN. Latency from send to the frame's arrival on the other side; \`bench/chat.ts\`.`,
      [
        '| workload | n | p50 ms | p95 ms | p99 ms | visitor → agent p95 < 100 ms |',
        '| --- | --- | --- | --- | --- | --- |',
        ...rows,
      ].join('\n'),
      `Memory of the sockets and their chats (client and server ends both in this process; opened after the workspaces were set up): heap ${kib((memoryAfter.heapUsed - memoryBefore.heapUsed) / connections)} and RSS ${kib((memoryAfter.rss - memoryBefore.rss) / connections)} per socket (heap ${Math.round(memoryAfter.heapUsed / 2 ** 20)} MiB, RSS ${Math.round(memoryAfter.rss / 2 ** 20)} MiB in all).`,
    );
    if (process.env.RAPPORT_BENCH_NOTE) results.push(process.env.RAPPORT_BENCH_NOTE);
    addResults(results.join('\n\n'));
    process.stdout.write(`${results.join('\n\n')}\n`);
    keepAlive.destroy();
  } finally {
    for (const s of opened) s.terminate();
    await runtime.close();
    await admin(`drop database if exists ${DB_NAME} with (force)`);
  }
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
