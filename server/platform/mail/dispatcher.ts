import type { FastifyBaseLogger as Logger } from 'fastify';
import { sql } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Database } from '../db/database';
import { Poller } from '../jobs/poller';

export interface MailDispatcherOptions {
  database: Database;
  /** smtp://user:pass@host:port; when absent mails are held in the outbox, readable in the app. */
  smtpUrl?: string;
  from: string;
  log: Logger;
  pollMs?: number;
  /** How long a claimed mail is leased before another attempt may take it. */
  leaseSeconds?: number;
  maxAttempts?: number;
  /** Injectable clock (tests); defaults to the system time. */
  clock?: () => Date;
}

/**
 * Delivers the mail outbox. Each mail is claimed with a lease (committed before
 * sending, so no transaction is held during SMTP), sent, then marked sent; a
 * crash mid-send leaves the lease to expire and the mail is sent again
 * (at least once; the stable Message-ID lets receivers drop the duplicate).
 * Failures back off exponentially: 30 s, 1 min, 2 min … capped at 1 h.
 */
export class MailDispatcher {
  private readonly transport?: Transporter;
  // The outbox rows are the work and its log (status, attempts, lease): a loop, not a job.
  private readonly loop: Poller;

  constructor(private readonly opts: MailDispatcherOptions) {
    if (opts.smtpUrl) this.transport = nodemailer.createTransport(opts.smtpUrl);
    this.loop = new Poller({
      name: 'mail dispatch',
      intervalMs: opts.pollMs ?? 1000,
      run: async () => {
        await this.runOnce();
      },
      log: opts.log,
      keepAlive: true,
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    this.transport?.close();
  }

  /** Sends what is due now; returns how many mails were sent. */
  async runOnce(limit = 20): Promise<number> {
    const { database } = this.opts;
    if (!this.transport) {
      await sql`update mail_outbox set status = 'held' where status = 'queued'`.execute(database.db);
      return 0;
    }
    const lease = this.opts.leaseSeconds ?? 300;
    const now = (this.opts.clock ?? (() => new Date()))();
    const { rows } = await sql<{
      workspace_id: string;
      id: string;
      to_address: string;
      subject: string;
      text_body: string;
      html_body: string | null;
      attempts: number;
      message_id: string | null;
      headers: Record<string, string> | null;
    }>`
      update mail_outbox m set attempts = m.attempts + 1,
        next_attempt_at = ${now}::timestamptz + make_interval(secs => ${lease})
      where (m.workspace_id, m.id) in (
        select workspace_id, id from mail_outbox
        where status = 'queued' and next_attempt_at <= ${now}
        order by next_attempt_at limit ${limit}
        for update skip locked)
      returning m.workspace_id, m.id, m.to_address, m.subject, m.text_body, m.html_body, m.attempts,
        m.message_id, m.headers`.execute(database.db);
    let sent = 0;
    for (const mail of rows) {
      try {
        await this.transport.sendMail({
          from: this.opts.from,
          to: mail.to_address,
          subject: mail.subject,
          text: mail.text_body,
          html: mail.html_body ?? undefined,
          messageId: `<${mail.message_id ?? `${mail.id}@rapport`}>`,
          headers: mail.headers ?? {},
        });
        await sql`update mail_outbox set status = 'sent', sent_at = ${now}, last_error = null
                  where workspace_id = ${mail.workspace_id} and id = ${mail.id}`.execute(database.db);
        sent++;
      } catch (err) {
        const maxAttempts = this.opts.maxAttempts ?? 12;
        const backoff = Math.min(3600, 30 * 2 ** (mail.attempts - 1));
        await sql`update mail_outbox
                  set status = case when attempts >= ${maxAttempts} then 'failed' else 'queued' end,
                      next_attempt_at = ${now}::timestamptz + make_interval(secs => ${backoff}),
                      last_error = ${String((err as Error).message).slice(0, 500)}
                  where workspace_id = ${mail.workspace_id} and id = ${mail.id}`.execute(database.db);
        this.opts.log.warn({ mailId: mail.id, attempts: mail.attempts }, 'mail delivery failed; will retry');
      }
    }
    return sent;
  }
}
