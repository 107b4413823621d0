import type { FastifyBaseLogger as Logger } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../db/database';
import { Poller } from '../jobs/poller';
import { verpAddress } from './mail-reports';
import { SmtpLanes } from './smtp-lanes';
import { bareAddress, erasedKeySql } from './suppressions';

/** Mails claimed per round. */
const ROUND = 50;
/** SMTP connections by default (RAPPORT_SMTP_CONNECTIONS). */
export const DEFAULT_SMTP_CONNECTIONS = 4;

export interface MailDispatcherOptions {
  database: Database;
  /** smtp://user:pass@host:port; when absent mails are held in the outbox, readable in the app. */
  smtpUrl?: string;
  from: string;
  /**
   * The domain of the inbound receiver's bounce addresses: when set, each mail's envelope
   * sender is bounces+<its VERP token>@<domain>, so bounces come back naming it. Unset (no
   * inbound receiver): the From address, as before.
   */
  bounceDomain?: string;
  log: Logger;
  /**
   * SMTP connections mails go over at once (RAPPORT_SMTP_CONNECTIONS, default 4; a
   * `maxConnections` in the URL wins). However many, a crash leaves at most one mail
   * accepted and not yet marked (SmtpLanes' commit lock).
   */
  connections?: number;
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
 * Mails go over several SMTP connections at once (SmtpLanes); the end of each mail's data
 * and its "sent" mark are taken one at a time, so a crash still leaves at most one mail
 * accepted and not marked.
 * Failures back off exponentially: 30 s, 1 min, 2 min … capped at 1 h. Mail to an address
 * on its workspace's suppression list (hard bounce, complaint …) is not sent: it is settled
 * `suppressed`, the reason in its last error.
 */
export class MailDispatcher {
  private readonly lanes?: SmtpLanes;
  // The outbox rows are the work and its log (status, attempts, lease): a loop, not a job.
  private readonly loop: Poller;

