import { stripAngles } from './inbound-parse';
/**
 * Delivery status notifications (RFC 3464, `multipart/report; report-type=delivery-status`)
 * and complaint reports (ARF, RFC 5965, `report-type=feedback-report`) read from a raw
 * message. A small MIME walk of its own, not mailparser: mailparser treats report parts as
 * attachments (their types sniffed), while this needs the parts' fields as sent. Bounded
 * everywhere (bytes read, parts, depth, fields): a hostile report yields null or less,
 * never a throw.
 */

export interface DeliveryRecipient {
  /** Final-Recipient (else Original-Recipient), lower-cased; null when neither is an address. */
  address: string | null;
  /** failed | delayed | delivered | relayed | expanded (lower-cased, as reported). */
  action: string;
  /** RFC 3463 status: 5.1.1 (permanent), 4.2.2 (transient); '' when none could be read. */
  status: string;
  /** Diagnostic-Code without its type (`550 5.1.1 user unknown`), at most 500 characters. */
  diagnostic: string;
}

export interface DeliveryReport {
  type: 'delivery-status';
  recipients: DeliveryRecipient[];
  /** The Message-ID of the mail that bounced (from the returned message or its headers), without <>. */
  originalMessageId: string | null;
  /** The returned message's Return-Path (our VERP address when it is included). */
  originalReturnPath: string | null;
}

export interface FeedbackReport {
  type: 'feedback-report';
  /** Feedback-Type: abuse, fraud, virus, other, not-spam … (lower-cased). */
  feedbackType: string;
  /** Original-Rcpt-To, else the To of the returned message, lower-cased (often redacted by the provider). */
  originalRecipient: string | null;
  originalMessageId: string | null;
  originalReturnPath: string | null;
}

export type MailReport = DeliveryReport | FeedbackReport;

/** How much of a message is read for its report (reports are small; the returned message may not be). */
const MAX_BYTES = 512 * 1024;
const MAX_PARTS = 30;
const MAX_DEPTH = 4;
const MAX_FIELDS = 200;
const MAX_RECIPIENTS = 50;

interface Part {
  headers: Map<string, string>;
  body: string;
}

/** Header fields of a block (unfolded, first of repeated names, lower-case names). */
function fields(block: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/);
  for (const line of lines.slice(0, MAX_FIELDS)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!name || out.has(name)) continue;
    out.set(
      name,
      line
        .slice(colon + 1)
        .trim()
        .slice(0, 2000),
    );
  }
  return out;
}

function splitHead(text: string): Part {
  // A part that starts with a blank line has no header fields (text/plain by default).
  const bare = /^\r?\n/.exec(text);
  if (bare) return { headers: new Map(), body: text.slice(bare[0].length) };
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { headers: fields(text), body: '' };
  return { headers: fields(text.slice(0, m.index)), body: text.slice(m.index + m[0].length) };
}

