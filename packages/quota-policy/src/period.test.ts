import { describe, expect, it } from 'vitest';
import { isPeriodKey, periodFromKey, periodOf, periodsBetween } from './period.js';

const seoul = 'Asia/Seoul';

describe('periodOf in Asia/Seoul', () => {
  it('keeps 23:59:59 KST on the last day in the old month', () => {
    // 2026-11-30T23:59:59+09:00 is 14:59:59 UTC.
    expect(periodOf(new Date('2026-11-30T14:59:59.999Z'), seoul).key).toBe('2026-11');
  });

  it('starts the new month at 00:00 KST on the 1st, while UTC is still on the previous day', () => {
    const period = periodOf(new Date('2026-11-30T15:00:00.000Z'), seoul);
    expect(period.key).toBe('2026-12');
    expect(period.start.toISOString()).toBe('2026-11-30T15:00:00.000Z');
    expect(period.end.toISOString()).toBe('2026-12-31T15:00:00.000Z');
  });

  it('crosses the year', () => {
    expect(periodOf(new Date('2026-12-31T15:00:00.000Z'), seoul).key).toBe('2027-01');
  });

  it('follows daylight saving in zones that have it', () => {
    const period = periodOf(new Date('2026-04-15T12:00:00Z'), 'America/New_York');
    expect(period.start.toISOString()).toBe('2026-04-01T04:00:00.000Z');
    expect(periodOf(new Date('2026-01-15T12:00:00Z'), 'America/New_York').start.toISOString()).toBe(
      '2026-01-01T05:00:00.000Z',
    );
  });
});

describe('period keys', () => {
  it('round-trips a key', () => {
    expect(periodFromKey('2027-02', seoul)).toEqual(periodOf(new Date('2027-02-14T00:00:00Z'), seoul));
  });

  it('counts periods between keys across years', () => {
    expect(periodsBetween('2026-11', '2026-11')).toBe(0);
    expect(periodsBetween('2026-11', '2027-02')).toBe(3);
  });

  it('rejects malformed keys', () => {
    expect(isPeriodKey('2026-13')).toBe(false);
    expect(() => periodFromKey('2026-1', seoul)).toThrow(RangeError);
  });
});
