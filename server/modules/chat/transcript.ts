import type { TChatMessage } from '../../../common/contracts/chat';

/**
 * A chat as plain text for the contact's timeline and for the ticket a chat nobody answered
 * becomes: one line per message (time, who, text, the names of its files), and the visitor's rating when given.
 */
export function transcriptText(
  messages: TChatMessage[],
  csat: { rating: number; comment: string | null } | null,
): string {
  const lines = messages.map((m) => {
    const who = m.author === 'visitor' ? 'Visitor' : m.author === 'agent' ? (m.authorName ?? 'Agent') : 'Chat';
    const files = (m.attachments ?? []).map((a) => `[file: ${a.filename}]`).join(' ');
    return `[${m.createdAt.slice(11, 16)}] ${who}: ${[m.body, files].filter(Boolean).join(' ')}`;
  });
  if (csat) lines.push('', `Rating: ${csat.rating}/5${csat.comment ? ` — ${csat.comment}` : ''}`);
  return lines.join('\n').slice(0, 60_000);
}
