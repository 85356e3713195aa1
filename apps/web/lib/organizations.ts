/**
 * Organizations (조직) in the web app, pure: what the caller may do (as the API says it for each
 * member and for invitations), the name as the API checks it, the invitation link and its token.
 */
import { parseWholeNumber } from './whole-number';
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
export type OrganizationUsageView = Schemas['OrganizationUsageView'];
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

/** How a name is checked, as the API checks it: its length in code points, and the messages that say so. */
export interface NameRule {
  max: number;
  hint: Key;
  required: Key;
  tooLong: Key;
}

export const ORGANIZATION_NAME_RULE: NameRule = { max: ORGANIZATION_NAME_MAX, hint: 'orgNameHint', required: 'orgNameRequired', tooLong: 'orgNameTooLong' };

/** The name's problem as a message key, or null: 1 to `rule.max` characters (by code point), not blank. */
export function nameError(text: string, rule: NameRule = ORGANIZATION_NAME_RULE): Key | null {
  const name = normalizeName(text);
  if (!name) return rule.required;
  if ([...name].length > rule.max) return rule.tooLong;
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

// ---- the pool: each member's use of it against their monthly limit ----

export type MemberUsageView = Schemas['MemberUsageView'];

type Translate = (key: Key, vars?: Record<string, string | number>) => string;

/**
 * A member's use of the pool in words: "12,000 / 50,000토큰" against a limit, "12,000토큰 사용 ·
 * 한도 없음" without one (`cell`, the members table); "내 한도: … · 남은 토큰 38,000" for the
 * member themself (`line`, their usage card).
 */
export function memberUsageText(usage: MemberUsageView, form: 'cell' | 'line', t: Translate, nf: (n: number) => string): string {
  const used = nf(usage.usedTokens);
  if (usage.monthlyLimitTokens === null) return t(form === 'cell' ? 'memberUsageNoLimit' : 'memberNoLimitLine', { used });
  const limit = nf(usage.monthlyLimitTokens);
  if (form === 'cell') return t('memberUsageOfLimit', { used, limit });
  return t('memberLimitLine', { used, limit, left: nf(Math.max(0, usage.remainingTokens ?? 0)) });
}

/**
 * Whether the member has used their whole monthly limit (what they used, not what their turns in
 * flight hold: a turn of theirs being answered takes what room is left, and must not show the
 * limit as reached before it ends).
 */
export function memberLimitReached(usage: Pick<MemberUsageView, 'monthlyLimitTokens' | 'usedTokens'>): boolean {
  return usage.monthlyLimitTokens !== null && usage.usedTokens >= usage.monthlyLimitTokens;
}

/** The most a limit may be (PUT …/members/:userId/limit). */
export const MEMBER_LIMIT_MAX = 1_000_000_000_000;

/**
 * A limit as typed: empty is no limit (null); otherwise a whole number of tokens, 0 to the
 * maximum, with thousands separators allowed ("50,000"). Anything else: `invalid`.
 */
export function parseLimitInput(text: string): { valid: true; monthlyLimitTokens: number | null } | { valid: false } {
  const parsed = parseWholeNumber(text, { min: 0, max: MEMBER_LIMIT_MAX });
  return parsed.valid ? { valid: true, monthlyLimitTokens: parsed.value } : { valid: false };
}

// ---- reports on the pool: a member's daily use, the ledger as a CSV file ----

/** The days a member's chart may show (the API allows 1–90); the first is the default. */
export const MEMBER_CHART_DAYS: readonly number[] = [30, 7, 90];

/** The most days one CSV file may cover (GET …/ledger.csv). */
export const LEDGER_EXPORT_MAX_DAYS = 366;

/** Today (YYYY-MM-DD) in the time zone of the quota's days. */
export function todayIn(timeZone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The day `days` days after `day` (before, when negative). */
export function shiftDay(day: string, days: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date + days)).toISOString().slice(0, 10);
}

/** Whether the days from `from` to `to` (both included) make a range the API exports: real dates, in order, at most 366 days. */
export function exportRangeValid(from: string, to: string): boolean {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (!day.test(from) || !day.test(to) || shiftDay(from, 0) !== from || shiftDay(to, 0) !== to) return false;
  return from <= to && shiftDay(from, LEDGER_EXPORT_MAX_DAYS - 1) >= to;
}

/** The saved file's name: the organization's name (without what a file name may not hold) and the days. */
export function ledgerFileName(organizationName: string, label: string, from: string, to: string): string {
  const name = organizationName.replace(/[\\/:*?"<>|\u0000-\u001f]/g, '_').trim() || 'organization';
  return `${name} ${label} ${from}~${to}.csv`;
}
