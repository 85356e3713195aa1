/**
 * Organizations (조직) on the admin pages, pure: the list's address and its pages, one row shape
 * for the stats page's top organizations and the list's, and the organizations per plan with the
 * plans' names.
 */
import type { components } from '@consult-on/api-contract';

type Schemas = components['schemas'];
export type AdminOrganizationView = Schemas['AdminOrganizationView'];
export type AdminOrganizationPageView = Schemas['AdminOrganizationPageView'];
export type AdminOrganizationDetailView = Schemas['AdminOrganizationDetailView'];
export type AdminMemberView = Schemas['AdminMemberView'];
export type TopOrganizationView = Schemas['TopOrganizationView'];
export type OrganizationStatsView = Schemas['OrganizationStatsView'];
export type PlanUsageView = Schemas['PlanUsageView'];

/** Organizations on one page of the admin list. */
export const ADMIN_ORGANIZATIONS_PAGE_SIZE = 20;

/** GET /api/admin/organizations for a search (part of the name; blank: every organization) and a page (from 1). */
export function adminOrganizationsPath(query: string, page: number, pageSize = ADMIN_ORGANIZATIONS_PAGE_SIZE): string {
  const params = new URLSearchParams({ page: String(Math.max(1, Math.floor(page))), pageSize: String(pageSize) });
  const name = query.trim();
  if (name) params.set('query', name);
  return `/api/admin/organizations?${params.toString()}`;
}

/** An organization's page in the admin area. */
export function adminOrganizationPath(id: string): string {
  return `/admin/organizations/detail/?id=${encodeURIComponent(id)}`;
}

/** How many pages `total` organizations make (at least one: an empty list is one empty page). */
export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/** Which of the `total` a page shows, counted from 1 ("21~40"); `from` 0 when the page is empty. */
export function pageRange(page: number, pageSize: number, total: number, shown: number): { from: number; to: number } {
  if (shown === 0) return { from: 0, to: 0 };
  const from = (page - 1) * pageSize + 1;
  return { from, to: Math.min(total, from + shown - 1) };
}

/** One organization in a table of them: the stats page's top ones and the list's, in one shape. */
export interface OrganizationRow {
  id: string;
  name: string;
  planId: string;
  members: number;
  usedTokens: number;
  usagePercent: number;
  level: AdminOrganizationView['level'];
  /** This month's tokens of the pool; null where the API does not say (the stats' top organizations). */
  capacityTokens: number | null;
}

export function rowOfTop(top: TopOrganizationView): OrganizationRow {
  return { id: top.organizationId, name: top.name, planId: top.planId, members: top.members, usedTokens: top.usedTokens, usagePercent: top.usagePercent, level: top.level, capacityTokens: null };
}

export function rowOfListed(organization: AdminOrganizationView): OrganizationRow {
  const { id, name, planId, members, usedTokens, usagePercent, level, capacityTokens } = organization;
  return { id, name, planId, members, usedTokens, usagePercent, level, capacityTokens };
}

/** A plan's name from the plans read (in the page's language), or its id while they are not read or when it is gone. */
export function planNameOf(planId: string, plans: readonly { id: string; name: string }[] | undefined): string {
  return plans?.find((plan) => plan.id === planId)?.name ?? planId;
}

/** Organizations per plan, as the chart and its table show them: the API's order (most first), named. */
export function planDistribution(
  plans: readonly PlanUsageView[],
  named: readonly { id: string; name: string }[] | undefined,
): { planId: string; name: string; organizations: number; active: number; usedTokens: number }[] {
  return plans.map((plan) => ({ planId: plan.planId, name: planNameOf(plan.planId, named), organizations: plan.users, active: plan.activeUsers, usedTokens: plan.usedTokens }));
}
