import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { STANDARD_PERMISSIONS } from '../../platform/access/permissions';
import type { Actor } from '../../platform/auth/actor';
import type { Tx } from '../../platform/db/database';
import { emitEvent } from '../../platform/events/events';
import type { InboundMail, InboundMailHandler } from '../../platform/mail/inbound-mail';
import { bounceKind, type MailReport, parseMailReport, verpToken } from '../../platform/mail/mail-reports';
import { bareAddress, bounceSettings, suppress } from '../../platform/mail/suppressions';
import type { RecordService } from '../../platform/records/records.service';
import { findPersonByEmail } from '../leads';

/** The system actor bounces are recorded as: no person, the administrator's permissions. */
export const bounceActor = (workspaceId: string): Actor => ({
  kind: 'user',
  userId: null,
  workspaceId,
  role: 'administrator',
  scopes: [],
  permissions: STANDARD_PERMISSIONS.administrator,
});

/** What one report did. */
export interface RecordedBounce {
  outboxId: string;
  email: string;
  kind: 'hard' | 'soft' | 'complaint';
  status: string;
  diagnostic: string;
  /** The address was added to the suppression list by this report. */
  suppressed: boolean;
}

/** Complaint feedback types that are not complaints (RFC 6650: a recipient marking mail as not spam). */
const NOT_A_COMPLAINT = new Set(['not-spam']);

/**
 * The outbox mail a report is about: by a VERP token (the envelope recipient the bounce came
 * to, else the returned message's Return-Path), else by the original Message-ID (ours are
 * `<outbox id>@rapport` unless the mail set its own). Only mail of this workspace.
 */
async function matchOutbox(
  tx: Tx,
  tokens: (string | null)[],
  messageId: string | null,
): Promise<{ id: string; to_address: string } | null> {
  const verp = tokens.filter((t): t is string => !!t);
  const ownId =
    messageId?.match(/^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})@rapport$/i)?.[1] ?? null;
  if (verp.length === 0 && !messageId) return null;
  const { rows } = await sql<{ id: string; to_address: string; by_token: boolean }>`
    select id, to_address, verp_token = any(${verp}::text[]) as by_token from mail_outbox
    where workspace_id = rapport_workspace()
      and (verp_token = any(${verp}::text[])
        ${messageId ? sql`or message_id = ${messageId}` : sql``}
        ${ownId ? sql`or (id = ${ownId.toLowerCase()}::uuid and message_id is null)` : sql``})
    order by by_token desc, id desc limit 1`.execute(tx);
  return rows[0] ?? null;
}

/** What the report says happened to `address`: the worst of its recipients' outcomes. */
function outcome(
  report: MailReport,
  address: string,
): { kind: 'hard' | 'soft' | 'complaint'; status: string; diagnostic: string } | null {
  if (report.type === 'feedback-report') {
    if (NOT_A_COMPLAINT.has(report.feedbackType)) return null;
    return { kind: 'complaint', status: report.feedbackType, diagnostic: '' };
  }
  // The recipient the mail went to; a report naming only another address (forwarded mail) still is about it.
  const mine = report.recipients.filter((r) => r.address === address);
  const candidates = mine.length ? mine : report.recipients;
  const hard = candidates.find((r) => bounceKind(r) === 'hard');
  const pick = hard ?? candidates.find((r) => bounceKind(r) === 'soft');
  if (!pick) return null;
  return { kind: hard ? 'hard' : 'soft', status: pick.status, diagnostic: pick.diagnostic };
}

/**
 * Records a bounce or complaint report in the workspace's transaction: matched to the mail
 * it is about (a report matching no mail of ours changes nothing: no one suppresses an
 * address by mailing us a report), kept once per inbound message, then a hard bounce or a
 * complaint suppresses the address at once, soft bounces once there were N within the
 * workspace's window; emits `mail.bounced` or `mail.complained` on the contact (or lead)
 * with that address, so its timeline shows it.
 */
export async function recordReport(tx: Tx, records: RecordService, mail: InboundMail): Promise<RecordedBounce | null> {
  const report = mail.raw ? parseMailReport(mail.raw) : null;
  if (!report) return null;
  const sent = await matchOutbox(
    tx,
    [verpToken(mail.recipient), verpToken(report.originalReturnPath)],
    report.originalMessageId,
  );
  if (!sent) return null;
  const email = bareAddress(sent.to_address);
  const what = outcome(report, email);
  if (!what) return null;
  const { rows } = await sql<{ id: string }>`
    insert into mail_bounces (workspace_id, id, address, kind, status, diagnostic, outbox_id, inbound_mail_id)
    values (${mail.workspaceId}::uuid, ${uuidv7()}::uuid, ${email}, ${what.kind}, ${what.status.slice(0, 100)},
      ${what.diagnostic.slice(0, 1000)}, ${sent.id}::uuid, ${isUuid(mail.id) ? mail.id : null}::uuid)
    on conflict do nothing returning id`.execute(tx);
  if (rows.length === 0) return null;

  let reason: 'hard_bounce' | 'complaint' | 'soft_bounce_limit' | null = null;
  if (what.kind === 'hard') reason = 'hard_bounce';
  else if (what.kind === 'complaint') reason = 'complaint';
  else {
    const settings = await bounceSettings(tx, mail.workspaceId);
    const { rows: counted } = await sql<{ n: number }>`
      select count(*)::int as n from mail_bounces
      where workspace_id = rapport_workspace() and address = ${email} and kind = 'soft'
        and created_at > now() - make_interval(days => ${settings.softBounceWindowDays})`.execute(tx);
    if ((counted[0]?.n ?? 0) >= settings.softBounceLimit) reason = 'soft_bounce_limit';
  }
  const suppressed = reason
    ? await suppress(tx, mail.workspaceId, {
        address: email,
        reason,
        source: [what.status, what.diagnostic].filter(Boolean).join(' ').slice(0, 500),
        outboxId: sent.id,
      })
    : false;

  const actor = bounceActor(mail.workspaceId);
  const person = await findPersonByEmail(
    tx,
    records,
    actor,
    sent.to_address.match(/<([^<>]+)>/)?.[1] ?? sent.to_address,
  );
  const recorded: RecordedBounce = { outboxId: sent.id, email, ...what, suppressed };
  await emitEvent(tx, actor, {
    type: what.kind === 'complaint' ? 'mail.complained' : 'mail.bounced',
    ...(person ? { object: person.object, recordId: person.id } : {}),
    data:
      what.kind === 'complaint'
        ? { outboxId: sent.id, email, feedbackType: what.status, suppressed }
        : { outboxId: sent.id, email, kind: what.kind, status: what.status, diagnostic: what.diagnostic, suppressed },
  });
  return recorded;
}

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/** Mail to a workspace's bounce mailbox (kind `bounces`): delivery reports and complaints. */
export const bounceMailHandler: InboundMailHandler = {
  kind: 'bounces',
  async handle(tx, mail, deps) {
    await recordReport(tx, deps.records, mail);
  },
};
