import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Database, Tx } from '../../platform/db/database';
import { enterWorkspace, leaveWorkspace } from '../../platform/db/database';
import type { EventConsumer } from '../../platform/events/dispatcher';
import { emitEvent } from '../../platform/events/events';
import { enqueueMail } from '../../platform/mail/outbox';
import type { RecordService } from '../../platform/records/records.service';
import { serviceSettings } from './sla-policies.service';
import { ticketSubject } from './thread-text';
import { systemActor } from './ticket-messages.service';

/**
 * Customer satisfaction: when a ticket becomes solved its contact gets a survey with
 * one-click ratings 1–5 (`/csat/<token>?rating=N`, no login), then a page to add a
 * comment. The token is `<workspace>.<survey>.<secret>` (ids as hex); only the secret's SHA-256 is
 * stored and compared in constant time, so a changed token is refused. The rating lands
 * on the ticket (csatRating, csatComment) and emits `csat.received`.
 */

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const HEX32 = /^[0-9a-f]{32}$/;
/** A uuid without its dashes, and back: tokens stay short (a path segment holds at most 100 characters). */
const compact = (uuid: string) => uuid.replace(/-/g, '').toLowerCase();
const expand = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/** Sends the survey for tickets that became solved (once per solving: the survey's id is the event's). */
export function csatConsumer(deps: { records: RecordService; baseUrl: string }): EventConsumer {
  return {
    name: 'tickets.csat',
    types: ['ticket.updated'],
    async handle(tx, events) {
      let wrote = false;
      for (const e of events) {
        const status = (e.data.changes as Record<string, [unknown, unknown]> | undefined)?.status;
        if (status?.[1] !== 'solved' || !e.recordId) continue;
        await enterWorkspace(tx, e.workspaceId);
        try {
          if (await sendSurvey(tx, deps, e.workspaceId, e.recordId, e.id)) wrote = true;
        } finally {
          await leaveWorkspace(tx);
        }
      }
      return wrote ? undefined : 'nothing-written';
    },
  };
}

async function sendSurvey(
  tx: Tx,
  deps: { records: RecordService; baseUrl: string },
  workspaceId: string,
  ticketId: string,
  surveyId: string,
): Promise<boolean> {
  const settings = await serviceSettings(tx);
  if (!settings.csatEnabled) return false;
  const sys = systemActor(workspaceId);
  const found = await deps.records.list(tx, sys, 'tickets', {
    filter: { field: 'id', op: 'eq', value: ticketId },
    fields: 'id,number,subject,contactId,status',
    limit: 1,
  });
  const ticket = found.data[0];
  if (!ticket?.contactId || ticket.status !== 'solved') return false;
  const contacts = await deps.records.list(tx, sys, 'contacts', {
    filter: { field: 'id', op: 'eq', value: ticket.contactId },
    fields: 'id,email,firstName',
    limit: 1,
  });
  const email = contacts.data[0]?.email;
  if (typeof email !== 'string' || !email) return false;
  const secret = randomBytes(18).toString('base64url');
  const { rows } = await sql`insert into csat_surveys (workspace_id, id, ticket_id, contact_id, token_hash)
    values (${workspaceId}, ${surveyId}::uuid, ${ticketId}::uuid, ${ticket.contactId as string}::uuid, ${sha256(secret)})
    on conflict do nothing returning id`.execute(tx);
  if (!rows[0]) return false;
  const token = `${compact(workspaceId)}.${compact(surveyId)}.${secret}`;
  const link = (n: number) => `${deps.baseUrl.replace(/\/$/, '')}/csat/${token}?rating=${n}`;
  const labels = ['Very poor', 'Poor', 'OK', 'Good', 'Excellent'];
  const intro =
    settings.csatIntro ??
    `Your request #${ticket.number} “${ticket.subject}” is solved. How satisfied are you with our help? One click answers:`;
  const text = `${intro}\n\n${labels.map((l, i) => `${i + 1} – ${l}: ${link(i + 1)}`).join('\n')}\n`;
  const html = `<p>${escapeHtml(intro)}</p><p>${labels
    .map((l, i) => `<a href="${escapeHtml(link(i + 1))}">${i + 1} – ${escapeHtml(l)}</a>`)
    .join(' &nbsp; ')}</p>`;
  await enqueueMail(tx, workspaceId, {
    to: email,
    subject:
      settings.csatSubject ?? `How did we do? ${ticketSubject(ticket.number as number, ticket.subject as string)}`,
    text,
    html,
    // The links answer for the customer: not shown in the outbox.
    confidential: true,
  });
  return true;
}

export const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The survey a token names, when its secret matches (else null: nothing told about why). */
async function surveyOf(tx: Tx, token: string) {
  const [, survey, secret] = token.split('.');
  if (!survey || !secret || !HEX32.test(survey)) return null;
  const surveyId = expand(survey);
  const { rows } = await sql<{ id: string; ticket_id: string; contact_id: string | null; token_hash: string }>`
    select id, ticket_id, contact_id, token_hash from csat_surveys
    where workspace_id = rapport_workspace() and id = ${surveyId}::uuid`.execute(tx);
  const row = rows[0];
  if (!row) return null;
  const a = Buffer.from(row.token_hash, 'hex');
  const b = Buffer.from(sha256(secret), 'hex');
  return a.length === b.length && timingSafeEqual(a, b) ? row : null;
}

