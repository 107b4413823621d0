import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import type { Database, Tx } from '../../platform/db/database';
import { emitEvents } from '../../platform/events/events';
import { escapeHtml } from '../../platform/mail/template';
import type { RecordService } from '../../platform/records/records.service';
import { appendConsent, consentPurposes, currentConsent, recordGpcOptOut } from '../consents';
import { identifyVisitor, trackingSettings } from '../tracking';
import { campaignsSecret, type MessageRef, readMessageToken } from './email-tokens';
import { advanceMember, type MemberObject } from './members.service';
import { MARKETING_PURPOSE } from './send.service';

/** An open or click sooner than this after delivery is a machine's (a scanner, a prefetch). */
export const MACHINE_SECONDS = 10;
/** Apple Mail Privacy Protection fetches through Apple's network (17.0.0.0/8) with a bare user agent. */
const APPLE_PROXY = (ip: string) => /^(::ffff:)?17\./.test(ip);
const SCANNER_AGENT =
  /bot|spider|crawl|scan|preview|proofpoint|mimecast|barracuda|safelinks|symantec|forcepoint|trendmicro|curl|wget|python|go-http|headless/i;

interface Message {
  id: string;
  campaignId: string;
  memberId: string;
  object: MemberObject;
  recordId: string;
  deliveredAt: Date | null;
}

async function loadMessage(tx: Tx, ref: MessageRef): Promise<Message | null> {
  const { rows } = await sql<{
    id: string;
    campaign_id: string;
    member_id: string;
    object: MemberObject;
    record_id: string;
    delivered_at: Date | null;
  }>`select cm.id, cm.campaign_id, cm.member_id, m.object, m.record_id,
      (select mo.sent_at from mail_outbox mo where mo.workspace_id = cm.workspace_id and mo.id = cm.outbox_id) as delivered_at
    from campaign_messages cm join campaign_members m on m.workspace_id = cm.workspace_id and m.id = cm.member_id
    where cm.workspace_id = ${ref.workspaceId}::uuid and cm.id = ${ref.messageId}::uuid and cm.outbox_id is not null`.execute(
    tx,
  );
  const r = rows[0];
  return r
    ? {
        id: r.id,
        campaignId: r.campaign_id,
        memberId: r.member_id,
        object: r.object,
        recordId: r.record_id,
        deliveredAt: r.delivered_at ? new Date(r.delivered_at) : null,
      }
    : null;
}

export interface Hit {
  ip: string;
  userAgent: string;
  now: Date;
  /** The browser sent Global Privacy Control (`Sec-GPC: 1`). */
  gpc?: boolean;
}

/** Why an open or click looks like a machine's, or null for a person's. */
export function machineReason(kind: 'open' | 'click', hit: Hit, deliveredAt: Date | null): string | null {
  if (APPLE_PROXY(hit.ip)) return 'privacy proxy (Apple Mail)';
  if (kind === 'open' && hit.userAgent.trim() === 'Mozilla/5.0') return 'privacy proxy (bare user agent)';
  if (SCANNER_AGENT.test(hit.userAgent)) return 'link scanner (user agent)';
  if (deliveredAt && hit.now.getTime() - deliveredAt.getTime() < MACHINE_SECONDS * 1000) {
    return `within ${MACHINE_SECONDS} s of delivery`;
  }
  return null;
}

const personKey = (object: MemberObject) => (object === 'leads' ? 'leadId' : 'contactId');

/**
 * Records an open or a click of a campaign mail (a machine's is kept, flagged, and changes
 * nothing else); a person's moves the member on and emits `email.opened` / `email.clicked`
 * on the contact or lead (their timeline and engagement scoring). Returns the message, or
 * null for a token that names none.
 */
