/**
 * Organizations (조직) in the web app, pure: what the caller may do (as the API says it for each
 * member and for invitations), the name as the API checks it, the invitation link and its token.
 */
import type { components } from '@consult-on/api-contract';
import type { Key } from './i18n';
import { collapseWhitespace } from './text';

type Schemas = components['schemas'];
export type OrganizationView = Schemas['OrganizationView'];
export type OrganizationSummaryView = Schemas['OrganizationSummaryView'];
export type MemberView = Schemas['MemberView'];
export type InvitationView = Schemas['InvitationView'];
export type CreatedInvitationView = Schemas['CreatedInvitationView'];
export type MembershipView = Schemas['MembershipView'];
export type OrganizationRole = OrganizationView['role'];
export type InvitableRole = InvitationView['role'];

export const ORGANIZATION_ROLES: readonly OrganizationRole[] = ['OWNER', 'ADMIN', 'MEMBER'];

/** A role in words: the organization's admin is 조직 관리자, never the service's 관리자. */
export const roleKey: Record<OrganizationRole, Key> = { OWNER: 'orgRoleOwner', ADMIN: 'orgRoleAdmin', MEMBER: 'orgRoleMember' };

// ---- who may do what: the API says it (organization-rules.ts); the page only shows it ----

/** Owners and admins manage the members: the API sends the member list to them only. */
export function managesMembers(organization: Pick<OrganizationView, 'members'>): boolean {
  return organization.members !== null;
}

/**
 * What the caller may do to one member's row, from what the API sent with it: the roles the
 * select offers (the member's own role among them, in role order; empty: no select) and whether
 * a remove button is shown. One's own row has neither — the caller leaves with the page's button.
 */
export function memberActions(member: Pick<MemberView, 'role' | 'assignableRoles' | 'removable'>, self: boolean): { roles: OrganizationRole[]; remove: boolean } {
  if (self) return { roles: [], remove: false };
  const offered = member.assignableRoles as OrganizationRole[];
  return { roles: offered.length ? ORGANIZATION_ROLES.filter((role) => role === member.role || offered.includes(role)) : [], remove: member.removable };
}

/** Members in the order people look for them: owners, admins, members, each by when they joined. */
export function sortMembers<T extends Pick<MemberView, 'role' | 'joinedAt' | 'email'>>(members: readonly T[]): T[] {
  const rank = (role: OrganizationRole) => ORGANIZATION_ROLES.indexOf(role);
  return [...members].sort((a, b) => rank(a.role) - rank(b.role) || a.joinedAt.localeCompare(b.joinedAt) || a.email.localeCompare(b.email));
}

// ---- the name ----

export const ORGANIZATION_NAME_MAX = 60;

/** The name as the API stores it: trimmed, runs of white space made one space. */
export const normalizeName = collapseWhitespace;

/** The name's problem as a message key, or null: 1–60 characters (by code point), not blank. */
export function nameError(text: string): Key | null {
  const name = normalizeName(text);
  if (!name) return 'orgNameRequired';
  if ([...name].length > ORGANIZATION_NAME_MAX) return 'orgNameTooLong';
  return null;
}

// ---- invitation links ----

/** The token an invitation link holds, as the API accepts it (32 URL-safe base64 characters). */
export function isInvitationToken(token: string | null | undefined): token is string {
  return !!token && /^[A-Za-z0-9_-]{32}$/.test(token);
}

/** The link to send: the API's path on this site. */
export function invitationUrl(origin: string, path: string): string {
  return `${origin.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

/** The hours an invitation may be valid (the API's 1–720), offered as choices; the first is the API's default. */
export const INVITATION_HOURS: readonly number[] = [168, 24, 72, 720];

/** An organization page's address. */
export function organizationPath(id: string): string {
  return `/organizations/detail/?id=${encodeURIComponent(id)}`;
}
