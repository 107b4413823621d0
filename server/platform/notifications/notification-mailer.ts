import type { FastifyBaseLogger as Logger } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../db/database';
import { Poller } from '../jobs/poller';
import { enqueueMail } from '../mail/outbox';
import { EMAIL_BY_DEFAULT } from './notification-kinds';

/**
 * Emails notifications to users who want that kind by email. Each notification is
 * decided once: in one transaction the mail is queued in the outbox and the
 * notification marked (`email_state`, `emailed_at`), so a crash or a second app
 * server cannot mail it twice (rows are claimed with SKIP LOCKED). Notifications
 * already read in the app by then are not mailed.
 */
export class NotificationMailer {
  private readonly loop: Poller;

  constructor(private readonly opts: { database: Database; log: Logger; baseUrl: string; pollMs?: number }) {
    this.loop = new Poller({
      name: 'notification email',
      intervalMs: opts.pollMs ?? 2000,
      run: async () => {
        await this.runOnce();
      },
      log: opts.log,
    });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Decides the email of up to `limit` notifications; returns how many were queued for sending. */
  async runOnce(limit = 100): Promise<number> {
    const base = this.opts.baseUrl.replace(/\/$/, '');
    return this.opts.database.system(async (tx) => {
      const { rows } = await sql<{
        workspace_id: string;
        id: string;
        kind: string;
        title: string;
        body: string | null;
        object: string | null;
        record_id: string | null;
        read_at: Date | null;
        email: string | null;
        wants: boolean;
      }>`
        select n.workspace_id, n.id, n.kind, n.title, n.body, n.object, n.record_id, n.read_at,
          -- a pending account (issue 12.9) has no address of its own yet: it gets no mail
          case when u.pending_email is null then u.email end as email,
          coalesce(p.email, n.kind = any(${EMAIL_BY_DEFAULT}::text[])) as wants
        from notifications n
        join users u on u.id = n.user_id
        left join notification_preferences p on p.workspace_id = n.workspace_id and p.user_id = n.user_id and p.kind = n.kind
        where n.email_state is null and n.created_at > now() - interval '2 days'
        order by n.created_at limit ${limit}
        for update of n skip locked`.execute(tx);
      let sent = 0;
      for (const n of rows) {
        const send = n.wants && !n.read_at && !!n.email;
        if (send) {
          const link = n.object && n.record_id ? `${base}/${n.object}/${n.record_id}` : base;
          await enqueueMail(tx, n.workspace_id, {
            to: n.email as string,
            subject: n.title,
            text: `${n.title}\n\n${n.body ? `${n.body}\n\n` : ''}${link}\n\n— Rapport. Choose what you get by email: ${base}/settings/notifications`,
          });
          sent++;
        }
        await sql`update notifications set email_state = ${send ? 'sent' : 'skipped'},
            emailed_at = ${send ? sql`now()` : sql`null`}
          where workspace_id = ${n.workspace_id} and id = ${n.id}`.execute(tx);
      }
      return sent;
    });
  }
}
