import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKeyVia, createTestApp, type SignedUp, signUp, type TestApp } from '../../../test/helpers/app';
import { memberWithRole } from '../../../test/helpers/members';
import { startWebhookReceiver, type WebhookReceiver } from '../../../test/helpers/webhook-receiver';
import { SecretBox } from '../crypto/secret-box';
import { verifySignature } from './signing';
import { openWebhookSecret, resealWebhookSecrets } from './webhook-secrets';

describe('outbound webhooks', () => {
  let t: TestApp;
  let admin: SignedUp;
  let receiver: WebhookReceiver;
  let now = new Date('2026-12-01T09:00:00Z').getTime();
  const clock = () => new Date(now);
  const advance = (seconds: number) => {
    now += seconds * 1000;
  };

  const api = (method: string, url: string, payload?: unknown) =>
    t.app.inject({ method: method as 'GET', url, headers: { cookie: admin.cookie }, payload: payload as object });

  async function subscribe(body: Record<string, unknown>) {
    const res = await api('POST', '/api/v1/webhooks', body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json().data as { id: string; secret: string; role: string };
  }

  /** Commits → fan-out → deliveries due now. */
  async function flush() {
    await t.events.drain();
    return t.jobs.runDue({ queues: ['webhooks.deliver'] });
  }

  const deliveries = async (subId: string) => (await api('GET', `/api/v1/webhooks/${subId}/deliveries`)).json().data;

  beforeAll(async () => {
    // The receiver is on loopback: this instance's operator allows private networks.
    t = await createTestApp({ webhooksAllowPrivate: true }, { clock });
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
    const shown = await api('GET', `/api/v1/webhooks/${sub.id}`);
    expect(shown.body).not.toContain(sub.secret);
    expect(shown.json().data.secretHint).toBe(`whsec_…${sub.secret.slice(-4)}`);

    const created = await api('POST', '/api/v1/contacts', {
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
    const detail = (await api('GET', `/api/v1/webhooks/${sub.id}/deliveries/${log[0].id}`)).json().data;
    expect(detail.body).toBe(got.body);
    // The receiver is a private (loopback) address: status and timing, never its answer.
    expect(detail.attemptLog).toEqual([
      expect.objectContaining({ statusCode: 200, responseBody: null, durationMs: expect.any(Number) }),
    ]);

    // Nothing more goes out for the same event.
    expect((await flush()).completed).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  it('matches wildcards: contact.* gets contact events only, * gets everything', async () => {
    const contacts = await subscribe({ url: `${receiver.url}/contacts`, eventTypes: ['contact.*'] });
    const all = await subscribe({ url: `${receiver.url}/all`, eventTypes: ['*'] });
    const c = (await api('POST', '/api/v1/contacts', { firstName: 'Grace', lastName: 'Hopper' })).json().data;
    await api('PATCH', `/api/v1/contacts/${c.id}`, { title: 'Rear Admiral' });
    await api('POST', '/api/v1/accounts', { name: 'Navy' });
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
    await api('POST', '/api/v1/accounts', { name: 'Flaky Ltd' });
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
    const detail = (await api('GET', `/api/v1/webhooks/${sub.id}/deliveries/${d.id}`)).json().data;
    expect(detail.attemptLog.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 204]);
    expect(detail.attemptLog[0].responseBody).toBeNull();
    expect(JSON.stringify(detail)).not.toContain('database on fire');

    const replay = await api('POST', `/api/v1/webhooks/${sub.id}/deliveries/${d.id}/replay`);
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
    await api('POST', '/api/v1/accounts', { name: 'Picky plc' });
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
    await api('POST', '/api/v1/accounts', { name: 'Down Corp' });
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
    const role = await api('POST', '/api/v1/roles', {
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
    const c = (
      await api('POST', '/api/v1/contacts', {
        firstName: 'Secret',
        lastName: 'Agent',
        email: 'double-o@ex.com',
        phone: '+442079460000',
      })
    ).json().data;
    await api('PATCH', `/api/v1/contacts/${c.id}`, { email: 'new@ex.com', title: 'Spy' });
    await api('POST', '/api/v1/accounts', { name: 'Hidden account' });
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
      const res = await api('POST', `/api/v1/${object}`, body);
      expect(res.statusCode, res.body).toBe(201);
      return res.json().data as { id: string };
    };
    const mine = await post('contacts', { firstName: 'Mine', lastName: 'Own', ownerId: admin.userId });
    const theirs = await post('contacts', { firstName: 'Theirs', lastName: 'Other', ownerId: other.userId });
    const customer = await post('accounts', { name: 'Customer Co', type: 'customer', ownerId: admin.userId });
    const supplier = await post('accounts', { name: 'Supplier Co', type: 'supplier', ownerId: admin.userId });
    // A record moved out of scope: its later events stop; one moved in: its later events start.
    expect((await api('PATCH', `/api/v1/contacts/${mine.id}`, { title: 'Still mine' })).statusCode).toBe(200);
    expect((await api('DELETE', `/api/v1/contacts/${theirs.id}`)).statusCode).toBe(204);
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

  it('a subscription stops when its creator is no longer an administrator (demoted or removed) until another takes it over', async () => {
    const second = await memberWithRole(t, admin.workspaceId, 'administrator', 'Second Admin');
    const asSecond = (method: string, url: string, payload?: unknown) =>
      t.app.inject({ method: method as 'GET', url, headers: { cookie: second.cookie }, payload: payload as object });
    const made = await asSecond('POST', '/api/v1/webhooks', {
      url: `${receiver.url}/second`,
      eventTypes: ['account.*'],
    });
    expect(made.statusCode, made.body).toBe(201);
    const sub = made.json().data as { id: string; role: string };
    expect(sub.role).toBe('administrator');
    const got = () => receiver.received.filter((r) => r.path === '/second').map((r) => r.json.data.record);
    const account = async (name: string) => {
      expect((await api('POST', '/api/v1/accounts', { name })).statusCode).toBe(201);
      await flush();
    };
    await account('While admin');
    expect(got().map((r) => (r as { name: string }).name)).toEqual(['While admin']);

    // Demoted: their administrator subscription no longer carries every record to their URL.
    expect((await api('PATCH', `/api/v1/members/${second.userId}`, { role: 'sales_rep' })).statusCode).toBe(200);
    await account('After demotion');
    // Removed from the workspace: nothing either.
    expect((await api('DELETE', `/api/v1/members/${second.userId}`)).statusCode).toBe(204);
    await account('After removal');
    expect(got()).toHaveLength(1);

    // An administrator who changes it vouches for it from now on.
    expect((await api('PATCH', `/api/v1/webhooks/${sub.id}`, { description: 'kept' })).statusCode).toBe(200);
    await account('Taken over');
    expect(got().map((r) => (r as { name: string }).name)).toEqual(['While admin', 'Taken over']);
  });

  it('ping, rotate, deactivate, delete; administrators only', async () => {
    const sub = await subscribe({ url: `${receiver.url}/ping`, eventTypes: ['contact.created'] });
    const ping = await api('POST', `/api/v1/webhooks/${sub.id}/ping`);
    expect(ping.statusCode).toBe(202);
    await flush();
    expect(receiver.received[0]?.json).toMatchObject({ type: 'webhook.ping', data: { webhookId: sub.id } });
    const rotated = (await api('POST', `/api/v1/webhooks/${sub.id}/rotate-secret`)).json().data;
    expect(rotated.secret).not.toBe(sub.secret);
    await api('POST', `/api/v1/webhooks/${sub.id}/ping`);
    await flush();
    const second = receiver.received[1];
    if (!second) throw new Error('second ping missing');
    const sig = String(second.headers['rapport-signature']);
    expect(verifySignature(rotated.secret, second.body, sig, Math.floor(now / 1000))).toBe(true);
    expect(verifySignature(sub.secret, second.body, sig, Math.floor(now / 1000))).toBe(false);

    const off = await api('PATCH', `/api/v1/webhooks/${sub.id}`, { active: false });
    expect(off.json().data.active).toBe(false);
    await api('POST', '/api/v1/contacts', { firstName: 'Nobody', lastName: 'Listens' });
    await flush();
    expect(receiver.received).toHaveLength(2);

    const key = await createApiKeyVia(t.app, admin.cookie, { name: 'rep', role: 'sales_rep' });
    const rep = await t.app.inject({ url: '/api/v1/webhooks', headers: { authorization: `Bearer ${key}` } });
    expect(rep.statusCode).toBe(403);
    const list = (await api('GET', '/api/v1/webhooks')).json().data;
    expect(JSON.stringify(list)).not.toMatch(/whsec_[A-Za-z0-9_-]{43}/);
    expect((await api('DELETE', `/api/v1/webhooks/${sub.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/api/v1/webhooks/${sub.id}`)).statusCode).toBe(404);
    const other = await signUp(t.app);
    const foreign = await t.app.inject({ url: `/api/v1/webhooks/${sub.id}`, headers: { cookie: other.cookie } });
    expect(foreign.statusCode).toBe(404);
  });

  it('keeps signing secrets sealed at rest; a plain one from before 0014 signs as before and is sealed at start-up', async () => {
    const stored = async (id: string) =>
      (
        await sql<{ secret: string; secret_hint: string }>`select secret, secret_hint from webhook_subscriptions
          where id = ${id}`.execute(t.database.db)
      ).rows[0];
    const lastSignature = () => String(receiver.received.at(-1)?.headers['rapport-signature']);
    const ping = async (id: string) => {
      expect((await api('POST', `/api/v1/webhooks/${id}/ping`)).statusCode).toBe(202);
      await flush();
      const got = receiver.received.at(-1);
      if (!got) throw new Error('no ping received');
      return got;
    };

    const sub = await subscribe({ url: `${receiver.url}/sealed`, eventTypes: ['contact.created'] });
    const row = await stored(sub.id);
    expect(row?.secret).toMatch(/^v1:[0-9a-f]{8}:[A-Za-z0-9_-]+$/);
    expect(row?.secret).not.toContain(sub.secret.slice(6));
    expect(row?.secret_hint).toBe(sub.secret.slice(-4));
    let got = await ping(sub.id);
    expect(verifySignature(sub.secret, got.body, lastSignature(), Math.floor(now / 1000))).toBe(true);

    // A row as migration 0014 leaves it: the secret still plain.
    const legacy = 'whsec_legacyLegacyLegacyLegacyLegacyLegacy123';
    await sql`update webhook_subscriptions set secret = ${legacy} where id = ${sub.id}`.execute(t.database.db);
    got = await ping(sub.id);
    expect(verifySignature(legacy, got.body, lastSignature(), Math.floor(now / 1000))).toBe(true);
    expect(await resealWebhookSecrets(t.database.db, t.secrets)).toBe(1);
    expect((await stored(sub.id))?.secret).toMatch(/^v1:/);
    expect(await resealWebhookSecrets(t.database.db, t.secrets)).toBe(0);
    got = await ping(sub.id);
    expect(verifySignature(legacy, got.body, lastSignature(), Math.floor(now / 1000))).toBe(true);

    // A sealed secret copied onto another subscription (someone with write access to the table) opens nowhere else.
    const victim = await subscribe({ url: `${receiver.url}/victim`, eventTypes: ['contact.created'] });
    await sql`update webhook_subscriptions set secret = (select secret from webhook_subscriptions where id = ${sub.id})
      where id = ${victim.id}`.execute(t.database.db);
    const before = receiver.received.length;
    expect((await api('POST', `/api/v1/webhooks/${victim.id}/ping`)).statusCode).toBe(202);
    await flush();
    expect(receiver.received).toHaveLength(before);
    const [failed] = await deliveries(victim.id);
    expect(failed).toMatchObject({ status: 'failed', lastError: 'the signing secret cannot be read; rotate it' });

    // An unreadable row does not stop start-up; it stays as it is.
    await api('DELETE', `/api/v1/webhooks/${victim.id}`);

    // After a key rotation (the old key in RAPPORT_ENCRYPTION_KEY_PREVIOUS), start-up reseals under the new key.
    const { rows: keys } = await sql<{ value: string }>`select value from instance_settings
      where key = 'encryption_key'`.execute(t.database.db);
    const rotated = new SecretBox('n'.repeat(40), [keys[0]?.value as string]);
    const { rows: all } = await sql`select id from webhook_subscriptions`.execute(t.database.db);
    expect(await resealWebhookSecrets(t.database.db, rotated)).toBe(all.length);
    const resealed = (await stored(sub.id))?.secret as string;
    expect(rotated.isCurrent(resealed)).toBe(true);
    expect(openWebhookSecret(rotated, admin.workspaceId, sub.id, resealed)).toBe(legacy);
  });
});
