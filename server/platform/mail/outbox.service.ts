import { sql } from 'kysely';
import { MAIL_STATUSES } from '../../../common/contracts/mail';
import type { Tx } from '../db/database';
import { AppError, notFound } from '../http/errors';

type MailStatus = (typeof MAIL_STATUSES)[number];

interface MailRow {
  id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string | null;
  confidential: boolean;
  status: MailStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

const present = (r: MailRow, bodies: boolean) => ({
  id: r.id,
  to: r.to_address,
  subject: r.subject,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.status === 'queued' ? new Date(r.next_attempt_at).toISOString() : null,
  lastError: r.last_error,
  createdAt: new Date(r.created_at).toISOString(),
  sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
  ...(bodies
    ? r.confidential
      ? { text: '[not shown: this mail carries a secret link for its recipient]', html: null }
      : { text: r.text_body, html: r.html_body }
    : {}),
});

/**
 * The workspace's outgoing mail, newest first. With no SMTP configured mail is
 * `held` here, so a default (offline) install can still read what it would send.
 */
export async function listOutbox(tx: Tx, filter: { status?: string; before?: string; limit: number }) {
  const { rows } =
    await sql<MailRow>`select id, to_address, subject, text_body, html_body, confidential, status, attempts,
      next_attempt_at, last_error, created_at, sent_at
    from mail_outbox where workspace_id = rapport_workspace()
      ${filter.status ? sql`and status = ${filter.status}` : sql``}
      ${filter.before ? sql`and id < ${filter.before}` : sql``}
    order by id desc limit ${filter.limit + 1}`.execute(tx);
  const counted = await sql<{ status: string; n: number }>`select status, count(*)::int as n from mail_outbox
    where workspace_id = rapport_workspace() group by status`.execute(tx);
  const counts = Object.fromEntries(MAIL_STATUSES.map((s) => [s, 0])) as Record<MailStatus, number>;
  for (const c of counted.rows) counts[c.status as MailStatus] = c.n;
  const page = rows.slice(0, filter.limit);
  return {
    data: page.map((r) => present(r, false)),
    counts,
    next: rows.length > filter.limit ? (page.at(-1)?.id ?? null) : null,
  };
}

export async function getMail(tx: Tx, id: string) {
  const { rows } =
    await sql<MailRow>`select id, to_address, subject, text_body, html_body, confidential, status, attempts,
      next_attempt_at, last_error, created_at, sent_at
    from mail_outbox where workspace_id = rapport_workspace() and id = ${id}`.execute(tx);
  if (!rows[0]) throw notFound('Mail');
  return present(rows[0], true);
}

/** Queues a failed, held or suppressed mail again, due now (still suppressed: it is settled so again). */
export async function retryMail(tx: Tx, id: string) {
  const mail = await getMail(tx, id);
  if (mail.status !== 'failed' && mail.status !== 'held' && mail.status !== 'suppressed') {
    throw new AppError(
      'conflict',
      `Only failed, held or suppressed mail can be sent again; this one is ${mail.status}`,
    );
  }
  await sql`update mail_outbox set status = 'queued', attempts = 0, next_attempt_at = now()
    where workspace_id = rapport_workspace() and id = ${id}`.execute(tx);
  return getMail(tx, id);
}
