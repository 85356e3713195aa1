import { describe, expect, it } from 'vitest';
import {
  INVITATION_HOURS,
  invitationUrl,
  isInvitationToken,
  managesMembers,
  memberActions,
  nameError,
  normalizeName,
  organizationPath,
  sortMembers,
  type OrganizationRole,
} from './organizations';

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
