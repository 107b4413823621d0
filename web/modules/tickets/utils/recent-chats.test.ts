import { describe, expect, it } from 'vitest';
import { type RecentChat, ratingStars, recentChatSummary } from './recent-chats';

const chat = (over: Partial<RecentChat>): RecentChat => ({
  id: 'c1',
  status: 'ended',
  agent: { id: 'u1', name: 'Alex Agent' },
  startedAt: '2026-12-01T10:00:00.000Z',
  endedAt: '2026-12-01T10:12:20.000Z',
  rating: 4,
  ticketId: null,
  interactionId: 'i1',
  ...over,
});

describe('recent chats in the service card', () => {
  it('names who answered, how the chat stands and how long it took', () => {
    expect(recentChatSummary(chat({}))).toBe('Answered by Alex Agent · Ended · 12 min');
    expect(recentChatSummary(chat({ endedAt: '2026-12-01T10:00:20.000Z' }))).toBe(
      'Answered by Alex Agent · Ended · under a minute',
    );
    expect(recentChatSummary(chat({ status: 'active', endedAt: null }))).toBe('Answered by Alex Agent · In progress');
    expect(recentChatSummary(chat({ status: 'ticket', agent: null, endedAt: '2026-12-01T10:05:00.000Z' }))).toBe(
      'Not answered · Became a ticket · 5 min',
    );
  });

  it('shows a rating as stars with words, and nothing when not rated', () => {
    expect(ratingStars(4)).toEqual({ stars: '★★★★☆', label: '4 of 5' });
    expect(ratingStars(null)).toBeNull();
  });
});
