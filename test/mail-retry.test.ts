import { createServer, type Server } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueMail } from '../server/platform/mail/outbox';
import { createTestApp, type SignedUp, signUp, type TestApp } from './helpers/app';
import { type SmtpSink, startSmtpSink } from './helpers/smtp-sink';

/** SMTP server down → mails retried with back-off → server back → each delivered once. */
describe('mail delivery survives an SMTP outage', () => {
  let t: TestApp;
  let admin: SignedUp;
  let port: number;
  let sink: SmtpSink | undefined;
  // "Down": the port stays ours (no other test can take it) but hangs up on every connection.
  let down: Server | undefined;
  let now = Date.now();
  const clock = () => new Date(now);

  beforeAll(async () => {
    const blocker = createServer((socket) => socket.destroy());
    down = blocker;
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    port = (blocker.address() as { port: number }).port;
    t = await createTestApp({ smtpUrl: `smtp://127.0.0.1:${port}` }, { clock });
    admin = await signUp(t.app);
    // This suite follows the three mails it queues; the sign-up's verification mail would be a fourth.
    await sql`delete from mail_outbox`.execute(t.database.db);
  });
  afterAll(async () => {
    await sink?.close();
    down?.close();
    await t.stop();
  });

  it('retries while the server is down and delivers each mail exactly once when it is back', async () => {
    const ids = await t.database.tenant(admin.workspaceId, async (tx) => {
      const out: string[] = [];
      for (let i = 1; i <= 3; i++) {
        out.push(
          await enqueueMail(tx, admin.workspaceId, { to: `r${i}@ex.com`, subject: `Mail ${i}`, text: `Body ${i}` }),
        );
      }
      return out;
    });
    now = Date.now() + 1000; // the queue's clock from here on: enqueueMail stamped the rows with the database's now()
    const state = async () =>
      (
        await sql<{ id: string; status: string; attempts: number; next_attempt_at: Date; last_error: string | null }>`
          select id, status, attempts, next_attempt_at, last_error from mail_outbox where id = any(${ids}::uuid[])
          order by id`.execute(t.database.db)
      ).rows;

    // Down: every mail fails once and waits 30 s.
    expect(await t.mail.runOnce()).toBe(0);
    let rows = await state();
    expect(rows.every((r) => r.status === 'queued' && r.attempts === 1 && r.last_error)).toBe(true);
    expect(rows.every((r) => new Date(r.next_attempt_at).getTime() - now === 30_000)).toBe(true);
    now += 30_000;
    expect(await t.mail.runOnce()).toBe(0); // still down: back-off doubles to 60 s
    rows = await state();
    expect(rows.every((r) => r.attempts === 2 && new Date(r.next_attempt_at).getTime() - now === 60_000)).toBe(true);

    // Back up; nothing is sent before the next attempt is due.
    await new Promise<void>((r) => down?.close(() => r()));
    down = undefined;
    sink = await startSmtpSink(port);
    now += 59_000;
    expect(await t.mail.runOnce()).toBe(0);
    expect(sink.messages).toHaveLength(0);
    now += 1_000;
    expect(await t.mail.runOnce()).toBe(3);
    await sink.waitFor(3);
    rows = await state();
    expect(rows.every((r) => r.status === 'sent' && r.attempts === 3 && r.last_error === null)).toBe(true);

    // Later rounds send nothing again.
    now += 3_600_000;
    expect(await t.mail.runOnce()).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.messages.map((m) => m.subject).sort()).toEqual(['Mail 1', 'Mail 2', 'Mail 3']);
    expect(new Set(sink.messages.map((m) => m.messageId)).size).toBe(3);
    expect(sink.messages.map((m) => m.messageId).sort()).toEqual(ids.map((id) => `<${id}@rapport>`).sort());
  });
});
