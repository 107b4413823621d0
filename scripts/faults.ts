/**
 * The fault suite's system-level scenarios (`npm run faults`, which then runs the crash
 * tests of the unit suite on PostgreSQL: webhook, campaign, workflow, inbound mail and
 * reminder crashes with restarts). Each scenario runs on a fresh database of the PostgreSQL
 * server and prints what it saw; any broken expectation exits 1.
 *
 * 1. Two app processes, a webhook burst, SIGKILL of one mid-burst: the other takes over and
 *    every committed record change reaches the receiver, once per event id.
 * 2. The database drops every connection under a write load (what a PostgreSQL restart or a
 *    failover looks like to the app; the shared server itself is not restarted): the app
 *    answers again within 5 s without a restart of its own, and every write it acknowledged
 *    is there.
 * 3. The webhook receiver is down (503 with Retry-After) for a while, then up: everything
 *    is delivered, once per event id.
 *
 *   RAPPORT_FAULTS_PG_URL   the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres)
 *   RAPPORT_FAULTS_DOWN_S   how long the receiver is down in scenario 3 (default 10)
 */
import pg from 'pg';
import { type ServerProcess, startServerProcess } from '../test/helpers/server-process';
import { startWebhookReceiver, type WebhookReceiver } from '../test/helpers/webhook-receiver';

const PG_URL = process.env.RAPPORT_FAULTS_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DOWN_SECONDS = Number(process.env.RAPPORT_FAULTS_DOWN_S ?? 10);
const PASSWORD = 'correct horse battery staple';

const admin = new pg.Client({ connectionString: PG_URL });
const databases: string[] = [];
const servers: ServerProcess[] = [];
const receivers: WebhookReceiver[] = [];
const failures: string[] = [];

function expect(ok: boolean, what: string): void {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(ms: number, check: () => boolean | Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return check();
}

async function freshDatabase(): Promise<string> {
  const name = `rapport_faults_${Date.now()}_${databases.length}`;
  await admin.query(`create database ${name}`);
  databases.push(name);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function envFor(databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    RAPPORT_SEED_DEMO: 'false',
    RAPPORT_RATE_LIMIT: '0',
    RAPPORT_WEBHOOKS_ALLOW_PRIVATE: '1',
    RAPPORT_WEBHOOK_TIMEOUT_MS: '5000',
  };
}

async function signUp(base: string, label: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: label,
      email: `${label.toLowerCase().replace(/\W/g, '')}-${Date.now()}@example.com`,
      password: PASSWORD,
      workspaceName: label,
    }),
  });
  if (res.status !== 201) throw new Error(`sign-up answered ${res.status}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

function caller(base: () => string, cookie: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the script reads a few known fields of API answers
    return { status: res.status, json: (await res.json().catch(() => null)) as any };
  };
}

async function allContactIds(call: ReturnType<typeof caller>): Promise<string[]> {
  const ids: string[] = [];
  for (let cursor: string | undefined; ; ) {
    const res = await call('GET', `/api/v1/contacts?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    if (res.status !== 200) throw new Error(`list answered ${res.status}`);
    ids.push(...res.json.data.map((c: { id: string }) => c.id));
    cursor = res.json.page.nextCursor ?? undefined;
    if (!cursor) return ids;
  }
}

const distinctEvents = (rx: WebhookReceiver) => new Set(rx.received.map((r) => r.json.id));

async function twoProcessesOneKilled(): Promise<void> {
  console.log('1. two processes, webhook burst, SIGKILL of one: the other takes over');
  const env = envFor(await freshDatabase());
  const a = await startServerProcess(env, 300_000);
  servers.push(a);
  const b = await startServerProcess(env, 300_000);
  servers.push(b);
  const rx = await startWebhookReceiver();
  receivers.push(rx);
  const cookie = await signUp(a.url, 'Faults One');
  const onA = caller(() => a.url, cookie);
  const onB = caller(() => b.url, cookie);
  const sub = await onA('POST', '/api/v1/webhooks', { url: `${rx.url}/one`, eventTypes: ['contact.created'] });
  expect(sub.status === 201, 'webhook subscription created');
  let killed = false;
  let acknowledged = 0;
  const writers = Array.from({ length: 6 }, async (_, w) => {
    for (let i = 0; !killed; i++) {
      // Writers alternate between the processes, as a balancer would.
      const call = i % 2 === 0 ? onA : onB;
      try {
        const res = await call('POST', '/api/v1/contacts', { firstName: `W${w}`, lastName: `N${i}` });
        if (res.status === 201) acknowledged++;
      } catch {
        // a request to the killed process
      }
    }
  });
  await until(120_000, () => rx.received.length >= 40);
  a.child.kill('SIGKILL');
  await a.exited;
  const killedAt = Date.now();
  // The survivor keeps taking writes for a moment after the kill.
  await sleep(2000);
  killed = true;
  await Promise.all(writers);
  const ids = await allContactIds(onB);
  expect(
    ids.length >= acknowledged,
    `every acknowledged write is stored (${acknowledged} acknowledged, ${ids.length} stored)`,
  );
  // Deliveries leased by the killed process are retried by the survivor once their lease ends.
  const all = await until(180_000, () => distinctEvents(rx).size >= ids.length);
  const events = distinctEvents(rx);
  const records = new Set(rx.received.map((r) => (r.json.data.record as { id: string }).id));
  expect(
    all && events.size === ids.length,
    `process B delivered the rest: ${events.size} events for ${ids.length} contacts`,
  );
  expect(
    ids.every((id) => records.has(id)),
    'one event per committed contact, each delivered (dedupe by event id)',
  );
  console.log(
    `  ${rx.received.length - events.size} repeats on the wire (deliveries in flight at the kill); ` +
      `all delivered ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill`,
  );
}

