import os from 'node:os';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKeyVia, createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { buildContact } from '../../../test/helpers/factories';
import { client } from '../../../test/helpers/http';
import { memberWithRole } from '../../../test/helpers/members';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/helpers/webhook-receiver';
import { verifySignature } from './signing';

describe('outbound webhooks', () => {
  let t: TestApp;
  let admin: SignedUp;
  let receiver: WebhookReceiver;
  let now = new Date('2026-12-01T09:00:00Z').getTime();
  const clock = () => new Date(now);
  const advance = (seconds: number) => {
    now += seconds * 1000;
  };

  async function subscribe(body: Record<string, unknown>) {
    const res = await client(t, admin).post('/api/v1/webhooks', { allowPrivateNetwork: true, ...body });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().data as { id: string; secret: string; role: string };
  }

  /** Commits → fan-out → deliveries due now. */
  async function flush() {
    await t.events.drain();
    return t.jobs.runDue({ queues: ['webhooks.deliver'] });
  }

  const deliveries = async (subId: string) =>
    (await client(t, admin).get(`/api/v1/webhooks/${subId}/deliveries`)).json().data;

  beforeAll(async () => {
    t = await createTestApp({}, { clock });
    admin = await signUp(t.app, { workspaceName: 'Hooks Inc' });
    receiver = await startWebhookReceiver();
    await t.events.drain(); // the fan-out's cursor starts here
  });
  afterAll(async () => {
    await receiver.close();
    await t.stop();
  });
  beforeEach(async () => {
    receiver.received.length = 0;
    receiver.respond = () => ({ status: 200, body: 'ok' });
    await sql`update webhook_subscriptions set active = false`.execute(t.database.db);
  });

  it('delivers a signed event with the documented body and headers, logged with its response', async () => {
    const sub = await subscribe({ url: `${receiver.url}/hooks`, eventTypes: ['contact.created'] });
    expect(sub.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const shown = await client(t, admin).get(`/api/v1/webhooks/${sub.id}`);
    expect(shown.body).not.toContain(sub.secret);
    expect(shown.json().data.secretHint).toBe(`whsec_…${sub.secret.slice(-4)}`);

    const created = await client(t, admin).post('/api/v1/contacts', {
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@ex.com',
    });
    expect(created.statusCode).toBe(201);
    const contactId = created.json().data.id;
    expect((await flush()).completed).toBe(1);

    expect(receiver.received).toHaveLength(1);
    const got = receiver.received[0];
    if (!got) throw new Error('nothing received');
    expect(got.path).toBe('/hooks');
    expect(got.json).toMatchObject({
      type: 'contact.created',
      workspaceId: admin.workspaceId,
      data: { record: { id: contactId, firstName: 'Ada', email: 'ada@ex.com' } },
    });
    expect(got.json.id).toMatch(/^evt_[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(got.json.createdAt))).toBe(false);
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['rapport-event-id']).toBe(got.json.id);
    expect(got.headers['rapport-event-type']).toBe('contact.created');
    const signature = String(got.headers['rapport-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(Number(signature.slice(2, signature.indexOf(',')))).toBe(Math.floor(now / 1000)); // the queue's clock
    expect(verifySignature(sub.secret, got.body, signature, Math.floor(now / 1000))).toBe(true);
    expect(verifySignature(sub.secret, `${got.body} `, signature, Math.floor(now / 1000))).toBe(false);
    expect(verifySignature(sub.secret, got.body, signature, Math.floor(now / 1000) + 301)).toBe(false);

    const log = await deliveries(sub.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ eventId: got.json.id, status: 'succeeded', attempts: 1, lastStatusCode: 200 });
    const detail = (await client(t, admin).get(`/api/v1/webhooks/${sub.id}/deliveries/${log[0].id}`)).json().data;
    expect(detail.body).toBe(got.body);
    expect(detail.attemptLog).toEqual([
      expect.objectContaining({ statusCode: 200, responseBody: 'ok', durationMs: expect.any(Number) }),
    ]);

    // Nothing more goes out for the same event.
    expect((await flush()).completed).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  it('matches wildcards: contact.* gets contact events only, * gets everything', async () => {
    const contacts = await subscribe({ url: `${receiver.url}/contacts`, eventTypes: ['contact.*'] });
    const all = await subscribe({ url: `${receiver.url}/all`, eventTypes: ['*'] });
    const c = await buildContact(client(t, admin), { firstName: 'Grace', lastName: 'Hopper' });
    await client(t, admin).patch(`/api/v1/contacts/${c.id}`, { title: 'Rear Admiral' });
    await client(t, admin).post('/api/v1/accounts', { name: 'Navy' });
    await flush();
    const byPath = (p: string) => receiver.received.filter((r) => r.path === p).map((r) => r.json.type);
    expect(byPath('/contacts').sort()).toEqual(['contact.created', 'contact.updated']);
    expect(byPath('/all').sort()).toEqual(['account.created', 'contact.created', 'contact.updated']);
    const updated = receiver.received.find((r) => r.path === '/contacts' && r.json.type === 'contact.updated');
    expect(updated?.json.data.changes).toMatchObject({ title: [null, 'Rear Admiral'] });
    expect((await deliveries(contacts.id)).every((d: { status: string }) => d.status === 'succeeded')).toBe(true);
    expect(await deliveries(all.id)).toHaveLength(3);
  });

  it('retries failures with back-off, logs each response, and replays on request with the same event id', async () => {
    const sub = await subscribe({ url: `${receiver.url}/flaky`, eventTypes: ['account.created'] });
    let calls = 0;
    receiver.respond = () => (++calls === 1 ? { status: 500, body: 'database on fire' } : { status: 204 });
    await client(t, admin).post('/api/v1/accounts', { name: 'Flaky Ltd' });
    expect((await flush()).retried).toBe(1);
    let [d] = await deliveries(sub.id);
    expect(d).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastStatusCode: 500,
      lastError: 'receiver answered 500',
    });
    expect(new Date(d.nextAttemptAt).getTime() - now).toBe(30_000);
    advance(29);
    expect((await flush()).completed).toBe(0);
    advance(1);
    expect((await flush()).completed).toBe(1);
    [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ status: 'succeeded', attempts: 2, lastStatusCode: 204 });
    const detail = (await client(t, admin).get(`/api/v1/webhooks/${sub.id}/deliveries/${d.id}`)).json().data;
    expect(detail.attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 204]);
    expect(detail.attemptLog[0].responseBody).toBe('database on fire');

    const replay = await client(t, admin).post(`/api/v1/webhooks/${sub.id}/deliveries/${d.id}/replay`);
    expect(replay.statusCode).toBe(202);
    expect(replay.json().data.status).toBe('pending');
    await flush();
    expect(receiver.received.map((r) => r.json.id)).toEqual([detail.eventId, detail.eventId, detail.eventId]);
    [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ status: 'succeeded', attempts: 3 });
  });

  it('honours Retry-After, gives up on 410 Gone, and does not follow redirects', async () => {
    const sub = await subscribe({ url: `${receiver.url}/picky`, eventTypes: ['account.created'] });
    const answers: { status: number; headers?: Record<string, string> }[] = [
      { status: 429, headers: { 'retry-after': '120' } },
      { status: 302, headers: { location: `${receiver.url}/elsewhere` } },
      { status: 410 },
    ];
    receiver.respond = () => answers.shift() ?? { status: 200 };
    await client(t, admin).post('/api/v1/accounts', { name: 'Picky plc' });
    await flush();
    let [d] = await deliveries(sub.id);
    expect(new Date(d.nextAttemptAt).getTime() - now).toBe(120_000);
    advance(120);
    await flush();
    [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ status: 'pending', lastStatusCode: 302 });
    expect(d.lastError).toMatch(/redirects are not followed/);
    expect(receiver.received.some((r) => r.path === '/elsewhere')).toBe(false);
    advance(60);
    expect((await flush()).failed).toBe(1);
    [d] = await deliveries(sub.id);
    expect(d).toMatchObject({ status: 'failed', lastStatusCode: 410, attempts: 3 });
    advance(86_400);
    await flush();
    expect(receiver.received).toHaveLength(3);
  });

  it('stops retrying 24 hours after the event', async () => {
    const sub = await subscribe({ url: `${receiver.url}/down`, eventTypes: ['account.created'] });
    receiver.respond = () => ({ status: 503 });
    await client(t, admin).post('/api/v1/accounts', { name: 'Down Corp' });
    const start = now;
    for (let i = 0; i < 60; i++) {
      await flush();
      const [d] = await deliveries(sub.id);
      if (d.status !== 'pending') break;
      now = new Date(d.nextAttemptAt).getTime();
    }
    const [d] = await deliveries(sub.id);
    expect(d.status).toBe('failed');
    const last = receiver.received.at(-1)?.at ?? 0;
    expect(last).toBeGreaterThan(0);
    // Attempts spread over (almost) a day: 30 s, 1 min … then hourly.
    expect(now - start).toBeGreaterThan(22 * 3600_000);
    expect(now - start).toBeLessThanOrEqual(24 * 3600_000);
    expect(d.attempts).toBe(receiver.received.length);
    expect(d.attempts).toBeGreaterThan(20);
  });

  it('payloads follow the subscription role’s field permissions: hidden fields never leave the server', async () => {
    const role = await client(t, admin).post('/api/v1/roles', {
      key: 'hook_reader',
      name: 'Hook reader',
      permissions: {
        objects: {
          '*': { read: true, scope: 'all' },
          contacts: { fields: { email: 'hidden', phone: 'hidden' } },
          accounts: { read: false },
        },
      },
    });
    expect(role.statusCode, role.body).toBe(201);
    const limited = await subscribe({ url: `${receiver.url}/limited`, eventTypes: ['*'], role: 'hook_reader' });
    expect(limited.role).toBe('hook_reader');
    const full = await subscribe({ url: `${receiver.url}/full`, eventTypes: ['*'] });
    expect(full.role).toBe('administrator'); // the creating administrator's role by default
    const c = await buildContact(client(t, admin), {
      firstName: 'Secret',
      lastName: 'Agent',
      email: 'double-o@ex.com',
      phone: '+442079460000',
    });
    await client(t, admin).patch(`/api/v1/contacts/${c.id}`, { email: 'new@ex.com', title: 'Spy' });
    await client(t, admin).post('/api/v1/accounts', { name: 'Hidden account' });
    await flush();
    const limitedGot = receiver.received.filter((r) => r.path === '/limited');
    const fullGot = receiver.received.filter((r) => r.path === '/full');
    expect(limitedGot.map((r) => r.json.type).sort()).toEqual(['contact.created', 'contact.updated']);
    for (const r of limitedGot) {
      expect(r.body).not.toContain('double-o@ex.com');
      expect(r.body).not.toContain('new@ex.com');
      expect(r.body).not.toContain('+442079460000');
      expect(r.json.data.record).not.toHaveProperty('email');
      expect(r.json.data.record).toHaveProperty('firstName', 'Secret');
    }
    const update = limitedGot.find((r) => r.json.type === 'contact.updated');
    expect(update?.json.data.changes).toEqual({ title: [null, 'Spy'] });
    expect(fullGot.map((r) => r.json.type).sort()).toEqual(['account.created', 'contact.created', 'contact.updated']);
    expect(fullGot.find((r) => r.json.type === 'contact.created')?.json.data.record).toMatchObject({
      email: 'double-o@ex.com',
    });
  });

  it('payloads follow the role’s record scope and row rules: a sales-rep hook gets its creator’s records, no suppliers', async () => {
    const other = await memberWithRole(t, admin.workspaceId, 'sales_rep', 'Other Rep');
    const rep = await subscribe({ url: `${receiver.url}/rep`, eventTypes: ['*'], role: 'sales_rep' });
    const everything = await subscribe({ url: `${receiver.url}/all`, eventTypes: ['*'] });
    const post = async (object: string, body: Record<string, unknown>) => {
      const res = await client(t, admin).post(`/api/v1/${object}`, body);
      expect(res.statusCode, res.body).toBe(201);
      return res.json().data as { id: string };
    };
    const mine = await post('contacts', { firstName: 'Mine', lastName: 'Own', ownerId: admin.userId });
    const theirs = await post('contacts', { firstName: 'Theirs', lastName: 'Other', ownerId: other.userId });
    const customer = await post('accounts', { name: 'Customer Co', type: 'customer', ownerId: admin.userId });
    const supplier = await post('accounts', { name: 'Supplier Co', type: 'supplier', ownerId: admin.userId });
    // A record moved out of scope: its later events stop; one moved in: its later events start.
    expect((await client(t, admin).patch(`/api/v1/contacts/${mine.id}`, { title: 'Still mine' })).statusCode).toBe(200);
    expect((await client(t, admin).del(`/api/v1/contacts/${theirs.id}`)).statusCode).toBe(204);
    await flush();
    const ids = (path: string) => receiver.received.filter((r) => r.path === path).map((r) => r.body);
    const repBodies = ids('/rep').join('\n');
    expect(repBodies).toContain(mine.id);
    expect(repBodies).toContain(customer.id);
    expect(repBodies).not.toContain(theirs.id);
    expect(repBodies).not.toContain(supplier.id);
    expect(repBodies).not.toContain('Supplier Co');
    expect(repBodies).not.toContain('Theirs');
    expect(
      receiver.received
        .filter((r) => r.path === '/rep')
        .map((r) => r.json.type)
        .sort(),
    ).toEqual(['account.created', 'contact.created', 'contact.updated']);
    const allBodies = ids('/all').join('\n');
    for (const id of [mine.id, theirs.id, customer.id, supplier.id]) expect(allBodies).toContain(id);
    expect(receiver.received.filter((r) => r.path === '/all')).toHaveLength(6);
    expect((await deliveries(rep.id)).length).toBe(3);
    expect((await deliveries(everything.id)).length).toBe(6);
  });

  it('the SSRF guard refuses private addresses unless allowed, at creation and again when delivering', async () => {
    for (const url of [
      `${receiver.url}/x`,
      'http://[::1]:9/x',
      'http://169.254.169.254/latest/meta-data',
      'http://localhost:9/x',
    ]) {
      const res = await client(t, admin).post('/api/v1/webhooks', { url, eventTypes: ['*'] });
      expect(res.statusCode, url).toBe(422);
      expect(res.json().errors[0].path).toBe('url');
    }
    const bad = await client(t, admin).post('/api/v1/webhooks', { url: 'ftp://example.com/x', eventTypes: ['*'] });
    expect(bad.statusCode).toBe(422);
    const badType = await client(t, admin).post('/api/v1/webhooks', {
      url: 'https://example.com/x',
      eventTypes: ['Contact!'],
    });
    expect(badType.statusCode).toBe(422);
    expect(JSON.stringify(badType.json().errors)).toContain('eventTypes');

    // This machine's own name resolves to a private or loopback address.
    const host = `http://${os.hostname()}:${receiver.port}/via-name`;
    const byName = await client(t, admin).post('/api/v1/webhooks', { url: host, eventTypes: ['*'] });
    expect(byName.statusCode, byName.body).toBe(422);
    // Created with the override, then the override withdrawn behind the API's back (as if DNS changed):
    // the connection-time check refuses it, and nothing reaches the receiver.
    const sub = await subscribe({ url: host, eventTypes: ['account.created'] });
    await sql`update webhook_subscriptions set allow_private_network = false where id = ${sub.id}`.execute(
      t.database.db,
    );
    await client(t, admin).post('/api/v1/accounts', { name: 'Rebinding' });
    await flush();
    const [d] = await deliveries(sub.id);
    expect(d.status).toBe('pending');
    expect(d.lastError).toMatch(/resolves to/);
    expect(receiver.received).toHaveLength(0);
    // And a literal private address that slipped in is refused before any connection.
    await sql`update webhook_subscriptions set url = ${`${receiver.url}/literal`} where id = ${sub.id}`.execute(
      t.database.db,
    );
    advance(3600);
    expect((await flush()).failed).toBe(1);
    expect(receiver.received).toHaveLength(0);
  });

  it('ping, rotate, deactivate, delete; administrators only', async () => {
    const sub = await subscribe({ url: `${receiver.url}/ping`, eventTypes: ['contact.created'] });
    const ping = await client(t, admin).post(`/api/v1/webhooks/${sub.id}/ping`);
    expect(ping.statusCode).toBe(202);
    await flush();
    expect(receiver.received[0]?.json).toMatchObject({ type: 'webhook.ping', data: { webhookId: sub.id } });
    const rotated = (await client(t, admin).post(`/api/v1/webhooks/${sub.id}/rotate-secret`)).json().data;
    expect(rotated.secret).not.toBe(sub.secret);
    await client(t, admin).post(`/api/v1/webhooks/${sub.id}/ping`);
    await flush();
    const second = receiver.received[1];
    if (!second) throw new Error('second ping missing');
    const sig = String(second.headers['rapport-signature']);
    expect(verifySignature(rotated.secret, second.body, sig, Math.floor(now / 1000))).toBe(true);
    expect(verifySignature(sub.secret, second.body, sig, Math.floor(now / 1000))).toBe(false);

    const off = await client(t, admin).patch(`/api/v1/webhooks/${sub.id}`, { active: false });
    expect(off.json().data.active).toBe(false);
    await client(t, admin).post('/api/v1/contacts', { firstName: 'Nobody', lastName: 'Listens' });
    await flush();
    expect(receiver.received).toHaveLength(2);

    const key = await createApiKeyVia(t.app, admin.cookie, { name: 'rep', role: 'sales_rep' });
    const rep = await t.app.inject({ url: '/api/v1/webhooks', headers: { authorization: `Bearer ${key}` } });
    expect(rep.statusCode).toBe(403);
    const list = (await client(t, admin).get('/api/v1/webhooks')).json().data;
    expect(JSON.stringify(list)).not.toMatch(/whsec_[A-Za-z0-9_-]{43}/);
    expect((await client(t, admin).del(`/api/v1/webhooks/${sub.id}`)).statusCode).toBe(204);
    expect((await client(t, admin).get(`/api/v1/webhooks/${sub.id}`)).statusCode).toBe(404);
    const other = await signUp(t.app);
    const foreign = await t.app.inject({ url: `/api/v1/webhooks/${sub.id}`, headers: { cookie: other.cookie } });
    expect(foreign.statusCode).toBe(404);
  });
});
