import type { TReportColumn, TReportResult } from '../../../../common/contracts/reports';
import type { SocialStats } from '../api/social.api';

/* The brand dashboard's figures as report results, so the reports module's charts draw them. */

const column = (name: string, label: string, role: 'group' | 'measure', type: string): TReportColumn => ({
  name,
  label,
  role,
  type,
  field: null,
  op: role === 'measure' ? 'count' : null,
  bucket: null,
  labels: null,
});

/** Every day from the dashboard's first day to today (UTC), so a quiet day draws as zero. */
export function daysOf(from: string, now = new Date()): string[] {
  const out: string[] = [];
  const d = new Date(`${from.slice(0, 10)}T00:00:00.000Z`);
  const end = now.toISOString().slice(0, 10);
  for (let i = 0; i < 400; i++) {
    const day = d.toISOString().slice(0, 10);
    out.push(day);
    if (day >= end) break;
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** One network's messages per day, as a report result the reports module's chart draws. */
export function volumeResult(stats: SocialStats, network: string, now = new Date()): TReportResult {
  const counts = new Map(stats.volume.filter((v) => v.network === network).map((v) => [v.day, v.count]));
  return {
    columns: [column('day', 'Day', 'group', 'date'), column('count', 'Messages', 'measure', 'number')],
    rows: daysOf(stats.from, now).map((day) => ({ day: day.slice(5), count: counts.get(day) ?? 0 })),
    truncated: false,
  };
}

/** Positive, neutral and negative messages over the period, as a report result (a pie). */
export function sentimentResult(stats: SocialStats): TReportResult {
  const positive = stats.sentiment.reduce((s, d) => s + d.positive, 0);
  const negative = stats.sentiment.reduce((s, d) => s + d.negative, 0);
  const total = stats.sentiment.reduce((s, d) => s + d.count, 0);
  return {
    columns: [column('sentiment', 'Sentiment', 'group', 'select'), column('count', 'Messages', 'measure', 'number')],
    rows: [
      { sentiment: 'Positive', count: positive },
      { sentiment: 'Neutral', count: Math.max(0, total - positive - negative) },
      { sentiment: 'Negative', count: negative },
    ],
    truncated: false,
  };
}

/**
 * Sentiment over time: the share of each day's messages that read as negative, in percent
 * (a day without messages is 0), as a report result the reports module's line chart draws.
 */
export function negativeShareResult(stats: SocialStats, now = new Date()): TReportResult {
  const byDay = new Map(stats.sentiment.map((d) => [d.day, d]));
  return {
    columns: [column('day', 'Day', 'group', 'date'), column('negative', 'Negative messages (%)', 'measure', 'number')],
    rows: daysOf(stats.from, now).map((day) => {
      const d = byDay.get(day);
      return { day: day.slice(5), negative: d && d.count > 0 ? Math.round((100 * d.negative) / d.count) : 0 };
    }),
    truncated: false,
  };
}