async function record(
  tx: Tx,
  ref: MessageRef,
  kind: 'open' | 'click',
  hit: Hit,
  url?: string,
): Promise<{ message: Message; machine: boolean } | null> {
  const message = await loadMessage(tx, ref);
  if (!message) return null;
  const machine = machineReason(kind, hit, message.deliveredAt);
  await sql`insert into campaign_email_events (workspace_id, id, message_id, campaign_id, member_id, kind, url, machine,
      machine_reason, occurred_at)
    values (${ref.workspaceId}::uuid, ${uuidv7()}::uuid, ${message.id}::uuid, ${message.campaignId}::uuid,
      ${message.memberId}::uuid, ${kind}, ${url ?? null}, ${machine !== null}, ${machine}, ${hit.now})`.execute(tx);
  if (machine) return { message, machine: true };
  const first = await sql<{ n: number }>`select count(*)::int as n from campaign_email_events
    where workspace_id = ${ref.workspaceId}::uuid and message_id = ${message.id}::uuid and kind = ${kind}
      and not machine`.execute(tx);
  if (kind === 'click') await advanceMember(tx, ref.workspaceId, message.memberId, 'opened', hit.now);
  await advanceMember(tx, ref.workspaceId, message.memberId, kind === 'open' ? 'opened' : 'clicked', hit.now);
  if (message.object !== 'accounts') {
    await emitEvents(tx, { workspaceId: ref.workspaceId, userId: null }, [
      {
        type: kind === 'open' ? 'email.opened' : 'email.clicked',
        object: message.object,
        recordId: message.recordId,
        data: {
          campaignId: message.campaignId,
          messageId: message.id,
          [personKey(message.object)]: message.recordId,
          first: first.rows[0]?.n === 1,
          ...(url ? { url } : {}),
        },
      },
    ]);
  }
  return { message, machine: false };
}

/** An open pixel hit: recorded when the token is genuine (nothing is told either way). */
export async function trackOpen(database: Database, token: string, hit: Hit): Promise<void> {
  const secret = await campaignsSecret(database);
  const ref = readMessageToken(secret, 'open', token);
  if (!ref) return;
  await database.tenant(ref.workspaceId, (tx) => record(tx, ref, 'open', hit));
}

const VISITOR_PARAM = 'rapport_vid';

/**
 * A click: the URL the token was minted for (null for a forged token or a changed URL:
 * never an open redirect). A person's click on a link to one of the workspace's tracked
 * sites ties a fresh website visitor id to the contact or lead and hands it to the site in
 * `?rapport_vid=` (the tracking script adopts it), so their visits belong to them.
 */
export async function trackClick(
  database: Database,
  baseUrl: string,
  token: string,
  url: string,
  hit: Hit,
): Promise<string | null> {
  const secret = await campaignsSecret(database);
  const ref = readMessageToken(secret, 'click', token, url);
  if (!ref || !/^https?:\/\//i.test(url)) return null;
  return database.tenant(ref.workspaceId, async (tx) => {
    const done = await record(tx, ref, 'click', hit, url);
    if (!done || done.machine || done.message.object === 'accounts') return url;
    const settings = await trackingSettings(tx, ref.workspaceId, baseUrl);
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return url;
    }
    if (!settings.enabled || !settings.allowedOrigins.includes(target.origin.toLowerCase())) return url;
    const visitorId = randomBytes(16).toString('hex');
    await identifyVisitor(tx, ref.workspaceId, visitorId, done.message.object, done.message.recordId, 'email');
    target.searchParams.set(VISITOR_PARAM, visitorId);
    return target.toString();
  });
}

/** The person a token's message went to, with their current consent per purpose (the preferences page). */
export async function preferencesOf(database: Database, token: string) {
  const secret = await campaignsSecret(database);
  const ref = readMessageToken(secret, 'unsubscribe', token);
  if (!ref) return null;
  return database.tenant(ref.workspaceId, async (tx) => {
    const message = await loadMessage(tx, ref);
    if (!message || message.object === 'accounts') return null;
    const purposes = await consentPurposes(tx);
    const { rows } = await sql<{
      name: string;
    }>`select name from workspaces where id = ${ref.workspaceId}::uuid`.execute(tx);
    const statuses = [];
    for (const p of purposes) {
      statuses.push({
        key: p.key,
        label: p.label,
        status: await currentConsent(tx, message.object as 'contacts' | 'leads', message.recordId, p.key),
      });
    }
    return { workspace: rows[0]?.name ?? '', purposes: statuses };
  });
}

/**
 * Unsubscribes (RFC 8058 one-click, or the page's button) or saves the preferences page:
 * appends to the consent ledger what changed (withdrawn / granted per purpose) with the
 * campaign as its source; an unsubscribe from marketing email marks the member
 * unsubscribed. False for a token that names nothing.
 */
export async function changePreferences(
  database: Database,
  records: RecordService,
  token: string,
  change: { unsubscribe: true } | { granted: string[] },
  hit: Hit,
): Promise<boolean> {
  const secret = await campaignsSecret(database);
  const ref = readMessageToken(secret, 'unsubscribe', token);
  if (!ref) return false;
  return database.tenant(ref.workspaceId, (tx) =>
    applyPreferences(tx, records, ref, change, hit, {
      wording: 'unsubscribe' in change ? 'One-click unsubscribe (email)' : 'Email preferences page',
    }),
  );
}

/**
 * changePreferences inside the message's workspace transaction, for a token already read
 * (the web page, or a mail to the List-Unsubscribe mailto: address). `how` is the ledger
 * entry's wording and extra proof.
 */
