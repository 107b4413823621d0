import sanitizeHtml from 'sanitize-html';
import { uuidv7 } from 'uuidv7';

/**
 * Text helpers of a ticket's conversation: quoted history trimmed for display, plain text
 * as safe HTML, and Message-IDs of our own.
 */

/** Lines that start a reply's quoted history in the common mail clients. */
const QUOTE_HEADERS = [
  /^On .{3,300}(wrote|schrieb|a écrit|escribió):\s*$/i,
  /^Am .{3,300}schrieb.*:\s*$/i,
  /^-{2,}\s*Original Message\s*-{2,}\s*$/i,
  /^-{2,}\s*Ursprüngliche Nachricht\s*-{2,}\s*$/i,
  /^_{10,}\s*$/,
  /^From:\s.+$/,
];

/**
 * The new part of a reply: the text before its quoted history ("On … wrote:", an
 * "Original Message" divider, an Outlook "From:" block, or trailing "> " lines).
 * Returns the whole text when trimming would leave nothing.
 */
export function trimQuoted(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    // "On Mon, … at 10:00, Ann <ann@…>" is often wrapped onto two lines before "wrote:".
    const joined = i + 1 < lines.length ? `${line} ${(lines[i + 1] as string).trim()}` : line;
    if (QUOTE_HEADERS.some((re) => re.test(line)) || (/^On\s/i.test(line) && QUOTE_HEADERS[0]?.test(joined))) {
      end = i;
      break;
    }
  }
  // Quoted lines ("> …") at the end, and the blank lines around them.
  while (end > 0 && /^\s*(>.*)?$/.test(lines[end - 1] as string)) end--;
  const kept = lines.slice(0, end).join('\n').trim();
  return kept || text.trim();
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Plain text as HTML paragraphs (escaped; links left as text). */
export function textToHtml(text: string): string {
  return text
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
}

/** HTML from outside, kept to formatting: no scripts, styles, forms, event handlers or remote images. */
export function safeHtml(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'img'),
    allowedAttributes: { a: ['href', 'title'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow' }) },
  });
}

/** A new RFC 5322 Message-ID (without angle brackets) in `domain`. */
export function newMessageId(domain: string): string {
  return `${uuidv7()}@${domain.replace(/[^a-zA-Z0-9.-]/g, '') || 'rapport.invalid'}`;
}

/** The domain of an address (`support@acme.test` → `acme.test`), for Message-IDs. */
export const domainOf = (address: string): string => address.split('@').pop()?.replace(/>.*$/, '') || 'rapport.invalid';

/** `[#1042] Subject`, not doubled when the subject already carries the reference. */
export function ticketSubject(number: number, subject: string): string {
  const ref = `[#${number}]`;
  return subject.includes(ref) ? subject : `${ref} ${subject}`;
}

/** The ticket number a subject refers to (`Re: [#1042] Printer`), or null. */
export function subjectTicketNumber(subject: string): number | null {
  const m = /\[#(\d{1,12})\]/.exec(subject);
  return m ? Number(m[1]) : null;
}