export const workspaceOfToken = (token: string): string | null => {
  const ws = token.split('.')[0] ?? '';
  return HEX32.test(ws) ? expand(ws) : null;
};

/**
 * Records an answer (a rating, a comment, or both) to the survey a token names: on the
 * survey, on the ticket (system write: csatRating / csatComment) and as `csat.received`.
 * False for a token that is not valid (changed, unknown, of another workspace).
 */
export async function answerSurvey(
  database: Database,
  records: RecordService,
  token: string,
  answer: { rating?: number; comment?: string },
): Promise<boolean> {
  const workspaceId = workspaceOfToken(token);
  if (!workspaceId) return false;
  return database.tenant(workspaceId, async (tx) => {
    const survey = await surveyOf(tx, token);
    if (!survey) return false;
    await sql`update csat_surveys set rating = coalesce(${answer.rating ?? null}::smallint, rating),
        comment = coalesce(${answer.comment ?? null}, comment), rated_at = now()
      where workspace_id = rapport_workspace() and id = ${survey.id}::uuid`.execute(tx);
    const { rows } = await sql<{ rating: number | null; comment: string | null }>`
      select rating, comment from csat_surveys where workspace_id = rapport_workspace() and id = ${survey.id}::uuid`.execute(
      tx,
    );
    const sys = systemActor(workspaceId);
    await records.systemWrite(tx, sys, 'tickets', survey.ticket_id, {
      csatRating: rows[0]?.rating ?? null,
      csatComment: rows[0]?.comment ?? null,
    });
    const ticket = await records.get(tx, sys, 'tickets', survey.ticket_id, { fields: 'id,number,subject,channel' });
    await csatReceived(tx, workspaceId, {
      channel: (ticket.channel as string | null) ?? 'email',
      ticketId: survey.ticket_id,
      number: (ticket.number as number | null) ?? null,
      subject: (ticket.subject as string | null) ?? null,
      contactId: survey.contact_id,
      rating: rows[0]?.rating ?? null,
      comment: rows[0]?.comment ?? null,
    });
    return true;
  });
}

/**
 * A customer's rating, from a ticket's survey or at the end of a live chat: `csat.received`
 * (the workflow trigger; it names the ticket, or for a chat the contact) and
 * `contact.csat_received` on the contact's timeline. Both carry the same data; a chat's has
 * `channel: "chat"` and its `conversationId` instead of a ticket.
 */
export async function csatReceived(
  tx: Tx,
  workspaceId: string,
  r: {
    channel: string;
    ticketId?: string | null;
    number?: number | null;
    subject?: string | null;
    conversationId?: string | null;
    contactId: string | null;
    rating: number | null;
    comment: string | null;
  },
): Promise<void> {
  const sys = systemActor(workspaceId);
  const data = {
    channel: r.channel,
    ticketId: r.ticketId ?? null,
    number: r.number ?? null,
    subject: r.subject ?? null,
    ...(r.conversationId ? { conversationId: r.conversationId } : {}),
    contactId: r.contactId,
    rating: r.rating,
    comment: r.comment,
  };
  const about = r.ticketId
    ? { object: 'tickets', recordId: r.ticketId }
    : r.contactId
      ? { object: 'contacts', recordId: r.contactId }
      : {};
  await emitEvent(tx, sys, { type: 'csat.received', ...about, data });
  // On the contact's timeline too (not a workflow trigger: csat.received is the one).
  if (r.contactId)
    await emitEvent(tx, sys, { type: 'contact.csat_received', object: 'contacts', recordId: r.contactId, data });
}

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}
textarea{width:100%;min-height:6rem;font:inherit}button{font:inherit;padding:.5rem 1rem;margin-top:.5rem}</style>
</head><body>${body}</body></html>`;

/** The page after a rating: thanks, and a form for a comment. */
export const thanksPage = (token: string, rating: number | null) =>
  page(
    'Thank you',
    `<h1>Thank you for your answer</h1>${rating ? `<p>You rated us ${rating} of 5.</p>` : ''}
<form method="post" action="/csat/${escapeHtml(token)}"><label for="comment">Anything you would like to add?</label>
<textarea id="comment" name="comment" maxlength="2000"></textarea>
${rating ? `<input type="hidden" name="rating" value="${rating}">` : ''}<button type="submit">Send</button></form>`,
  );

export const commentThanksPage = () => page('Thank you', '<h1>Thank you</h1><p>Your comment was sent.</p>');

/** One page for every bad link: it tells nothing about why. */
export const invalidLinkPage = () =>
  page('Link not valid', '<h1>This link is not valid</h1><p>Please use the link from the most recent email.</p>');

/** Which of these tickets were sent a satisfaction survey (reporting's CSAT response rate). */
export async function surveyedTickets(tx: Tx, ticketIds: string[]): Promise<Set<string>> {
  if (ticketIds.length === 0) return new Set();
  const { rows } = await sql<{ ticket_id: string }>`select distinct ticket_id from csat_surveys
    where workspace_id = rapport_workspace() and ticket_id = any(${ticketIds}::uuid[])`.execute(tx);
  return new Set(rows.map((r) => r.ticket_id));
}
