import { describe, expect, it } from 'vitest';
import type { TReportResult } from '../api/reports.api';
import { drillFilter, nextBucket } from './drill';

const column = (name: string, type: string, bucket: string | null = null) => ({
  name,
  label: name,
  role: 'group' as const,
  type,
  field: name,
  op: null,
  bucket: bucket as never,
  labels: null,
});

describe('opening the records behind a report row', () => {
  it('finds the next bucket of every size, across month and year ends', () => {
    expect(nextBucket('2026-01-31', 'day')).toBe('2026-02-01');
    expect(nextBucket('2026-12-28', 'week')).toBe('2027-01-04');
    expect(nextBucket('2026-12-01', 'month')).toBe('2027-01-01');
    expect(nextBucket('2026-10-01', 'quarter')).toBe('2027-01-01');
    expect(nextBucket('2026-01-01', 'year')).toBe('2027-01-01');
  });

  it('keeps the report filter and adds each group: a value, a date range, or "is empty"', () => {
    const result: TReportResult = {
      columns: [column('stageId', 'select'), column('closedAt', 'datetime', 'month')],
      rows: [],
      truncated: false,
    };
    const definition = {
      object: 'opportunities',
      filter: { field: 'status', op: 'eq' as const, value: 'won' },
      measures: [{ op: 'count' as const, as: 'n' }],
    };
    expect(drillFilter(definition, result, { stageId: 's1', closedAt: '2026-02-01', n: 3 })).toEqual({
      and: [
        { field: 'status', op: 'eq', value: 'won' },
        { field: 'stageId', op: 'eq', value: 's1' },
        { field: 'closedAt', op: 'gte', value: '2026-02-01T00:00:00.000Z' },
        { field: 'closedAt', op: 'lt', value: '2026-03-01T00:00:00.000Z' },
      ],
    });
    expect(
      drillFilter(
        { ...definition, filter: undefined },
        { ...result, columns: [column('ownerId', 'user')] },
        { ownerId: null },
      ),
    ).toEqual({
      field: 'ownerId',
      op: 'isEmpty',
    });
  });
});