async function connectionsDropped(): Promise<void> {
  console.log('2. the database drops every connection under load: back within 5 s, no acknowledged write lost');
  const url = await freshDatabase();
  const name = new URL(url).pathname.slice(1);
  const server = await startServerProcess(envFor(url), 300_000);
  servers.push(server);
  const cookie = await signUp(server.url, 'Faults Two');
  const call = caller(() => server.url, cookie);
  const acknowledged = new Set<string>();
  let stop = false;
  let lastOk = 0;
  let failed = 0;
  const writers = Array.from({ length: 6 }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      try {
        const res = await call('POST', '/api/v1/contacts', { firstName: `P${w}`, lastName: `N${i}` });
        if (res.status === 201) {
          acknowledged.add(res.json.data.id);
          lastOk = Date.now();
        } else failed++;
      } catch {
        failed++;
      }
    }
  });
  await until(30_000, () => acknowledged.size >= 50);
  const { rows } = await admin.query<{ n: number }>(
    'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1',
    [name],
  );
  const droppedAt = Date.now();
  const back = await until(15_000, () => lastOk > droppedAt || server.child.exitCode !== null);
  if (server.child.exitCode !== null) {
    expect(false, `the app process is still running (it exited ${server.child.exitCode})`);
    console.log(server.output().slice(-4000));
    return;
  }
  const recovery = (lastOk - droppedAt) / 1000;
  await sleep(2000);
  stop = true;
  await Promise.all(writers);
  expect(rows[0]?.n !== undefined && rows[0].n > 0, `${rows[0]?.n} connections dropped`);
  expect(
    back && recovery < 5,
    `writes succeed again ${recovery.toFixed(2)} s after (limit 5 s); ${failed} failed meanwhile`,
  );
  const ids = new Set(await allContactIds(call));
  expect(
    [...acknowledged].every((id) => ids.has(id)),
    `every acknowledged write is stored (${acknowledged.size} acknowledged, ${ids.size} stored)`,
  );
  const ready = await fetch(`${server.url}/ready`);
  expect(ready.status === 200, '/ready answers 200 again without a restart');
}

async function receiverDownThenUp(): Promise<void> {
  console.log(`3. the webhook receiver is down for ${DOWN_SECONDS} s, then up: everything delivered once per event`);
  const server = await startServerProcess(envFor(await freshDatabase()), 300_000);
  servers.push(server);
  const rx = await startWebhookReceiver();
  receivers.push(rx);
  let down = true;
  rx.respond = () => (down ? { status: 503, body: 'down', headers: { 'retry-after': '2' } } : { status: 200 });
  const cookie = await signUp(server.url, 'Faults Three');
  const call = caller(() => server.url, cookie);
  await call('POST', '/api/v1/webhooks', { url: `${rx.url}/three`, eventTypes: ['contact.created'] });
  const made: string[] = [];
  for (let i = 0; i < 40; i++) {
    const res = await call('POST', '/api/v1/contacts', { lastName: `Down ${i}` });
    if (res.status === 201) made.push(res.json.data.id);
  }
  await sleep(DOWN_SECONDS * 1000);
  const attemptsWhileDown = rx.received.length;
  down = false;
  const upAt = Date.now();
  await until(
    120_000,
    () => new Set(rx.received.filter((r) => r.at >= upAt).map((r) => r.json.id)).size >= made.length,
  );
  await sleep(3000); // anything more would show up now
  const accepted = rx.received.filter((r) => r.at >= upAt);
  const events = new Set(accepted.map((r) => r.json.id));
  expect(attemptsWhileDown > 0, `${attemptsWhileDown} attempts were refused while the receiver was down`);
  expect(events.size === made.length, `${events.size} of ${made.length} events delivered after it came back`);
  expect(accepted.length === events.size, `each once after it came back (${accepted.length} deliveries)`);
}

async function main() {
  await admin.connect();
  const only = process.env.RAPPORT_FAULTS_ONLY; // 1, 2 or 3: run one scenario
  try {
    if (!only || only === '1') await twoProcessesOneKilled();
    if (!only || only === '2') await connectionsDropped();
    if (!only || only === '3') await receiverDownThenUp();
  } finally {
    for (const s of servers) {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        s.child.kill('SIGTERM');
        await s.exited;
      }
    }
    for (const r of receivers) await r.close();
    for (const d of databases) await admin.query(`drop database if exists ${d} with (force)`).catch(() => {});
    await admin.end();
  }
  console.log(failures.length ? `\n${failures.length} fault expectations broken` : '\nall fault expectations held');
  process.exitCode = failures.length ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
