import { describe, expect, it } from 'vitest';
import type { SocialStats } from '../api/social.api';
import { daysOf, negativeShareResult, sentimentResult, volumeResult } from './dashboard';

const stats: SocialStats = {
  from: '2026-12-01T09:30:00.000Z',
  volume: [
    { day: '2026-12-01', network: 'facebook', count: 2 },
    { day: '2026-12-03', network: 'facebook', count: 1 },
    { day: '2026-12-03', network: 'x', count: 4 },
  ],
  sentiment: [
    { day: '2026-12-01', average: -1, negative: 1, positive: 0, count: 2 },
    { day: '2026-12-03', average: 2, negative: 1, positive: 3, count: 5 },
  ],
  topAuthors: [],
  unanswered: 0,
  medianResponseMinutes: null,
};

describe('brand dashboard figures', () => {
  it('every day of the period, today included', () => {
    expect(daysOf(stats.from, new Date('2026-12-04T12:00:00Z'))).toEqual([
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
    ]);
  });

  it('one network per line, quiet days as zero', () => {
    const r = volumeResult(stats, 'facebook', new Date('2026-12-04T12:00:00Z'));
    expect(r.rows).toEqual([
      { day: '12-01', count: 2 },
      { day: '12-02', count: 0 },
      { day: '12-03', count: 1 },
      { day: '12-04', count: 0 },
    ]);
    expect(r.columns.map((c) => c.role)).toEqual(['group', 'measure']);
  });

  it('the sentiment split: positive, neutral (the rest), negative', () => {
    expect(sentimentResult(stats).rows).toEqual([
      { sentiment: 'Positive', count: 3 },
      { sentiment: 'Neutral', count: 2 },
      { sentiment: 'Negative', count: 2 },
    ]);
  });

  it('sentiment over time: the negative share of each day, quiet days as zero', () => {
    expect(negativeShareResult(stats, new Date('2026-12-04T12:00:00Z')).rows).toEqual([
      { day: '12-01', negative: 50 },
      { day: '12-02', negative: 0 },
      { day: '12-03', negative: 20 },
      { day: '12-04', negative: 0 },
    ]);
  });
});
