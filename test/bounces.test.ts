import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMail } from '../server/platform/mail/outbox';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { client, type HttpClient } from './helpers/http';
import { sendRawMail } from './helpers/inbound-smtp';
import { type ReportFixture, reportFixture } from './helpers/mail-reports';
import { memberWithRole } from './helpers/members';

/** A real SMTP server that keeps each delivery's envelope (the VERP return path is in MAIL FROM). */
async function envelopeSink() {
  const got: { from: string; to: string[]; raw: string }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        got.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, got, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('bounces, complaints and the suppression list (through the real SMTP receiver)', () => {
  let t: TestApp;
  let owner: SignedUp;
  let api: HttpClient;
  let sink: Awaited<ReturnType<typeof envelopeSink>>;
  let port: number;
  let templateId: string;
  let n = 0;

  /** A contact, a template mail to it through the API, delivered to the sink: what a bounce is about. */
  async function mailedContact() {
    n++;
    // Mail of earlier steps (another sign-up's verification) out of the way first.
    while ((await t.mail.runOnce()) > 0) {}
    const email = `Kim.${n}.${Date.now()}@Customer.example`;
    const contact = await api.create('/api/v1/contacts', { firstName: 'Kim', lastName: `Park ${n}`, email });
    const sent = await api.post(`/api/v1/mail/templates/${templateId}/send`, { contactId: contact.id });
    expect(sent.statusCode).toBe(202);
    const mailId = sent.json().data.mailId as string;
    const before = sink.got.length;
    expect(await t.mail.runOnce()).toBe(1);
    const delivered = sink.got[before];
    const { rows } = await sql<{ verp_token: string }>`
      select verp_token from mail_outbox where id = ${mailId}::uuid`.execute(t.database.db);
    const verp = `bounces+${rows[0]?.verp_token}@inbound.test`;
    return { contact, email, mailId, verp, delivered, messageId: `${mailId}@rapport` };
  }

  /** Delivers a report fixture about `m` over SMTP (null sender, as bounces are) and handles it. */
  async function report(
    name: ReportFixture,
    m: { email: string; verp: string; messageId: string },
    to: string = m.verp,
  ) {
    const sent = await sendRawMail(port, {
      from: '',
      to: [to],
      raw: reportFixture(name, { to: m.email, verp: m.verp, messageId: m.messageId }),
    });
    expect(sent.rcptTo[0]?.code).toBe(250);
    expect(sent.message?.code).toBe(250);
    return t.inbound.processor.runOnce();
  }

  const suppression = async (email: string) => {
    const res = await api.get(`/api/v1/mail/suppressions/${encodeURIComponent(email)}`);
    return res.statusCode === 200 ? res.json().data : null;
  };
  const eventsOf = async (type: string, outboxId: string) =>
    (
      await sql<{ object: string | null; record_id: string | null; data: Record<string, unknown> }>`
        select object, record_id, data from events where workspace_id = ${owner.workspaceId}::uuid and type = ${type}
          and data->>'outboxId' = ${outboxId} order by id`.execute(t.database.db)
    ).rows;

  beforeAll(async () => {
    sink = await envelopeSink();
    t = await createTestApp({ smtpUrl: sink.url, smtpInboundPort: 0, mailDomain: 'inbound.test' });
    owner = await signUp(t.app, { workspaceName: 'Bounce Co' });
    api = client(t, owner);
    await t.inbound.receiver?.start();
    port = t.inbound.receiver?.port ?? 0;
    templateId = (
      await api.create('/api/v1/mail/templates', {
        name: 'Newsletter',
        subject: 'Our spring newsletter',
        html: '<p>Hello {{ contact.firstName }}</p>',
        text: 'Hello {{ contact.firstName }}',
      })
    ).id;
    // The sign-up's own mails (verification) out of the way.
    while ((await t.mail.runOnce()) > 0) {}
  });
  afterAll(async () => {
    await t?.stop();
    await sink?.close();
  });

  it('sends each mail with a VERP return path naming it (bounces+<token>@<mail domain>)', async () => {
    const m = await mailedContact();
    expect(m.delivered?.from).toBe(m.verp);
    expect(m.verp).toMatch(/^bounces\+[0-9a-f]{32}@inbound\.test$/);
    expect(m.delivered?.to).toEqual([m.email.toLowerCase()]);
    expect(m.delivered?.raw).toContain(`Message-ID: <${m.messageId}>`);
    // The From header stays the configured sender.
    expect(m.delivered?.raw).not.toMatch(/^From:.*bounces\+/m);
  });

  for (const fixture of ['postfix-hard-bounce', 'gmail-hard-bounce', 'rfc3464-multi-recipient'] as const) {
    it(`${fixture}: a hard bounce suppresses the address at once, emits mail.bounced on the contact's timeline`, async () => {
      const m = await mailedContact();
      expect(await report(fixture, m)).toEqual(['processed']);
      const s = await suppression(m.email);
      expect(s).toMatchObject({ address: m.email.toLowerCase(), reason: 'hard_bounce', outboxId: m.mailId });
      expect(s.source).toMatch(/^5\.[01]\.[01] /);
      const events = await eventsOf('mail.bounced', m.mailId);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        object: 'contacts',
        record_id: m.contact.id,
        data: { outboxId: m.mailId, email: m.email.toLowerCase(), kind: 'hard', suppressed: true },
      });
      expect(String(events[0]?.data.status)).toMatch(/^5\./);
      const timeline = await api.get(`/api/v1/contacts/${m.contact.id}/timeline?kinds=event`);
      expect(timeline.statusCode).toBe(200);
      const bounced = timeline.json().data.find((i: { type?: string }) => i.type === 'mail.bounced');
      expect(bounced).toMatchObject({ object: 'contacts', recordId: m.contact.id, data: { kind: 'hard' } });
      // The bounce mailbox was made on the first bounce, and the report stored there.
      const boxes = (await api.get('/api/v1/service/mailboxes')).json().data;
      expect(boxes.some((b: { kind: string; address: string }) => b.kind === 'bounces')).toBe(true);
    });
  }

  it('does not send to a suppressed address: template sends are refused, queued mail is settled as suppressed', async () => {
    const m = await mailedContact();
    await report('postfix-hard-bounce', m);
    const again = await api.post(`/api/v1/mail/templates/${templateId}/send`, { contactId: m.contact.id });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toContain('suppression list (hard_bounce)');
    // Another module's mail, queued without the check: the dispatcher does not send it.
    const queued = await t.database.tenant(owner.workspaceId, (tx) =>
      enqueueMail(tx, owner.workspaceId, { to: `Kim Park <${m.email.toUpperCase()}>`, subject: 'Hi', text: 'x' }),
    );
    const before = sink.got.length;
    expect(await t.mail.runOnce()).toBe(0);
    expect(sink.got.length).toBe(before);
    const mail = (await api.get(`/api/v1/mail/outbox/${queued}`)).json().data;
    expect(mail).toMatchObject({ status: 'suppressed' });
    expect(mail.lastError).toContain('hard_bounce');
    const listed = (await api.get('/api/v1/mail/outbox?status=suppressed')).json();
    expect(listed.data.map((x: { id: string }) => x.id)).toContain(queued);
    expect(listed.counts.suppressed).toBeGreaterThanOrEqual(1);

    // Lifted by an administrator: mail goes out again.
    expect((await api.del(`/api/v1/mail/suppressions/${encodeURIComponent(m.email)}`)).statusCode).toBe(204);
    expect((await api.post(`/api/v1/mail/templates/${templateId}/send`, { contactId: m.contact.id })).statusCode).toBe(
      202,
    );
    expect(await t.mail.runOnce()).toBe(1);
    expect(sink.got.at(-1)?.to).toEqual([m.email.toLowerCase()]);
    // The mail held back while suppressed can be sent again now.
    expect((await api.post(`/api/v1/mail/outbox/${queued}/retry`)).json().data.status).toBe('queued');
    expect(await t.mail.runOnce()).toBe(1);
    expect((await api.get(`/api/v1/mail/outbox/${queued}`)).json().data.status).toBe('sent');
  });

  it('a complaint (ARF) suppresses at once and emits mail.complained; a redacted report too', async () => {
    for (const fixture of ['arf-abuse', 'arf-redacted'] as const) {
      const m = await mailedContact();
      expect(await report(fixture, m)).toEqual(['processed']);
      expect(await suppression(m.email)).toMatchObject({ reason: 'complaint', outboxId: m.mailId, source: 'abuse' });
      expect(await eventsOf('mail.complained', m.mailId)).toMatchObject([
        {
          object: 'contacts',
          record_id: m.contact.id,
          data: { outboxId: m.mailId, email: m.email.toLowerCase(), feedbackType: 'abuse' },
        },
      ]);
      expect(await eventsOf('mail.bounced', m.mailId)).toEqual([]);
    }
  });

  it('soft bounces suppress after N within the window (N configurable), each report counted once', async () => {
    const settings = await api.patch('/api/v1/mail/bounce-settings', { softBounceLimit: 2 });
    expect(settings.json().data).toEqual({ softBounceLimit: 2, softBounceWindowDays: 30 });
    try {
      const m = await mailedContact();
      const dsnId = `same-${Date.now()}@mx.test`;
      const once = reportFixture('exim-delayed', { to: m.email, verp: m.verp, messageId: m.messageId, dsnId });
      // The same report delivered twice is stored once (its Message-ID) and counted once.
      await sendRawMail(port, { from: '', to: [m.verp], raw: once });
      await sendRawMail(port, { from: '', to: [m.verp], raw: once });
      expect(await t.inbound.processor.runOnce()).toEqual(['processed']);
      expect(await suppression(m.email)).toBeNull();
      const events = await eventsOf('mail.bounced', m.mailId);
      expect(events).toMatchObject([{ data: { kind: 'soft', status: '4.0.0', suppressed: false } }]);
      expect(String(events[0]?.data.diagnostic)).toBe('');
      expect(await report('exim-delayed', m)).toEqual(['processed']);
      expect(await suppression(m.email)).toMatchObject({ reason: 'soft_bounce_limit' });
    } finally {
      await api.patch('/api/v1/mail/bounce-settings', { softBounceLimit: 3 });
    }
    const bad = await api.patch('/api/v1/mail/bounce-settings', { softBounceLimit: 0 });
    expect(bad.statusCode).toBe(422);
    expect(JSON.stringify(bad.json().errors)).toContain('softBounceLimit');
  });

  it('matches by the original Message-ID when the report reaches the bounce address without VERP', async () => {
    const m = await mailedContact();
    const bounceAddress = `bounces-${owner.workspaceId.slice(-12)}@inbound.test`;
    // Exim's headers-only return has no Return-Path: only the Message-ID ties it to our mail.
    expect(await report('exim-delayed', m, bounceAddress)).toEqual(['processed']);
    expect(await eventsOf('mail.bounced', m.mailId)).toMatchObject([{ data: { kind: 'soft' } }]);
  });

  it('a report about mail we never sent changes nothing; an unknown VERP token is refused at RCPT', async () => {
    const bounceAddress = `bounces-${owner.workspaceId.slice(-12)}@inbound.test`;
    const stranger = { email: 'ceo@victim.example', verp: bounceAddress, messageId: 'not-ours@elsewhere.example' };
    expect(await report('postfix-hard-bounce', stranger, bounceAddress)).toEqual(['processed']);
    expect(await suppression('ceo@victim.example')).toBeNull();
    const unknown = await sendRawMail(port, {
      from: '',
      to: [`bounces+${'0'.repeat(32)}@inbound.test`],
      raw: reportFixture('postfix-hard-bounce', { to: stranger.email, verp: 'x@y', messageId: stranger.messageId }),
    });
    expect(unknown.rcptTo[0]?.code).toBe(550);
    // Nothing was suppressed in any other workspace either.
    const other = await signUp(t.app, { workspaceName: 'Other Co' });
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from mail_suppressions where workspace_id = ${other.workspaceId}::uuid`.execute(
      t.database.db,
    );
    expect(rows[0]?.n).toBe(0);
  });

  it('hostile and malformed reports never crash the receiver or the processor (seeded fuzz)', async () => {
    const m = await mailedContact();
    let seed = 7;
    const rand = (k: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % k;
    };
    const base = reportFixture('postfix-hard-bounce', { to: m.email, verp: m.verp, messageId: m.messageId });
    const cases: string[] = [
      'Subject: empty\r\n\r\n',
      `Message-ID: <${Date.now()}-a@x>\r\nContent-Type: multipart/report; report-type=delivery-status\r\n\r\nno boundary`,
      `Message-ID: <${Date.now()}-b@x>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n${'--b\r\nContent-Type: message/delivery-status\r\n\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n'.repeat(300)}`,
      `Message-ID: <${Date.now()}-c@x>\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n${'--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n'.repeat(500)}`,
    ];
    for (let i = 0; i < 12; i++) {
      const b = Buffer.from(base.replace(/Message-Id: <[^>]+>/, `Message-Id: <fuzz-${i}-${Date.now()}@x>`), 'latin1');
      for (let j = 0; j < 1 + rand(6); j++) b[200 + rand(b.length - 200)] = 32 + rand(90);
      cases.push(b.toString('latin1'));
    }
    for (const raw of cases) {
      const sent = await sendRawMail(port, { from: '', to: [m.verp], raw });
      expect([250, 550, 552, 554]).toContain(sent.message?.code ?? sent.rcptTo[0]?.code);
    }
    const outcomes = await t.inbound.processor.runOnce(100);
    expect(outcomes.length).toBeGreaterThan(0);
    for (const o of outcomes) expect(['processed', 'refused']).toContain(o);
    // Still answering, and still handling real reports.
    const next = await mailedContact();
    expect(await report('gmail-hard-bounce', next)).toEqual(['processed']);
    expect(await suppression(next.email)).toMatchObject({ reason: 'hard_bounce' });
  });

  it('the admin API: add, list (paged, by reason), 409 twice, 422 naming the field, 404, 403 for others', async () => {
    const add = await api.post('/api/v1/mail/suppressions', { address: ' Pat@Example.COM ', source: 'asked by phone' });
    expect(add.statusCode).toBe(201);
    expect(add.json().data).toMatchObject({ address: 'pat@example.com', reason: 'manual', source: 'asked by phone' });
    expect(add.headers.location).toBe('/api/v1/mail/suppressions/pat%40example.com');
    const twice = await api.post('/api/v1/mail/suppressions', { address: 'pat@example.com' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().errors).toEqual([{ path: 'address', message: 'is already suppressed' }]);
    const bad = await api.post('/api/v1/mail/suppressions', { address: 'not an address' });
    expect(bad.statusCode).toBe(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json().errors[0].path).toBe('address');
    const badReason = await api.post('/api/v1/mail/suppressions', { address: 'a@b.example', reason: 'bored' });
    expect(badReason.statusCode).toBe(422);
    expect(badReason.json().errors[0].path).toBe('reason');

    await api.post('/api/v1/mail/suppressions', { address: 'pat2@example.com' });
    const manual = (await api.get('/api/v1/mail/suppressions?reason=manual&limit=1')).json();
    expect(manual.data).toHaveLength(1);
    expect(manual.page.hasMore).toBe(true);
    const second = (
      await api.get(`/api/v1/mail/suppressions?reason=manual&limit=1&cursor=${manual.page.nextCursor}`)
    ).json();
    expect(second.data[0].address).not.toBe(manual.data[0].address);
    expect(
      (await api.get('/api/v1/mail/suppressions?q=pat2')).json().data.map((s: { address: string }) => s.address),
    ).toEqual(['pat2@example.com']);
    expect((await api.get('/api/v1/mail/suppressions?cursor=garbage')).statusCode).toBe(422);
    // Hostile input is a 4xx naming the field, never a 500; LIKE wildcards in q match themselves.
    expect((await api.get('/api/v1/mail/suppressions?q=%25')).json().data).toEqual([]);
    expect((await api.get("/api/v1/mail/suppressions?q=x'%3B drop table mail_suppressions")).statusCode).toBe(200);
    expect((await api.del('/api/v1/mail/suppressions/%00')).statusCode).toBe(422);
    const long = await api.post('/api/v1/mail/suppressions', { address: `${'a'.repeat(400)}@example.com` });
    expect(long.statusCode).toBe(422);
    expect(long.json().errors[0].path).toBe('address');
    expect((await api.post('/api/v1/mail/suppressions', { address: 'x@y.example', extra: 1 })).statusCode).toBe(422);

    expect((await api.del('/api/v1/mail/suppressions/pat%40example.com')).statusCode).toBe(204);
    expect((await api.del('/api/v1/mail/suppressions/pat%40example.com')).statusCode).toBe(404);
    expect((await api.get('/api/v1/mail/suppressions/pat%40example.com')).statusCode).toBe(404);

    const rep = await memberWithRole(t, owner.workspaceId, 'sales_rep');
    const asRep = client(t, { cookie: rep.cookie });
    expect((await asRep.get('/api/v1/mail/suppressions')).statusCode).toBe(403);
    expect((await asRep.post('/api/v1/mail/suppressions', { address: 'x@y.example' })).statusCode).toBe(403);
    // Another workspace sees none of ours.
    const other = await signUp(t.app, { workspaceName: 'Elsewhere' });
    expect((await client(t, other).get('/api/v1/mail/suppressions')).json().data).toEqual([]);
    expect((await client(t, other).get('/api/v1/mail/suppressions/pat2%40example.com')).statusCode).toBe(404);
  });
});
