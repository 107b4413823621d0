import type { ServiceSummary } from '../api/service-desk.api';

export type RecentChat = ServiceSummary['recentChats'][number];

const STATUS: Record<RecentChat['status'], string> = {
  waiting: 'Waiting',
  active: 'In progress',
  ended: 'Ended',
  ticket: 'Became a ticket',
};

/** "Answered by Alex · Ended · 12 min" — who answered it, how it stands, how long it took (when it ended). */
export function recentChatSummary(chat: RecentChat): string {
  const parts = [chat.agent ? `Answered by ${chat.agent.name || 'an agent'}` : 'Not answered', STATUS[chat.status]];
  if (chat.endedAt) {
    const minutes = Math.max(0, Math.round((Date.parse(chat.endedAt) - Date.parse(chat.startedAt)) / 60_000));
    parts.push(minutes < 1 ? 'under a minute' : `${minutes} min`);
  }
  return parts.join(' · ');
}

/** The rating as stars for the eye, and its words for a screen reader; null when not rated. */
export function ratingStars(rating: number | null): { stars: string; label: string } | null {
  if (rating == null) return null;
  const n = Math.min(5, Math.max(0, Math.round(rating)));
  return { stars: '★'.repeat(n) + '☆'.repeat(5 - n), label: `${n} of 5` };
}
