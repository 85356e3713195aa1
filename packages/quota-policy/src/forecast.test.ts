import { describe, expect, it } from 'vitest';
import { forecastExhaustion } from './forecast.js';

const now = new Date('2026-11-10T00:00:00Z');
const resetAt = new Date('2026-11-30T15:00:00Z');
const base = { capacityTokens: 100_000, hardLimitTokens: 105_000, now, resetAt };

describe('forecastExhaustion', () => {
  it('projects 100 % and 105 % at the mean daily burn', () => {
    const forecast = forecastExhaustion({ ...base, consumedTokens: 80_000, dailyTokens: [5_000, 5_000, 5_000, 5_000] });
    expect(forecast).toMatchObject({ burnRatePerDay: 5_000, dailySpread: 0, resetComesFirst: false, sampleDays: 4 });
    expect(forecast.reach100At).toBe('2026-11-14T00:00:00.000Z');
    expect(forecast.reach105At).toBe('2026-11-15T00:00:00.000Z');
  });

  it('gives an earlier and a later date from the spread of daily usage', () => {
    const forecast = forecastExhaustion({ ...base, consumedTokens: 80_000, dailyTokens: [2_000, 8_000, 2_000, 8_000] });
    expect(new Date(forecast.reach100Range.earliest!).getTime()).toBeLessThan(new Date(forecast.reach100At!).getTime());
    expect(new Date(forecast.reach100Range.latest!).getTime()).toBeGreaterThan(new Date(forecast.reach100At!).getTime());
  });

  it('says the reset comes first when the burn is too slow, or nothing is used', () => {
    expect(forecastExhaustion({ ...base, consumedTokens: 10_000, dailyTokens: [100, 200] })).toMatchObject({ reach100At: null, resetComesFirst: true });
    expect(forecastExhaustion({ ...base, consumedTokens: 0, dailyTokens: [] })).toMatchObject({ burnRatePerDay: 0, reach100At: null, resetComesFirst: true });
  });

  it('dates a limit already reached at now', () => {
    const forecast = forecastExhaustion({ ...base, consumedTokens: 101_000, dailyTokens: [1_000] });
    expect(forecast.reach100At).toBe(now.toISOString());
    expect(forecast.reach105At).toBe('2026-11-14T00:00:00.000Z');
  });
});