  constructor(private readonly opts: MailDispatcherOptions) {
    if (opts.smtpUrl) this.lanes = new SmtpLanes(opts.smtpUrl, opts.connections ?? DEFAULT_SMTP_CONNECTIONS);
    this.loop = new Poller({
      name: 'mail dispatch',
      intervalMs: opts.pollMs ?? 1000,
      // A full round means more is probably due: the next starts at once (a campaign's
      // thousands of mails are not held to one round a second).
      run: async () => (await this.deliver(ROUND)).claimed >= ROUND,
      log: opts.log,
      keepAlive: true,
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    this.lanes?.close();
  }

  /** Sends what is due now (up to `limit` mails); returns how many mails were sent. */
  async runOnce(limit = ROUND): Promise<number> {
    return (await this.deliver(limit)).sent;
  }

  /** One round: claims up to `limit` due mails and sends them over the SMTP connections. */
  private async deliver(limit: number): Promise<{ claimed: number; sent: number }> {
    const { database } = this.opts;
    const lanes = this.lanes;
    if (!lanes) {
      await sql`update mail_outbox set status = 'held' where status = 'queued'`.execute(database.db);
      return { claimed: 0, sent: 0 };
    }
    const lease = this.opts.leaseSeconds ?? 300;
    const now = (this.opts.clock ?? (() => new Date()))();
    const { rows } = await sql<ClaimedMail>`
      update mail_outbox m set attempts = m.attempts + 1,
        next_attempt_at = ${now}::timestamptz + make_interval(secs => ${lease})
      where (m.workspace_id, m.id) in (
        select workspace_id, id from mail_outbox
        where status = 'queued' and next_attempt_at <= ${now}
        order by next_attempt_at limit ${limit}
        for update skip locked)
      returning m.workspace_id, m.id, m.to_address, m.subject, m.text_body, m.html_body, m.attempts,
        m.message_id, m.headers, m.verp_token, m.attachments, m.from_address, m.calendar`.execute(database.db);
    const suppressed = await this.suppressed(rows);
    let sent = 0;
    let next = 0;
    // One sender per connection, each taking the round's next mail.
    const sender = async () => {
      while (next < rows.length) {
        const mail = rows[next++] as ClaimedMail;
        const reason = suppressed.get(`${mail.workspace_id}|${bareAddress(mail.to_address)}`);
        if (reason) {
          await sql`update mail_outbox set status = 'suppressed',
                      last_error = ${`not sent: the address is on the suppression list (${reason})`}
                    where workspace_id = ${mail.workspace_id} and id = ${mail.id}`.execute(database.db);
          continue;
        }
        if (await this.sendOne(lanes, mail, now)) sent++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(lanes.size, rows.length) }, sender));
    return { claimed: rows.length, sent };
  }

  /** Sends one claimed mail; true when the server accepted it (and it is marked sent). */
  private async sendOne(lanes: SmtpLanes, mail: ClaimedMail, now: Date): Promise<boolean> {
    const { database } = this.opts;
    try {
      await lanes.send(
        {
          from: mail.from_address ?? this.opts.from,
          ...(this.opts.bounceDomain
            ? { envelope: { from: verpAddress(mail.verp_token, this.opts.bounceDomain), to: mail.to_address } }
            : {}),
          to: mail.to_address,
          subject: mail.subject,
          text: mail.text_body,
          html: mail.html_body ?? undefined,
          messageId: `<${mail.message_id ?? `${mail.id}@rapport`}>`,
          headers: mail.headers ?? {},
          attachments: (mail.attachments ?? []).map((a) => ({
            filename: a.filename,
            contentType: a.contentType,
            content: Buffer.from(a.content, 'base64'),
          })),
          // RFC 6047: the iTIP object as a text/calendar alternative (with its method) and attached as invite.ics.
          ...(mail.calendar
            ? { icalEvent: { method: mail.calendar.method, content: mail.calendar.content, filename: 'invite.ics' } }
            : {}),
        },
        // Marked sent before any other mail's data may end (the commit lock). On a
        // PostgreSQL server the mark does not wait for the WAL flush (synchronous_commit off
        // for this one statement): it is on the commit lock's path, and a flush per mail
        // cost more than the mail itself. It survives a crash of Rapport like any commit (the
        // server process keeps it); only a crash of the database server itself can lose the
        // last fraction of a second of marks, whose mails then go again after the lease with
        // the same Message-ID (at least once, as before). Embedded, the database lives and
        // dies with this process, so there the mark waits for the flush.
        async () => {
          await sql`with quick as (select set_config('synchronous_commit', ${database.kind === 'postgres' ? 'off' : 'on'}, true))
            update mail_outbox set status = 'sent', sent_at = ${now}, last_error = null
            where workspace_id = ${mail.workspace_id} and id = ${mail.id} and exists (select 1 from quick)`.execute(
            database.db,
          );
        },
      );
      return true;
    } catch (err) {
      const maxAttempts = this.opts.maxAttempts ?? 12;
      const backoff = Math.min(3600, 30 * 2 ** (mail.attempts - 1));
      await sql`update mail_outbox
                set status = case when attempts >= ${maxAttempts} then 'failed' else 'queued' end,
                    next_attempt_at = ${now}::timestamptz + make_interval(secs => ${backoff}),
                    last_error = ${String((err as Error).message).slice(0, 500)}
                where workspace_id = ${mail.workspace_id} and id = ${mail.id}`.execute(database.db);
      this.opts.log.warn({ mailId: mail.id, attempts: mail.attempts }, 'mail delivery failed; will retry');
      return false;
    }
  }

  /** The claimed mails' suppressed recipients: reason by `workspace|address`, one query for the batch. */
  private async suppressed(rows: { workspace_id: string; to_address: string }[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (rows.length === 0) return out;
    const pairs = rows.map((r) => ({ w: r.workspace_id, a: bareAddress(r.to_address) }));
    const { rows: hits } = await sql<{ workspace_id: string; address: string; reason: string }>`
      select p.w as workspace_id, p.a as address, s.reason from mail_suppressions s
      join jsonb_to_recordset(${JSON.stringify(pairs)}::jsonb) as p(w uuid, a text)
        on s.workspace_id = p.w and (s.address = p.a or s.address = ${erasedKeySql(sql`p.w`, sql`p.a`)})`.execute(
      this.opts.database.db,
    );
    for (const h of hits) out.set(`${h.workspace_id}|${h.address}`, h.reason);
    return out;
  }
}

interface ClaimedMail {
  workspace_id: string;
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  attempts: number;
  message_id: string | null;
  headers: Record<string, string> | null;
  verp_token: string;
  attachments: { filename: string; contentType: string; content: string }[] | null;
  from_address: string | null;
  calendar: { method: string; content: string } | null;
}
