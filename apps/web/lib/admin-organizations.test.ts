import { describe, expect, it } from 'vitest';
import {
  adminOrganizationPath,
  adminOrganizationsPath,
  pageCount,
  pageRange,
  planDistribution,
  planNameOf,
  rowOfListed,
  rowOfTop,
  type AdminOrganizationView,
  type TopOrganizationView,
} from './admin-organizations';

describe('adminOrganizationsPath', () => {
  it('asks for a page of 20, every organization when the search is blank', () => {
    expect(adminOrganizationsPath('', 1)).toBe('/api/admin/organizations?page=1&pageSize=20');
    expect(adminOrganizationsPath('   ', 3)).toBe('/api/admin/organizations?page=3&pageSize=20');
  });

  it('sends the trimmed name, encoded', () => {
    expect(adminOrganizationsPath('  한빛 상담실 ', 2, 10)).toBe(`/api/admin/organizations?page=2&pageSize=10&query=${encodeURIComponent('한빛 상담실').replaceAll('%20', '+')}`);
    expect(new URL(adminOrganizationsPath('a&b=c', 1), 'http://x').searchParams.get('query')).toBe('a&b=c');
  });

  it('never asks for a page before the first', () => {
    expect(adminOrganizationsPath('', 0)).toContain('page=1&');
    expect(adminOrganizationsPath('', -4)).toContain('page=1&');
  });
});

describe('adminOrganizationPath', () => {
  it('is the detail page with the id as a query parameter (a static export has no dynamic routes)', () => {
    expect(adminOrganizationPath('5f0c6c1e-0000-4000-8000-000000000001')).toBe('/admin/organizations/detail/?id=5f0c6c1e-0000-4000-8000-000000000001');
    expect(adminOrganizationPath('a b')).toBe('/admin/organizations/detail/?id=a%20b');
  });
});

describe('pageCount and pageRange', () => {
  it('counts at least one page', () => {
    expect(pageCount(0, 20)).toBe(1);
    expect(pageCount(20, 20)).toBe(1);
    expect(pageCount(21, 20)).toBe(2);
  });

  it('says which organizations a page shows', () => {
    expect(pageRange(1, 20, 57, 20)).toEqual({ from: 1, to: 20 });
    expect(pageRange(3, 20, 57, 17)).toEqual({ from: 41, to: 57 });
    expect(pageRange(1, 20, 0, 0)).toEqual({ from: 0, to: 0 });
  });
});

describe('rows', () => {
  it('gives the top organizations and the listed ones one shape', () => {
    const top: TopOrganizationView = { organizationId: 'o1', name: '한빛', planId: 'enterprise', members: 3, usedTokens: 1200, usagePercent: 1.2, level: 'NORMAL' };
    const listed: AdminOrganizationView = { id: 'o1', name: '한빛', planId: 'enterprise', members: 3, usedTokens: 1200, capacityTokens: 100_000, usagePercent: 1.2, level: 'NORMAL', createdAt: '2026-11-01T00:00:00.000Z' };
    expect(rowOfTop(top)).toEqual({ ...rowOfListed(listed), capacityTokens: null });
    expect(rowOfListed(listed).capacityTokens).toBe(100_000);
  });
});

describe('plans', () => {
  const named = [
    { id: 'free', name: '무료' },
    { id: 'enterprise', name: '엔터프라이즈' },
  ];

  it('names a plan, or keeps its id while the plans are not read or when it is gone', () => {
    expect(planNameOf('free', named)).toBe('무료');
    expect(planNameOf('free', undefined)).toBe('free');
    expect(planNameOf('gone', named)).toBe('gone');
  });

  it('keeps the API’s order and counts organizations, not users', () => {
    const rows = planDistribution(
      [
        { planId: 'free', users: 7, activeUsers: 2, usedTokens: 500 },
        { planId: 'enterprise', users: 1, activeUsers: 1, usedTokens: 9000 },
      ],
      named,
    );
    expect(rows).toEqual([
      { planId: 'free', name: '무료', organizations: 7, active: 2, usedTokens: 500 },
      { planId: 'enterprise', name: '엔터프라이즈', organizations: 1, active: 1, usedTokens: 9000 },
    ]);
  });
});
