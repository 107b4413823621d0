import { describe, expect, it } from 'vitest';
import { dealsParams, parseDealsSearch, periodRange } from './deals-search';

describe('deals view search', () => {
  const now = new Date('2026-05-17T15:30:00Z');

  it('keeps only known values', () => {
    expect(parseDealsSearch({ period: 'year', status: 'won', owner: 'u1', pipeline: '' })).toEqual({
      period: 'year',
      owner: 'u1',
      pipeline: undefined,
      status: 'won',
    });
    expect(parseDealsSearch({ period: 'forever', status: 'maybe' })).toEqual({
      period: undefined,
      owner: undefined,
      pipeline: undefined,
      status: undefined,
    });
  });

  it('turns periods into UTC [from, to) ranges', () => {
    expect(periodRange(undefined, now)).toEqual({});
    expect(periodRange('30d', now)).toEqual({ from: '2026-04-18T00:00:00.000Z' });
    expect(periodRange('quarter', now)).toEqual({ from: '2026-04-01T00:00:00.000Z', to: '2026-07-01T00:00:00.000Z' });
    expect(periodRange('year', now)).toEqual({ from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' });
    expect(dealsParams({ owner: 'u1', pipeline: 'p1' }, now)).toEqual({
      ownerId: 'u1',
      pipelineId: 'p1',
      status: undefined,
    });
  });
});
