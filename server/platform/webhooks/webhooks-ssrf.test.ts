import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { freshEmptyDatabase } from '../../../test/helpers/empty-db';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/helpers/webhook-receiver';
import { openDatabase } from '../db/database';
import { migrate, readMigrations } from '../db/migrate';
import { SendError, sanitiseExcerpt, sendOutbound, UNREACHABLE } from './sender';

// The attack of issue 12.1: anyone can sign up, administer a new workspace, point a
// webhook at a service on the server's loopback interface and read its answer back
// from the delivery log. A loopback "internal service" answers with a secret here.

const SECRET = `internal-secret-${randomBytes(8).toString('hex')}`;

function helpers(t: () => TestApp, who: () => SignedUp) {
  const api = (method: string, url: string, payload?: unknown) =>
    t().app.inject({ method: method as 'GET', url, headers: { cookie: who().cookie }, payload: payload as object });
  const flush = async () => {
    await t().events.drain();
    return t().jobs.runDue({ queues: ['webhooks.deliver'] });
  };
  /** A subscription row written behind the API (as one created before this release, with the old override). */
  const legacySubscription = async (url: string) => {
    const id = uuidv7();
    await sql`insert into webhook_subscriptions (workspace_id, id, url, event_types, secret, secret_hint, role, created_by)
      values (${who().workspaceId}, ${id}, ${url}, ${['*']}::text[], 'whsec_legacy', 'gacy', 'administrator', ${who().userId})`.execute(
      t().database.db,
    );
    return id;
  };
  return { api, flush, legacySubscription };
}

describe('webhooks on an instance whose operator keeps private networks closed (the default)', () => {
  let t: TestApp;
  let attacker: SignedUp;
  let internal: WebhookReceiver;
  const { api, flush, legacySubscription } = helpers(
    () => t,
    () => attacker,
  );

  beforeAll(async () => {
    t = await createTestApp();
    attacker = await signUp(t.app, { workspaceName: 'Fresh Attacker Ltd' });
    internal = await startWebhookReceiver();
    internal.respond = () => ({ status: 200, body: SECRET });
    await t.events.drain();
  });
  afterAll(async () => {
    await internal.close();
    await t.stop();
  });

  it('a workspace cannot allow private networks: allowPrivateNetwork is refused with a 422 naming it', async () => {
    const create = await api('POST', '/api/v1/webhooks', {
      url: 'https://93.184.215.14/hook',
      eventTypes: ['*'],
      allowPrivateNetwork: true,
    });
    expect(create.statusCode, create.body).toBe(422);
    expect(create.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(create.json().errors.map((e: { path: string }) => e.path)).toEqual(['allowPrivateNetwork']);
    const ok = await api('POST', '/api/v1/webhooks', { url: 'https://93.184.215.14/hook', eventTypes: ['*'] });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().data).not.toHaveProperty('allowPrivateNetwork');
    const patch = await api('PATCH', `/api/v1/webhooks/${ok.json().data.id}`, { allowPrivateNetwork: true });
    expect(patch.statusCode).toBe(422);
    expect(patch.json().errors[0].path).toBe('allowPrivateNetwork');
    // Nothing was half-written: the subscription's URL still cannot be moved onto loopback.
    const moved = await api('PATCH', `/api/v1/webhooks/${ok.json().data.id}`, { url: `${internal.url}/x` });
    expect(moved.statusCode).toBe(422);
    expect(moved.json().errors[0].path).toBe('url');
  });

  it('refuses every spelling of loopback and private hosts up front (422 naming url), without describing the network', async () => {
    const port = internal.port;
    for (const host of [
      'localhost',
      'localhost.',
      'LOCALHOST',
      'LocalHost..',
      'api.localhost.',
      'localhost.localdomain',
      '[::1]',
      '[0:0:0:0:0:0:0:1]',
      '[::ffff:127.0.0.1]',
      '[::ffff:7f00:1]',
      '[::]',
      '0.0.0.0',
      '0',
      '127.1',
      '2130706433', // 127.0.0.1 in decimal
      '017700000001', // octal
      '0x7f000001', // hex
      '0x7f.0.0.1',
      '0177.0.0.1',
      '10.0.0.1',
      '169.254.169.254',
      '[fd00:ec2::254]',
      'printer.local',
      'db.internal',
      'intranet', // a single label: completed by the server's own search domains
    ]) {
      const url = `http://${host}:${port}/hook`;
      const res = await api('POST', '/api/v1/webhooks', { url, eventTypes: ['*'] });
      expect(res.statusCode, url).toBe(422);
      const errors = res.json().errors as { path: string; message: string }[];
      expect(
        errors.map((e) => e.path),
        url,
      ).toEqual(['url']);
      expect(errors[0]?.message, url).not.toMatch(/127\.0\.0\.1|::1|resolves to \d/);
    }
    expect(internal.received).toHaveLength(0);
  });

  it('a stored subscription pointing at loopback is refused at delivery: the service is never called, its secret never shown', async () => {
    const literal = await legacySubscription(`${internal.url}/literal`);
    const named = await legacySubscription(`http://localhost.:${internal.port}/named`);
    const contact = await api('POST', '/api/v1/contacts', { firstName: 'Bait', lastName: 'Record' });
    expect(contact.statusCode).toBe(201);
    await flush();
    expect(internal.received).toHaveLength(0);
    for (const id of [literal, named]) {
      const list = await api('GET', `/api/v1/webhooks/${id}/deliveries`);
      const [d] = list.json().data;
      expect(d).toMatchObject({ status: 'failed', lastStatusCode: null });
      expect(d.lastError).toMatch(/refused: not a public address/);
      const detail = await api('GET', `/api/v1/webhooks/${id}/deliveries/${d.id}`);
      expect(detail.body).not.toContain(SECRET);
      expect(detail.json().data.attemptLog).toEqual([
        expect.objectContaining({ statusCode: null, responseBody: null }),
      ]);
      // Replaying does not help either.
      expect((await api('POST', `/api/v1/webhooks/${id}/deliveries/${d.id}/replay`)).statusCode).toBe(202);
    }
    await flush();
    expect(internal.received).toHaveLength(0);
    const jobs = await api('GET', '/api/v1/admin/jobs?state=failed');
    expect(jobs.body).not.toContain(SECRET);
  });

  it('workflow webhook steps meet the same guard when the workflow is saved (422 naming the step url)', async () => {
    for (const url of [`http://localhost.:${internal.port}/x`, 'http://[::ffff:127.0.0.1]/x', 'http://0x7f.1/x']) {
      const res = await api('POST', '/api/v1/workflows', {
        name: 'Exfiltrate',
        definition: { trigger: { type: 'webhook' }, steps: [{ id: 'out', type: 'webhook', url }] },
      });
      expect(res.statusCode, `${url} ${res.body}`).toBe(422);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual(['definition.steps.0.url']);
    }
  });

  it('checks the address the connection really uses (DNS rebinding): a name resolving to loopback is refused when connecting', async () => {
    // sendOutbound checks IP literals itself and host names only in the socket's lookup,
    // so this is the connection-time check alone (what a name that changed its DNS meets).
    const attempt = sendOutbound({
      url: `http://localhost:${internal.port}/rebound`,
      body: '{}',
      headers: {},
      allowPrivateNetwork: false,
      timeoutMs: 5000,
    });
    await expect(attempt).rejects.toBeInstanceOf(SendError);
    await expect(attempt).rejects.toMatchObject({ blocked: true, message: /not a public address/ });
    expect(internal.received).toHaveLength(0);
  });
});

