import { describe, expect, it } from 'vitest';
import { KEY_LIMITS, keysPath, keyStatus, limitText, openAiBaseUrl, parseKeyLimit } from './api-keys';

describe('API keys in the web app', () => {
  const now = new Date('2026-12-01T00:00:00Z');
  it('tells a revoked, an expired and a usable key apart, as the API decides', () => {
    expect(keyStatus({ revokedAt: '2026-11-30T00:00:00Z', expiresAt: null }, now)).toBe('keyRevoked');
    expect(keyStatus({ revokedAt: null, expiresAt: '2026-12-01T00:00:00Z' }, now)).toBe('keyExpired');
    expect(keyStatus({ revokedAt: null, expiresAt: '2026-12-02T00:00:00Z' }, now)).toBe('keyActive');
    expect(keyStatus({ revokedAt: null, expiresAt: null }, now)).toBe('keyActive');
  });

  it('gives the SDK its base URL and each owner its list', () => {
    expect(openAiBaseUrl('https://consult-on.example/')).toBe('https://consult-on.example/v1');
    expect(keysPath(null)).toBe('/api/api-keys');
    expect(keysPath('org-1')).toBe('/api/organizations/org-1/api-keys');
  });
});

describe('parseKeyLimit', () => {
  it('reads empty as none and whole numbers with separators', () => {
    expect(parseKeyLimit('', KEY_LIMITS.monthlyBudgetTokens)).toEqual({ valid: true, value: null });
    expect(parseKeyLimit('  ', KEY_LIMITS.turnsPerMinute)).toEqual({ valid: true, value: null });
    expect(parseKeyLimit('50,000', KEY_LIMITS.monthlyBudgetTokens)).toEqual({ valid: true, value: 50_000 });
    expect(parseKeyLimit('0', KEY_LIMITS.monthlyBudgetTokens)).toEqual({ valid: true, value: 0 });
    expect(parseKeyLimit('100', KEY_LIMITS.concurrentTurns)).toEqual({ valid: true, value: 100 });
  });

  it('refuses what the API would: out of bounds, fractions, signs, words, 1e23', () => {
    for (const text of ['0', '101', '-1', '1.5', 'ten', '1e3']) expect(parseKeyLimit(text, KEY_LIMITS.concurrentTurns).valid, text).toBe(false);
    expect(parseKeyLimit('1e23', KEY_LIMITS.monthlyBudgetTokens).valid).toBe(false);
    expect(parseKeyLimit('1000000000001', KEY_LIMITS.monthlyBudgetTokens).valid).toBe(false);
    expect(parseKeyLimit('99999999999999999999', KEY_LIMITS.monthlyBudgetTokens).valid).toBe(false);
  });

  it('shows none as empty', () => {
    expect(limitText(null)).toBe('');
    expect(limitText(0)).toBe('0');
  });
});
