import { describe, expect, it } from 'vitest';
import {
  exportRangeValid,
  INVITATION_HOURS,
  ledgerFileName,
  shiftDay,
  todayIn,
  invitationUrl,
  isInvitationToken,
  managesMembers,
  MEMBER_LIMIT_MAX,
  memberActions,
  memberLimitReached,
  memberUsageText,
  nameError,
  normalizeName,
  organizationPath,
  parseLimitInput,
  sortMembers,
  type OrganizationRole,
} from './organizations';

import { ko } from '@/messages/ko';
import { en } from '@/messages/en';

const ROLES: OrganizationRole[] = ['OWNER', 'ADMIN', 'MEMBER'];

describe('what the caller may do, as the API says it', () => {
  it('shows the member list to those the API sends it to', () => {
    expect(managesMembers({ members: [] })).toBe(true);
    expect(managesMembers({ members: null })).toBe(false);
  });

  it('offers on a member’s row the roles the API allows, in role order, the current one among them', () => {
    expect(memberActions({ role: 'MEMBER', assignableRoles: ['OWNER', 'ADMIN'], removable: true }, false)).toEqual({ roles: ['OWNER', 'ADMIN', 'MEMBER'], remove: true });
    expect(memberActions({ role: 'ADMIN', assignableRoles: ['MEMBER'], removable: true }, false)).toEqual({ roles: ['ADMIN', 'MEMBER'], remove: true });
    // nothing allowed: the role in words, no button
    expect(memberActions({ role: 'OWNER', assignableRoles: [], removable: false }, false)).toEqual({ roles: [], remove: false });
  });

  it('gives one’s own row no actions: one leaves with the page’s own button', () => {
    for (const role of ROLES) expect(memberActions({ role, assignableRoles: ['MEMBER'], removable: true }, true)).toEqual({ roles: [], remove: false });
  });

  it('lists owners, then admins, then members, each by when they joined', () => {
    const members = [
      { email: 'm2@x', role: 'MEMBER' as const, joinedAt: '2025-01-03T00:00:00Z' },
      { email: 'a@x', role: 'ADMIN' as const, joinedAt: '2025-01-04T00:00:00Z' },
      { email: 'm1@x', role: 'MEMBER' as const, joinedAt: '2025-01-02T00:00:00Z' },
      { email: 'o@x', role: 'OWNER' as const, joinedAt: '2025-01-05T00:00:00Z' },
    ];
    expect(sortMembers(members).map((member) => member.email)).toEqual(['o@x', 'a@x', 'm1@x', 'm2@x']);
    expect(members[0]!.email).toBe('m2@x');
  });
});

describe('the organization’s name', () => {
  it('is trimmed with runs of white space made one, as the API stores it', () => {
    expect(normalizeName('  온길   상담\t센터 \n')).toBe('온길 상담 센터');
  });

  it('must say something and hold at most 60 characters, counted as people count them', () => {
    expect(nameError('')).toBe('orgNameRequired');
    expect(nameError('   \t ')).toBe('orgNameRequired');
    expect(nameError('가'.repeat(60))).toBeNull();
    expect(nameError(`  ${'가'.repeat(60)}  `)).toBeNull();
    expect(nameError('가'.repeat(61))).toBe('orgNameTooLong');
    // 60 emoji are 120 UTF-16 units but 60 characters, as the API counts them
    expect(nameError('😀'.repeat(60))).toBeNull();
    expect(nameError('😀'.repeat(61))).toBe('orgNameTooLong');
    expect(nameError('A')).toBeNull();
  });
});

describe('invitation links', () => {
  it('accepts the token shape the API issues and nothing else', () => {
    expect(isInvitationToken('abcdefghijklmnopqrstuvwxyzAB-_09')).toBe(true);
    expect(isInvitationToken(null)).toBe(false);
    expect(isInvitationToken('')).toBe(false);
    expect(isInvitationToken('short')).toBe(false);
    expect(isInvitationToken('abcdefghijklmnopqrstuvwxyzAB-_0=')).toBe(false);
    expect(isInvitationToken('abcdefghijklmnopqrstuvwxyzAB-_090')).toBe(false);
  });

  it('is the API’s path on this site', () => {
    expect(invitationUrl('https://consult-on.example', '/organizations/join/?token=abc')).toBe('https://consult-on.example/organizations/join/?token=abc');
    expect(invitationUrl('http://127.0.0.1:3000/', '/organizations/join/?token=abc')).toBe('http://127.0.0.1:3000/organizations/join/?token=abc');
  });

  it('offers validity periods the API accepts (1–720 hours, whole days), the API’s default first', () => {
    expect(INVITATION_HOURS[0]).toBe(168);
    for (const hours of INVITATION_HOURS) {
      expect(hours).toBeGreaterThanOrEqual(1);
      expect(hours).toBeLessThanOrEqual(720);
      expect(hours % 24).toBe(0);
    }
  });

  it('links an organization by a query parameter (static export)', () => {
    expect(organizationPath('1b2c')).toBe('/organizations/detail/?id=1b2c');
    expect(organizationPath('a&b')).toBe('/organizations/detail/?id=a%26b');
  });
});