/** `multipart/report; report-type="delivery-status"; boundary=x` → type and parameters. */
function contentType(value: string | undefined): { type: string; params: Map<string, string> } {
  const [type = '', ...rest] = (value ?? 'text/plain').split(';');
  const params = new Map<string, string>();
  for (const p of rest.join(';').matchAll(/([A-Za-z0-9*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/g)) {
    params.set((p[1] as string).toLowerCase(), (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1'));
  }
  return { type: type.trim().toLowerCase(), params };
}

function decode(part: Part): string {
  const cte = (part.headers.get('content-transfer-encoding') ?? '').toLowerCase();
  if (cte === 'base64') {
    return Buffer.from(part.body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('latin1');
  }
  if (cte === 'quoted-printable') {
    return part.body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  }
  return part.body;
}

function children(part: Part, boundary: string): Part[] {
  if (!boundary || boundary.length > 200) return [];
  const delimiter = `--${boundary}`;
  const out: Part[] = [];
  const body = part.body;
  let at = body.startsWith(delimiter) ? 0 : body.indexOf(`\n${delimiter}`);
  while (at !== -1 && out.length < MAX_PARTS) {
    const start = body.indexOf('\n', at + 1);
    if (start === -1) break;
    const lineEnd = body.slice(at, start);
    if (lineEnd.trim().startsWith(`${delimiter}--`)) break;
    const next = body.indexOf(`\n${delimiter}`, start);
    const chunk = body.slice(start + 1, next === -1 ? body.length : next).replace(/\r$/, '');
    out.push(splitHead(chunk));
    at = next;
  }
  return out;
}

/** Finds the multipart/report part (the message itself, or nested in a forward). */
function findReport(part: Part, depth: number): { part: Part; reportType: string } | null {
  const ct = contentType(part.headers.get('content-type'));
  if (ct.type === 'multipart/report') return { part, reportType: (ct.params.get('report-type') ?? '').toLowerCase() };
  if (depth >= MAX_DEPTH) return null;
  if (ct.type.startsWith('multipart/')) {
    for (const child of children(part, ct.params.get('boundary') ?? '')) {
      const found = findReport(child, depth + 1);
      if (found) return found;
    }
  }
  if (ct.type === 'message/rfc822') return findReport(splitHead(decode(part)), depth + 1);
  return null;
}

const ADDRESS = /^[^\s@<>"]{1,200}@[^\s@<>"]{1,200}$/;

/** `rfc822; A@B.example` or `<a@b>` → `a@b.example`; null for anything that is not an address. */
function addressOf(value: string | undefined): string | null {
  if (!value) return null;
  const semi = value.indexOf(';');
  const v = (semi === -1 ? value : value.slice(semi + 1)).trim();
  const bracket = v.match(/<([^<>]+)>/);
  const address = (bracket ? (bracket[1] as string) : (v.split(/[\s,]+/)[0] ?? '')).trim().toLowerCase();
  return ADDRESS.test(address) ? address : null;
}

/** An RFC 3463 status (class 2, 4 or 5) in `text`, or ''. */
function statusIn(text: string): string {
  return text.match(/\b([245])\.(\d{1,3})\.(\d{1,3})\b/)?.[0] ?? '';
}

/** The status a recipient group states, else the one its diagnostic gives (`550 5.1.1 …`, or `550` alone). */
function recipientStatus(group: Map<string, string>): string {
  const stated = statusIn(group.get('status') ?? '');
  if (stated) return stated;
  const diag = group.get('diagnostic-code') ?? '';
  const fromDiag = statusIn(diag);
  if (fromDiag) return fromDiag;
  const basic = diag.match(/\b([45])\d\d\b/);
  return basic ? `${basic[1]}.0.0` : '';
}

function deliveryStatus(text: string): DeliveryRecipient[] {
  // Groups of fields separated by blank lines: the first is per message, the rest per recipient.
  const groups = text
    .split(/\r?\n(?:[ \t]*\r?\n)+/)
    .slice(0, MAX_RECIPIENTS + 1)
    .map(fields);
  const out: DeliveryRecipient[] = [];
  for (const g of groups) {
    if (!g.has('final-recipient') && !g.has('original-recipient') && !g.has('action')) continue;
    if (out.length >= MAX_RECIPIENTS) break;
    const diagnostic = (g.get('diagnostic-code') ?? '').replace(/^[^;]*;\s*/, '').slice(0, 500);
    out.push({
      address: addressOf(g.get('final-recipient')) ?? addressOf(g.get('original-recipient')),
      action: (g.get('action') ?? '').trim().toLowerCase().slice(0, 40),
      status: recipientStatus(g),
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      diagnostic: diagnostic.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim(),
    });
  }
  return out;
}

/** The returned message's (or its headers') Message-ID, To and Return-Path. */
function original(parts: Part[]): { messageId: string | null; to: string | null; returnPath: string | null } {
  const returned = parts.find((p) =>
    [
      'message/rfc822',
      'text/rfc822-headers',
      'message/rfc822-headers',
      'message/global',
      'message/global-headers',
    ].includes(contentType(p.headers.get('content-type')).type),
  );
  if (!returned) return { messageId: null, to: null, returnPath: null };
  const head = splitHead(decode(returned)).headers;
  return {
    messageId: stripAngles(head.get('message-id')),
    to: addressOf(head.get('to')),
    returnPath: addressOf(head.get('return-path')),
  };
}

/**
 * Reads a delivery status notification or a complaint report out of a raw message; null
 * for anything else (an ordinary mail, an autoreply, a report of another type).
 */
export function parseMailReport(raw: Buffer): MailReport | null {
  try {
    const text = raw.subarray(0, MAX_BYTES).toString('latin1');
    const found = findReport(splitHead(text), 0);
    if (!found) return null;
    const ct = contentType(found.part.headers.get('content-type'));
    const parts = children(found.part, ct.params.get('boundary') ?? '');
    const orig = original(parts);
    const typeOf = (p: Part) => contentType(p.headers.get('content-type')).type;
    if (found.reportType === 'delivery-status' || found.reportType === 'global-delivery-status') {
      const status = parts.find((p) =>
        ['message/delivery-status', 'message/global-delivery-status'].includes(typeOf(p)),
      );
      if (!status) return null;
      const recipients = deliveryStatus(decode(status));
      if (recipients.length === 0) return null;
      // Some MTAs (older Exim) give no returned message but an X-Original-Message-ID field.
      const fallbackId = stripAngles(fields(decode(status)).get('x-original-message-id'));
      return {
        type: 'delivery-status',
        recipients,
        originalMessageId: orig.messageId ?? fallbackId,
        originalReturnPath: orig.returnPath,
      };
    }
    if (found.reportType === 'feedback-report') {
      const report = parts.find((p) => typeOf(p) === 'message/feedback-report');
      if (!report) return null;
      const f = fields(decode(report));
      return {
        type: 'feedback-report',
        feedbackType: (f.get('feedback-type') ?? 'abuse').trim().toLowerCase().slice(0, 40),
        originalRecipient: addressOf(f.get('original-rcpt-to')) ?? orig.to,
        originalMessageId: orig.messageId,
        originalReturnPath: orig.returnPath ?? addressOf(f.get('original-mail-from')),
      };
    }
    return null;
  } catch {
    return null;
  }
}

/** hard (5.x.x), soft (4.x.x) or null (delivered, relayed, or no status to go by), per RFC 3463's class. */
export function bounceKind(r: DeliveryRecipient): 'hard' | 'soft' | null {
  if (['delivered', 'relayed', 'expanded'].includes(r.action)) return null;
  if (r.status.startsWith('5.')) return 'hard';
  if (r.status.startsWith('4.')) return 'soft';
  if (r.action === 'delayed') return 'soft';
  return null;
}

/** The VERP token of `bounces+<token>@domain` (32 hex digits), or null. */
export function verpToken(address: string | null | undefined): string | null {
  return (
    address
      ?.trim()
      .toLowerCase()
      .match(/^bounces\+([0-9a-f]{32})@/)?.[1] ?? null
  );
}

/** The envelope sender that carries a mail's VERP token. */
export const verpAddress = (token: string, domain: string) => `bounces+${token}@${domain}`;
