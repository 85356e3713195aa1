import { describe, expect, it } from 'vitest';
import { keysPath, keyStatus, openAiBaseUrl } from './api-keys';

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
