import { describe, expect, it } from 'vitest';
import { historySource } from './history';

describe('historySource', () => {
  it('reads one’s own account without a workspace', () => {
    const source = historySource(null, null)!;
    expect(source.daily(12)).toBe('/api/ai-usage/daily?days=12');
    expect(source.ledger(0)).toBe('/api/ai-usage/history?limit=20');
    expect(source.ledger(345)).toBe('/api/ai-usage/history?limit=20&before=345');
  });
  it('reads one’s own use of the pool in an organization, its series at most 90 days', () => {
    const source = historySource('org-1', 'user-1')!;
    expect(source.daily(31)).toBe('/api/organizations/org-1/members/user-1/daily?days=31');
    expect(source.daily(120)).toBe('/api/organizations/org-1/members/user-1/daily?days=90');
    expect(source.ledger(7)).toBe('/api/organizations/org-1/members/user-1/history?limit=20&before=7');
  });
  it('waits for the signed-in user in an organization', () => {
    expect(historySource('org-1', null)).toBeNull();
  });
});