describe('a member’s use of the pool against their limit', () => {
  const words = (messages: Record<string, string>) => (key: string, vars?: Record<string, string | number>) =>
    (messages[key] ?? key).replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? `{${name}}`));
  const nf = (n: number) => new Intl.NumberFormat('ko-KR').format(n);
  const limited = { monthlyLimitTokens: 50_000, usedTokens: 12_000, heldTokens: 500, remainingTokens: 37_500, usagePercent: 24 };
  const unlimited = { monthlyLimitTokens: null, usedTokens: 12_000, heldTokens: 0, remainingTokens: null, usagePercent: null };

  it('says used / limit in the table, and "한도 없음" without one', () => {
    expect(memberUsageText(limited, 'cell', words(ko) as never, nf)).toBe('12,000 / 50,000토큰');
    expect(memberUsageText(unlimited, 'cell', words(ko) as never, nf)).toBe('12,000토큰 사용 · 한도 없음');
    expect(memberUsageText(limited, 'cell', words(en) as never, nf)).toBe('12,000 / 50,000 tokens');
    expect(memberUsageText(unlimited, 'cell', words(en) as never, nf)).toBe('12,000 tokens used · no limit');
  });

  it('says "내 한도" with what it leaves on the member’s own card, never a negative figure', () => {
    expect(memberUsageText(limited, 'line', words(ko) as never, nf)).toBe('내 한도: 12,000 / 50,000토큰 · 남은 토큰 37,500');
    expect(memberUsageText({ ...limited, remainingTokens: -10 }, 'line', words(ko) as never, nf)).toBe('내 한도: 12,000 / 50,000토큰 · 남은 토큰 0');
    expect(memberUsageText(unlimited, 'line', words(ko) as never, nf)).toBe('내 한도: 없음 · 이번 달 12,000토큰 사용');
    expect(memberUsageText(limited, 'line', words(en) as never, nf)).toBe('Your limit: 12,000 / 50,000 tokens · 37,500 tokens left');
  });

  it('is reached when the limit leaves nothing; never without a limit', () => {
    expect(memberLimitReached(limited)).toBe(false);
    expect(memberLimitReached({ monthlyLimitTokens: 50_000, usedTokens: 50_000 })).toBe(true);
    // A turn in flight holds the rest: not reached until it is used.
    expect(memberLimitReached({ monthlyLimitTokens: 50_000, usedTokens: 48_000 })).toBe(false);
    expect(memberLimitReached({ monthlyLimitTokens: 0, usedTokens: 0 })).toBe(true);
    expect(memberLimitReached(unlimited)).toBe(false);
  });
});

describe('a limit as typed', () => {
  it('is no limit when empty, a whole number of tokens otherwise', () => {
    expect(parseLimitInput('')).toEqual({ valid: true, monthlyLimitTokens: null });
    expect(parseLimitInput('   ')).toEqual({ valid: true, monthlyLimitTokens: null });
    expect(parseLimitInput('0')).toEqual({ valid: true, monthlyLimitTokens: 0 });
    expect(parseLimitInput(' 50,000 ')).toEqual({ valid: true, monthlyLimitTokens: 50_000 });
    expect(parseLimitInput(String(MEMBER_LIMIT_MAX))).toEqual({ valid: true, monthlyLimitTokens: MEMBER_LIMIT_MAX });
  });

  it('refuses what the API would: negative, fractional, words, past the maximum', () => {
    for (const text of ['-1', '1.5', '1e3', '오만', 'abc', String(MEMBER_LIMIT_MAX + 1), '99999999999999999999']) expect(parseLimitInput(text), text).toEqual({ valid: false });
  });
});

describe('the CSV file of the usage history', () => {
  it('takes today in the quota time zone, not the browser’s', () => {
    expect(todayIn('Asia/Seoul', new Date('2026-11-30T15:00:00Z'))).toBe('2026-12-01');
    expect(todayIn('Asia/Seoul', new Date('2026-11-30T14:59:59Z'))).toBe('2026-11-30');
    expect(shiftDay('2026-12-01', -29)).toBe('2026-11-02');
  });

  it('asks only for a range the API exports: real dates, in order, at most 366 days', () => {
    expect(exportRangeValid('2026-11-01', '2026-11-30')).toBe(true);
    expect(exportRangeValid('2026-11-30', '2026-11-30')).toBe(true);
    expect(exportRangeValid('2025-11-10', '2026-11-10')).toBe(true);
    expect(exportRangeValid('2025-11-09', '2026-11-10')).toBe(false);
    expect(exportRangeValid('2026-11-30', '2026-11-01')).toBe(false);
    expect(exportRangeValid('2026-02-30', '2026-03-01')).toBe(false);
    expect(exportRangeValid('', '2026-11-01')).toBe(false);
  });

  it('names the file by the organization and the days, without what a file name may not hold', () => {
    expect(ledgerFileName('온길 상담센터', '사용 내역', '2026-11-01', '2026-11-30')).toBe('온길 상담센터 사용 내역 2026-11-01~2026-11-30.csv');
    expect(ledgerFileName('A/B: "C"', 'usage history', '2026-11-01', '2026-11-30')).toBe('A_B_ _C_ usage history 2026-11-01~2026-11-30.csv');
  });
});
