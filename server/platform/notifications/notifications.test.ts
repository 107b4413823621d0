import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApiKeyVia } from '../../../test/helpers/app';
import { buildAccount } from '../../../test/helpers/factories';
import { workflowTestbed } from '../../../test/helpers/workflow-testbed';
import { CREDENTIALS_ENDED } from './notification-hub';
import { NotificationMailer } from './notification-mailer';
import { notify } from './notify';

type Bed = Awaited<ReturnType<typeof workflowTestbed>>;

/** Collects a socket's JSON messages; `next(type)` waits for the next one of a type. */
function messages(socket: WebSocket) {
  const got: Record<string, unknown>[] = [];
  socket.on('message', (d) => got.push(JSON.parse(String(d))));
  return {
    got,
    async next(type: string, ms = 30_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const i = got.findIndex((m) => m.type === type);
        if (i >= 0) return got.splice(i, 1)[0] as Record<string, unknown>;
        if (Date.now() > deadline) throw new Error(`no "${type}" message within ${ms} ms (got ${JSON.stringify(got)})`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

describe('notifications: list, unread count, read state, preferences, real time, email', () => {
  let b: Bed;
  let other: Awaited<ReturnType<Bed['member']>>;
  const send = (userId: string, kind: string, title: string, dedupeKey?: string) =>
    b.t.database.tenant(b.admin.workspaceId, (tx) =>
      notify(tx, { workspaceId: b.admin.workspaceId, userId, kind, title, body: `${title} body`, dedupeKey }),
    );

  beforeAll(async () => {
    b = await workflowTestbed('Notify Co');
    other = await b.member('sales_rep');
  });
  afterAll(() => b.t.stop());

  it('lists only my notifications, newest first, with the unread count; marks read and unread', async () => {
    const a = await send(b.admin.userId, 'mention', 'Bea mentioned you');
    const c = await send(b.admin.userId, 'assignment', 'Acme is yours now');
    await send(other.userId, 'mention', 'For someone else');
    expect(await send(b.admin.userId, 'reminder', 'Call Acme', 'task:1')).not.toBeNull();
    expect(await send(b.admin.userId, 'reminder', 'Call Acme', 'task:1')).toBeNull(); // once per dedupe key

    const list = (await b.adminApi.get('/api/v1/notifications')).json();
    expect(list.data.map((n: { title: string }) => n.title)).toEqual([
      'Call Acme',
      'Acme is yours now',
      'Bea mentioned you',
    ]);
    expect(list.unreadCount).toBe(3);
    expect(
      (await b.as(other.cookie).get('/api/v1/notifications')).json().data.map((n: { title: string }) => n.title),
    ).toEqual(['For someone else']);

    const read = await b.adminApi.post('/api/v1/notifications/read', { ids: [a, c] });
    expect(read.json().data.unreadCount).toBe(1);
    // Someone else's ids change nothing of theirs.
    await b.as(other.cookie).post('/api/v1/notifications/read', { ids: [a] });
    expect((await b.adminApi.get('/api/v1/notifications?unread=true')).json().data).toHaveLength(1);
    expect((await b.adminApi.post(`/api/v1/notifications/${a}/unread`)).json().data.unreadCount).toBe(2);
    expect((await b.adminApi.post('/api/v1/notifications/read', { all: true })).json().data.unreadCount).toBe(0);
    expect((await b.as(other.cookie).get('/api/v1/notifications')).json().unreadCount).toBe(1);
    expect((await b.adminApi.post('/api/v1/notifications/read', { ids: ['nope'] })).statusCode).toBe(422);
  });

  it('keeps per-kind preferences; a kind turned off in the app is not listed or counted', async () => {
    const prefs = (await b.as(other.cookie).get('/api/v1/notifications/preferences')).json().data;
    expect(prefs.find((p: { kind: string }) => p.kind === 'workflow')).toMatchObject({ inApp: true, email: false });
    const refused = await b
      .as(other.cookie)
      .put('/api/v1/notifications/preferences', [{ kind: 'nonsense', email: true }]);
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors[0].path).toBe('0.kind');
    const changed = await b
      .as(other.cookie)
      .put('/api/v1/notifications/preferences', [{ kind: 'workflow', inApp: false }]);
    expect(changed.json().data.find((p: { kind: string }) => p.kind === 'workflow')).toMatchObject({
      inApp: false,
      email: false,
    });
    await send(other.userId, 'workflow', 'Hidden by preference');
    const list = (await b.as(other.cookie).get('/api/v1/notifications')).json();
    expect(list.data.map((n: { title: string }) => n.title)).not.toContain('Hidden by preference');
    expect(list.unreadCount).toBe(1);
  });

  /** A real WebSocket client to the listening app; resolves once open, rejects when refused. */
  const connect = (headers: Record<string, string>) =>
    new Promise<{ socket: WebSocket; m: ReturnType<typeof messages> }>((resolve, reject) => {
      const s = new WebSocket(`${base.replace('http', 'ws')}/api/v1/notifications/stream`, { headers });
      const m = messages(s);
      s.once('open', () => resolve({ socket: s, m }));
      s.once('unexpected-response', (req, res) => {
        req.destroy(); // else the refused connection stays open and the server cannot close
        reject(new Error(`refused with ${res.statusCode}`));
      });
      s.once('close', (code) => reject(new Error(`closed with ${code}`)));
      s.once('error', reject);
    });
  let base = '';

  it('pushes new notifications over the WebSocket with the new unread count, only to their user', async () => {
    base = await b.t.app.listen({ host: '127.0.0.1', port: 0 });
    const { socket: mine, m } = await connect({ cookie: b.admin.cookie });
    const { socket: theirs, m: o } = await connect({ cookie: other.cookie });
    try {
      expect(await m.next('hello')).toMatchObject({ unreadCount: 0 });
      await o.next('hello');
      const id = await send(b.admin.userId, 'mention', 'Live one');
      const pushed = await m.next('notification');
      expect(pushed).toMatchObject({ unreadCount: 1, notification: { id, title: 'Live one', kind: 'mention' } });
      await new Promise((r) => setTimeout(r, 1500));
      expect(o.got.filter((x) => x.type === 'notification')).toHaveLength(0);
    } finally {
      mine.terminate();
      theirs.terminate();
    }
    await expect(connect({})).rejects.toThrow('refused with 401');
    await expect(connect({ cookie: b.admin.cookie, origin: 'https://evil.example' })).rejects.toThrow(
      'refused with 403',
    );
    // The app opened at 127.0.0.1 (not the configured base URL, localhost): its own page, accepted;
    // a page of another port on the same machine is another origin.
    const local = await connect({ cookie: b.admin.cookie, origin: base });
    expect(await local.m.next('hello')).toMatchObject({ type: 'hello' });
    local.socket.terminate();
    await expect(connect({ cookie: b.admin.cookie, origin: 'http://127.0.0.1:1' })).rejects.toThrow('refused with 403');
  });

  it('ends a socket whose session or API key ended after it connected; nothing more is pushed to it', async () => {
    const quitter = await b.member('sales_rep');
    const { socket: s1, m: m1 } = await connect({ cookie: quitter.cookie });
    await m1.next('hello');
    const closed1 = new Promise<number>((r) => s1.once('close', (code) => r(code)));
    const out = await b.t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/sign-out',
      headers: { cookie: quitter.cookie },
    });
    expect(out.statusCode).toBe(204);
    await send(quitter.userId, 'mention', 'After sign-out');
    expect(await closed1).toBe(CREDENTIALS_ENDED);
    expect(m1.got.filter((x) => x.type === 'notification')).toHaveLength(0);

    const key = await createApiKeyVia(b.t.app, b.admin.cookie, { name: 'stream key' });
    const keys = (await b.adminApi.get('/api/v1/api-keys')).json().data as { id: string; name: string }[];
    const { socket: s2, m: m2 } = await connect({ authorization: `Bearer ${key}` });
    await m2.next('hello');
    const closed2 = new Promise<number>((r) => s2.once('close', (code) => r(code)));
    const keyId = keys.find((k) => k.name === 'stream key')?.id;
    expect((await b.adminApi.del(`/api/v1/api-keys/${keyId}`)).statusCode).toBe(200);
    await send(b.admin.userId, 'mention', 'After revocation');
    expect(await closed2).toBe(CREDENTIALS_ENDED);
    expect(m2.got.filter((x) => x.type === 'notification')).toHaveLength(0);
  });

  it('notifies a person when a record is assigned to them by someone else, once per change', async () => {
    const before = (await b.as(other.cookie).get('/api/v1/notifications')).json().data.length;
    const acc = await buildAccount(b.adminApi, { name: 'Handed Over Ltd', ownerId: other.userId });
    await b.adminApi.post('/api/v1/accounts', { name: 'Kept By Me' }); // own record: no notification
    await b.t.events.drain();
    const list = (await b.as(other.cookie).get('/api/v1/notifications')).json().data;
    expect(list.length - before).toBe(1);
    expect(list[0]).toMatchObject({
      kind: 'assignment',
      title: 'Account assigned to you: Handed Over Ltd',
      recordId: acc.id,
    });
    // Handing it back to the admin by the admin: nobody else to tell.
    await b.adminApi.patch(`/api/v1/accounts/${acc.id}`, { ownerId: b.admin.userId });
    await b.t.events.drain();
    expect(
      (await b.adminApi.get('/api/v1/notifications'))
        .json()
        .data.some((n: { title: string }) => n.title.includes('Handed Over')),
    ).toBe(false);
  });

  it('emails each notification once when the user wants that kind by email', async () => {
    const mailer = new NotificationMailer({
      database: b.t.database,
      log: pino({ level: 'silent' }),
      baseUrl: 'http://localhost:3000',
    });
    await mailer.runOnce(); // earlier notifications
    const before = (await b.outbox()).length;
    await send(b.admin.userId, 'mention', 'Mention by email'); // mentions: email by default
    await send(b.admin.userId, 'workflow', 'Workflow, app only'); // workflow: not by default
    await b.adminApi.put('/api/v1/notifications/preferences', [{ kind: 'assignment', email: false }]);
    await send(b.admin.userId, 'assignment', 'Assignment, opted out');
    expect(await mailer.runOnce()).toBe(1);
    expect(await mailer.runOnce()).toBe(0);
    const mails = (await b.outbox()).slice(before);
    expect(mails.map((m) => [m.to_address, m.subject])).toEqual([[b.admin.email, 'Mention by email']]);
    expect(mails[0]?.text_body).toContain('Mention by email body');
    const { rows } = await sql<{ title: string; email_state: string; emailed_at: Date | null }>`
      select title, email_state, emailed_at from notifications where user_id = ${b.admin.userId} order by created_at desc limit 3`.execute(
      b.t.database.db,
    );
    expect(Object.fromEntries(rows.map((r) => [r.title, [r.email_state, r.emailed_at !== null]]))).toEqual({
      'Mention by email': ['sent', true],
      'Workflow, app only': ['skipped', false],
      'Assignment, opted out': ['skipped', false],
    });
  });
});