export async function applyPreferences(
  tx: Tx,
  records: RecordService,
  ref: MessageRef,
  change: { unsubscribe: true } | { granted: string[] },
  hit: Hit,
  how: { wording: string; proof?: Record<string, unknown> },
): Promise<boolean> {
  const message = await loadMessage(tx, ref);
  if (!message || message.object === 'accounts') return false;
  const object = message.object as 'contacts' | 'leads';
  const purposes = await consentPurposes(tx);
  const wanted = new Map<string, 'granted' | 'withdrawn'>();
  if ('unsubscribe' in change) wanted.set(MARKETING_PURPOSE, 'withdrawn');
  else for (const p of purposes) wanted.set(p.key, change.granted.includes(p.key) ? 'granted' : 'withdrawn');
  const actor = { workspaceId: ref.workspaceId, userId: null };
  for (const [purpose, status] of wanted) {
    const now = await currentConsent(tx, object, message.recordId, purpose);
    // Granting needs a record of the person's own act: the preferences page is one; an
    // unknown purpose is only ever withdrawn from here when it was granted.
    if (now === status || (status === 'withdrawn' && now === 'unknown' && purpose !== MARKETING_PURPOSE)) continue;
    await appendConsent(tx, actor, records, object, message.recordId, {
      purpose,
      status,
      source: 'form',
      sourceRef: `campaign:${message.campaignId}`,
      wording: how.wording,
      proof: { messageId: message.id, userAgent: hit.userAgent.slice(0, 300), ...how.proof },
    });
  }
  if (wanted.get(MARKETING_PURPOSE) === 'withdrawn') {
    await advanceMember(tx, ref.workspaceId, message.memberId, 'unsubscribed', hit.now);
  }
  if (hit.gpc) await recordGpcOptOut(tx, actor, records, object, message.recordId, gpcProof(message, hit));
  return true;
}

const gpcProof = (message: { id: string; campaignId: string }, hit: Hit) => ({
  page: 'email preferences',
  campaignId: message.campaignId,
  messageId: message.id,
  userAgent: hit.userAgent.slice(0, 300),
});

/**
 * The preferences page opened with Global Privacy Control (`Sec-GPC: 1`): the person the
 * link names opts out of sale/sharing and tracking (issue 23: GPC on any public page that
 * identifies someone). Nothing for a token that names nothing or an account.
 */
export async function honourGpc(database: Database, records: RecordService, token: string, hit: Hit): Promise<void> {
  const secret = await campaignsSecret(database);
  const ref = readMessageToken(secret, 'unsubscribe', token);
  if (!ref) return;
  await database.tenant(ref.workspaceId, async (tx) => {
    const message = await loadMessage(tx, ref);
    if (!message || message.object === 'accounts') return;
    const actor = { workspaceId: ref.workspaceId, userId: null };
    await recordGpcOptOut(
      tx,
      actor,
      records,
      message.object as 'contacts' | 'leads',
      message.recordId,
      gpcProof(message, hit),
    );
  });
}

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}
label{display:block;margin:.5rem 0}button{font:inherit;padding:.5rem 1rem;margin-top:.75rem}</style>
</head><body>${body}</body></html>`;

/** The page a List-Unsubscribe GET shows: unsubscribe with one button, or choose per purpose. */
export function preferencesPage(
  token: string,
  prefs: { workspace: string; purposes: { key: string; label: string; status: string }[] },
  saved?: 'unsubscribed' | 'saved',
) {
  const action = `/e/u/${escapeHtml(token)}`;
  const note =
    saved === 'unsubscribed'
      ? '<p role="status"><strong>You are unsubscribed from marketing email.</strong></p>'
      : saved === 'saved'
        ? '<p role="status"><strong>Your preferences are saved.</strong></p>'
        : '';
  const boxes = prefs.purposes
    .map(
      (p) =>
        `<label><input type="checkbox" name="purpose" value="${escapeHtml(p.key)}"${p.status === 'granted' ? ' checked' : ''}> ${escapeHtml(p.label)}</label>`,
    )
    .join('');
  return page(
    'Email preferences',
    `<h1>Email preferences</h1>${note}<p>What may ${escapeHtml(prefs.workspace)} send you?</p>
<form method="post" action="${action}"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe from marketing email</button></form>
<form method="post" action="${action}"><input type="hidden" name="preferences" value="1">${boxes}
<button type="submit">Save preferences</button></form>`,
  );
}

export const invalidLinkPage = () =>
  page('Link not valid', '<h1>This link is not valid</h1><p>Please use the link from the most recent email.</p>');
