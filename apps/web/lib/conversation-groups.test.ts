import { describe, expect, it } from 'vitest';
import { dateGroupOf, groupByDate } from './conversation-groups';

/** A local time (the test runner's time zone), as the browser would read it. */
const local = (year: number, month: number, day: number, hours = 0, minutes = 0) => new Date(year, month - 1, day, hours, minutes);

describe('dateGroupOf', () => {
  const now = local(2026, 11, 29, 9, 30);

  it('groups by the local calendar day, not by 24-hour spans', () => {
    expect(dateGroupOf(local(2026, 11, 29, 0, 0).toISOString(), now)).toBe('today');
    expect(dateGroupOf(local(2026, 11, 28, 23, 59).toISOString(), now)).toBe('yesterday');
    expect(dateGroupOf(local(2026, 11, 28, 0, 0).toISOString(), now)).toBe('yesterday');
    expect(dateGroupOf(local(2026, 11, 27, 23, 59).toISOString(), now)).toBe('week');
    expect(dateGroupOf(local(2026, 11, 22, 0, 0).toISOString(), now)).toBe('week');
    expect(dateGroupOf(local(2026, 11, 21, 23, 59).toISOString(), now)).toBe('older');
    expect(dateGroupOf(local(2025, 1, 1).toISOString(), now)).toBe('older');
  });

  it('counts a moment ahead of the clock as today, and an unreadable one as older', () => {
    expect(dateGroupOf(local(2026, 11, 30, 12).toISOString(), now)).toBe('today');
    expect(dateGroupOf('not a date', now)).toBe('older');
  });

  it('crosses month and year ends', () => {
    const newYear = local(2027, 1, 1, 0, 5);
    expect(dateGroupOf(local(2026, 12, 31, 23, 0).toISOString(), newYear)).toBe('yesterday');
    expect(dateGroupOf(local(2026, 12, 26, 12).toISOString(), newYear)).toBe('week');
  });
});

describe('groupByDate', () => {
  it('keeps the groups in order and the items in theirs, leaving out empty groups', () => {
    const now = local(2026, 11, 29, 18);
    const items = [
      { id: 'a', updatedAt: local(2026, 11, 29, 17).toISOString() },
      { id: 'b', updatedAt: local(2026, 11, 29, 8).toISOString() },
      { id: 'c', updatedAt: local(2026, 11, 20).toISOString() },
      { id: 'd', updatedAt: local(2026, 10, 1).toISOString() },
    ];
    expect(groupByDate(items, now).map(({ group, items: inGroup }) => [group, inGroup.map((item) => item.id)])).toEqual([
      ['today', ['a', 'b']],
      ['older', ['c', 'd']],
    ]);
    expect(groupByDate([], now)).toEqual([]);
  });
});