describe('webhooks on an instance whose operator allows private networks (RAPPORT_WEBHOOKS_ALLOW_PRIVATE)', () => {
  let t: TestApp;
  let admin: SignedUp;
  let internal: WebhookReceiver;
  let closedPort: number;
  let silent: net.Server;
  const held = new Set<net.Socket>();
  const { api, flush } = helpers(
    () => t,
    () => admin,
  );

  beforeAll(async () => {
    t = await createTestApp({ webhooksAllowPrivate: true, webhookTimeoutMs: 3000 });
    admin = await signUp(t.app, { workspaceName: 'On-premise Co' });
    internal = await startWebhookReceiver();
    internal.respond = () => ({ status: 200, body: SECRET });
    // A port with nothing listening, and one that accepts and never answers.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    silent = net.createServer((socket) => {
      held.add(socket);
      socket.on('close', () => held.delete(socket));
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    await t.events.drain();
  });
  afterAll(async () => {
    await internal.close();
    for (const socket of held) socket.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
    await t.stop();
  });

  it('delivers to a private receiver but logs only its status and timing, never its answer', async () => {
    const sub = await api('POST', '/api/v1/webhooks', { url: `${internal.url}/in`, eventTypes: ['account.created'] });
    expect(sub.statusCode, sub.body).toBe(201);
    await api('POST', '/api/v1/accounts', { name: 'Probe' });
    await flush();
    expect(internal.received).toHaveLength(1);
    const [d] = (await api('GET', `/api/v1/webhooks/${sub.json().data.id}/deliveries`)).json().data;
    expect(d).toMatchObject({ status: 'succeeded', lastStatusCode: 200 });
    const detail = await api('GET', `/api/v1/webhooks/${sub.json().data.id}/deliveries/${d.id}`);
    expect(detail.body).not.toContain(SECRET);
    expect(detail.json().data.attemptLog[0]).toMatchObject({ statusCode: 200, responseBody: null });
  });

  it('a closed port and a silent one read the same in the log: which internal ports are open is not told', async () => {
    const closed = await api('POST', '/api/v1/webhooks', {
      url: `http://127.0.0.1:${closedPort}/x`,
      eventTypes: ['contact.created'],
    });
    const hanging = await api('POST', '/api/v1/webhooks', {
      url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}/x`,
      eventTypes: ['contact.created'],
    });
    expect(closed.statusCode).toBe(201);
    expect(hanging.statusCode).toBe(201);
    await api('POST', '/api/v1/contacts', { firstName: 'Port', lastName: 'Scan' });
    await flush();
    const errors: string[] = [];
    for (const sub of [closed, hanging]) {
      const [d] = (await api('GET', `/api/v1/webhooks/${sub.json().data.id}/deliveries`)).json().data;
      expect(d.status).toBe('pending');
      const detail = (await api('GET', `/api/v1/webhooks/${sub.json().data.id}/deliveries/${d.id}`)).json().data;
      errors.push(d.lastError, detail.attemptLog[0].error);
    }
    expect(new Set(errors)).toEqual(new Set([UNREACHABLE]));
    const jobs = await api('GET', '/api/v1/admin/jobs');
    expect(jobs.body).not.toMatch(/ECONNREFUSED|ECONNRESET|timeout|no answer within/i);
  });
});

describe('delivery log excerpts', () => {
  it('are short, with control and direction characters removed', () => {
    expect(sanitiseExcerpt('ok\u0000\u001b[31mred\u007f\u0085\u202eevil\r\n')).toBe('ok[31mredevil\n');
    expect(Array.from(sanitiseExcerpt('é'.repeat(500)))).toHaveLength(200);
    expect(sanitiseExcerpt(`${'a'.repeat(199)}😀😀`)).toBe(`${'a'.repeat(199)}😀`);
    expect(sanitiseExcerpt('\ud800x')).toBe('x');
  });
});

describe('migration 0012', () => {
  it('drops the per-subscription override and what it let into the delivery log', async () => {
    const target = await freshEmptyDatabase();
    const db = await openDatabase({ databaseUrl: target.databaseUrl, dataDir: target.dataDir });
    try {
      const all = readMigrations();
      await migrate(
        db.pool,
        all.filter((m) => m.version < '0012'),
      );
      const ws = uuidv7();
      await db.pool.query(`insert into workspaces (id, name) values ($1, 'Old')`, [ws]);
      const subs = { open: uuidv7(), guarded: uuidv7() };
      for (const [id, open] of [
        [subs.open, true],
        [subs.guarded, false],
      ] as const) {
        const delivery = uuidv7();
        await db.pool.query(
          `insert into webhook_subscriptions (workspace_id, id, url, event_types, secret, role, allow_private_network)
           values ($1, $2, 'http://127.0.0.1:6379/', '{*}', 'whsec_x', 'administrator', $3)`,
          [ws, id, open],
        );
        await db.pool.query(
          `insert into webhook_deliveries (workspace_id, id, subscription_id, event_id, event_type, body, last_error)
           values ($1, $2, $3, 'evt_1', 'x.y', '{}', 'connect ECONNREFUSED 127.0.0.1:6379')`,
          [ws, delivery, id],
        );
        await db.pool.query(
          `insert into webhook_attempts (workspace_id, id, delivery_id, attempted_at, status_code, duration_ms, response_body, error)
           values ($1, $2, $3, now(), 200, 3, $4, 'connect ECONNREFUSED 127.0.0.1:6379')`,
          [ws, uuidv7(), delivery, `${SECRET}${'x'.repeat(1000)}`],
        );
      }
      await migrate(db.pool, all);
      const cols = await db.pool.query(
        `select column_name from information_schema.columns where table_name = 'webhook_subscriptions'`,
      );
      expect(cols.rows.map((r) => r.column_name)).not.toContain('allow_private_network');
      const rows = await db.pool.query(
        `select d.subscription_id, d.last_error, a.response_body, a.error from webhook_attempts a
         join webhook_deliveries d on d.workspace_id = a.workspace_id and d.id = a.delivery_id`,
      );
      const open = rows.rows.find((r) => r.subscription_id === subs.open);
      const guarded = rows.rows.find((r) => r.subscription_id === subs.guarded);
      expect(open).toMatchObject({ response_body: null, error: 'redacted', last_error: 'redacted' });
      expect(guarded?.response_body).toHaveLength(200);
      await expect(db.pool.query(`update webhook_attempts set response_body = repeat('y', 201)`)).rejects.toThrow(
        /webhook_attempts_excerpt_len/,
      );
    } finally {
      await db.close();
      await target.drop();
    }
  }, 180_000); // an empty database and every migration: slow on a busy machine
});
