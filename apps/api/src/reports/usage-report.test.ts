import { describe, expect, it } from 'vitest';
import { busiestPart, comparison, EMPTY_USAGE, findings, forecast, previousMonth, tokensWithin, type MonthlyUsage } from './usage-report.js';

const usage = (overrides: Partial<MonthlyUsage>): MonthlyUsage => ({ ...EMPTY_USAGE, ...overrides });
// Weekday afternoons (Mon–Fri 12–18 h) get 600 of 1,000 tokens; a Saturday evening 400.
const october = usage({ tokens: 1_000, turns: 10, activeDays: 4, byDay: { '1': 300, '2': 300, '20': 400 }, byHour: { '14': 300, '38': 300, [String(5 * 24 + 20)]: 400 }, byModel: { 'consult-basic': 700, 'consult-pro': 300 } });

describe('usage report rules', () => {
  it('names the month before', () => {
    expect(previousMonth('2026-11')).toBe('2026-10');
    expect(previousMonth('2026-01')).toBe('2025-12');
  });

  it('finds the busiest part of the week', () => {
    expect(busiestPart(october)).toMatchObject({ weekend: false, part: { key: 'afternoon' }, share: 0.6 });
    expect(busiestPart(EMPTY_USAGE)).toBeNull();
  });

  it('compares a month under way by the same day, and a month over by its total', () => {
    const november = usage({ tokens: 810, byDay: { '1': 810 } });
    expect(tokensWithin(october, 2)).toBe(600);
    expect(tokensWithin(october, 1.5)).toBe(450);
    expect(comparison(november, october, { days: 30, elapsedDays: 2 })).toEqual({ change: expect.closeTo(0.35), pace: true });
    expect(comparison(november, october, { days: 30, elapsedDays: 30 })!.change).toBeCloseTo(-0.19);
    expect(comparison(november, null, { days: 30, elapsedDays: 2 })).toBeNull();
    // A few hours into a month say more about the hour than the month.
    expect(comparison(november, october, { days: 30, elapsedDays: 0.4 })).toBeNull();
  });

  it('forecasts a month under way at its pace, in whole tokens', () => {
    expect(forecast(usage({ tokens: 1_000 }), { days: 30, elapsedDays: 3 })).toBe(10_000);
    expect(forecast(usage({ tokens: 1_000 }), { days: 31, elapsedDays: 31 })).toBe(1_000);
    expect(forecast(usage({ tokens: 1_000 }), { days: 30, elapsedDays: 0 })).toBe(0);
  });

  it('says what it finds in plain Korean and English', () => {
    const november = usage({ tokens: 810, turns: 3, byDay: { '1': 810 }, byHour: { '14': 810 }, byModel: { 'consult-basic': 810 } });
    expect(findings(november, october, { days: 30, elapsedDays: 2 }, 'ko')).toEqual([
      '평일 오후에 사용량의 100%가 몰립니다.',
      '이번 달은 지난달보다 35% 빠르게 사용 중입니다.',
      '지금 속도라면 이번 달에 약 12,150토큰을 쓰게 됩니다.',
    ]);
    expect(findings(october, null, { days: 31, elapsedDays: 31 }, 'en')).toEqual(['60% of your usage falls on weekday afternoons.', 'consult-basic accounts for 70% of your usage.']);
    expect(findings(EMPTY_USAGE, null, { days: 30, elapsedDays: 5 }, 'ko')).toEqual(['이 달에는 AI 상담을 이용하지 않았습니다.']);
  });
});

describe('the monthly job’s ranges of accounts', () => {
  it('cover every id once, in order', async () => {
    const { accountRanges } = await import('./reports.repository.js');
    const ranges = accountRanges(4);
    expect(ranges[0]!.from).toBe('00000000-0000-0000-0000-000000000000');
    expect(ranges.at(-1)!.to).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff');
    expect(ranges.map((range) => range.from.slice(0, 8))).toEqual(['00000000', '40000000', '80000000', 'c0000000']);
    for (let index = 1; index < ranges.length; index += 1) {
      expect(ranges[index - 1]!.to.slice(0, 8)).toBe((parseInt(ranges[index]!.from.slice(0, 8), 16) - 1).toString(16).padStart(8, '0'));
      expect(ranges[index - 1]!.to.slice(8)).toBe('-ffff-ffff-ffff-ffffffffffff');
    }
    expect(accountRanges(3).map((range) => range.from.slice(0, 8))).toEqual(['00000000', '55555555', 'aaaaaaaa']);
  });
});
