import { describe, expect, it } from 'vitest';
import { daysFromTo, fillDays, localDay, localDaysSpan, localTime, seriesStart, shiftDay } from './usage-history.js';

const SEOUL = 'Asia/Seoul';

describe('local days', () => {
  it('name the day an instant falls on in the time zone, not in UTC', () => {
    expect(localDay(new Date('2026-11-09T14:59:59Z'), SEOUL)).toBe('2026-11-09');
    expect(localDay(new Date('2026-11-09T15:00:00Z'), SEOUL)).toBe('2026-11-10');
    expect(localTime(new Date('2026-11-09T15:00:00Z'), SEOUL)).toBe('2026-11-10T00:00:00+09:00');
  });

  it('count and shift across months and leap days', () => {
    expect(shiftDay('2026-03-01', -1)).toBe('2026-02-28');
    expect(shiftDay('2028-03-01', -1)).toBe('2028-02-29');
    expect(shiftDay('2026-11-30', -29)).toBe('2026-11-01');
    expect(daysFromTo('2026-11-01', '2026-11-30')).toBe(30);
    expect(daysFromTo('2026-11-10', '2026-11-10')).toBe(1);
    expect(daysFromTo('2026-11-10', '2026-11-09')).toBe(0);
    expect(daysFromTo('2025-11-10', '2026-11-10')).toBe(366);
  });

  it('span from the start of the first day to the start of the day after the last', () => {
    expect(localDaysSpan('2026-11-01', '2026-11-30', SEOUL)).toEqual({ start: new Date('2026-10-31T15:00:00Z'), end: new Date('2026-11-30T15:00:00Z') });
    expect(localDaysSpan('2026-12-31', '2026-12-31', SEOUL).end).toEqual(new Date('2026-12-31T15:00:00Z'));
  });

  it('agree with the daily series: its first day starts where its span does', () => {
    const now = new Date('2026-11-10T03:00:00Z');
    const series = fillDays([], now, 7, SEOUL);
    expect(localDaysSpan(series[0]!.day, series.at(-1)!.day, SEOUL).start).toEqual(seriesStart(now, 7, SEOUL));
  });
});
