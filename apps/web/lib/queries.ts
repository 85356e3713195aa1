'use client';

import { useQuery, useQueryClient, type QueryKey } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, ApiError } from './api';
import type { ConversationPageView, NotificationPageView, TokenPackageView, UsageView } from '@consult-on/api-contract';
import type { MemberUsageView, OrganizationUsageView } from './organizations';
import type { Workspace } from './workspace';

/**
 * Every query key of the web app. A key that names a group (`history()`) is the prefix of the
 * keys in it, so invalidating the group refreshes each of them.
 */
export const queryKeys = {
  me: (token: string | null | undefined) => ['me', token] as const,
  /** The person's own usage, and the prefix of every usage key: refreshing it refreshes each workspace's. */
  usage: () => ['ai-usage'] as const,
  /** An organization's pool and the caller's limit in it (GET /api/organizations/:id/usage). */
  organizationUsage: (organizationId: string) => ['ai-usage', 'organization', organizationId] as const,
  packages: () => ['packages'] as const,
  /** An organization's bulk purchases (GET /api/organizations/:id/orders), in the payments group. */
  organizationOrders: (organizationId: string) => ['payments', 'organization', organizationId] as const,
  /** Bulk packages for an organization's pool (GET /api/organizations/packages). */
  organizationPackages: () => ['packages', 'organization'] as const,
  /** Monthly products on sale (GET /api/payments/products). */
  products: () => ['products'] as const,
  /** The user's orders and subscriptions: a purchase, a confirmation or a cancel refreshes the group. */
  payments: () => ['payments'] as const,
  orders: () => ['payments', 'orders'] as const,
  order: (id: string | null) => ['payments', 'order', id] as const,
  subscriptions: () => ['payments', 'subscriptions'] as const,
  notifications: () => ['notifications'] as const,
  notificationPage: (limit: number) => ['notifications', limit] as const,
  conversations: () => ['conversations'] as const,
  /** The latest conversations of one workspace (null: one's own account). */
  conversationList: (organizationId: string | null) => ['conversations', 'list', organizationId] as const,
  /** A search over one workspace's conversations. */
  conversationSearch: (organizationId: string | null, query: string) => ['conversations', 'search', organizationId, query] as const,
  /**
   * One conversation's messages, outside the `conversations()` group so that refreshing the list
   * after a turn leaves the streamed messages alone; `null` is the conversation not started yet.
   */
  conversation: (id: string | null) => ['conversation', id] as const,
  /** Whether an opened conversation is archived (read-only until restored), kept beside its messages. */
  conversationArchived: (id: string | null) => ['conversation-archived', id] as const,
  /** The workspace a loaded conversation belongs to (its organization's id, or null), set when its messages are read. */
  conversationWorkspace: (id: string | null) => ['conversation-workspace', id] as const,
  history: () => ['history'] as const,
  /** A workspace's daily use (null: one's own account; else one's own use of that organization's pool). */
  historyDaily: (days: number, organizationId: string | null = null) => ['history', 'daily', organizationId, days] as const,
  historyLedger: (organizationId: string | null = null) => ['history', 'ledger', organizationId] as const,
  admin: () => ['admin'] as const,
  /** A month's usage report (GET /api/reports/usage). */
  usageReport: (month: string) => ['reports', 'usage', month] as const,
  /** The admins' cohort report of a month. */
  cohortReport: (month: string) => ['admin', 'reports', 'cohort', month] as const,
  adminStats: () => ['admin', 'stats'] as const,
  adminUsers: (query: string) => ['admin', 'users', query] as const,
  adminUser: (id: string | null) => ['admin', 'user', id] as const,
  adminUserOrders: (userId: string) => ['admin', 'orders', userId] as const,
  /** Every plan with its accounts (GET /api/admin/plans, read in both languages), in the page's language. */
  adminPlans: (lang: string) => ['admin', 'plans', lang] as const,
  /** The plans page (GET /api/plans: plans on sale and the account's own), in the page's language. */
  plans: (lang: string) => ['plans', lang] as const,
  /** A page of the admin list of organizations (a search, a page number). */
  adminOrganizations: (query: string, page: number) => ['admin', 'organizations', query, page] as const,
  /** One organization for the admins: its pool, members' use and plan (the plan named in the page's language). */
  adminOrganization: (id: string | null, lang: string) => ['admin', 'organization', id, lang] as const,
  /** The user's organizations: creating, renaming, joining or leaving one refreshes the group. */
  organizations: () => ['organizations'] as const,
  organizationList: () => ['organizations', 'list'] as const,
  /** API keys: one's own (null), or an organization's. */
  apiKeys: (organizationId: string | null) => ['api-keys', organizationId] as const,
  organization: (id: string | null) => ['organizations', 'one', id] as const,
  organizationInvitations: (id: string) => ['organizations', 'invitations', id] as const,
  /** A member's tokens of the pool per day (GET /api/organizations/:id/members/:userId/daily). */
  organizationMemberDaily: (id: string, memberId: string, days: number) => ['organizations', 'daily', id, memberId, days] as const,
  /** The pool's ledger, page by page (owners and admins). */
  organizationLedger: (id: string) => ['organizations', 'ledger', id] as const,
};

/** Whether a cached query is one conversation's messages, which once loaded only the chat's stream changes. */
export function isConversation(query: { queryKey: QueryKey }): boolean {
  return query.queryKey[0] === queryKeys.conversation(null)[0];
}

const personalUsage = { queryKey: queryKeys.usage(), queryFn: () => api<UsageView>('/api/ai-usage'), staleTime: 15_000 };

/** The person's own usage (the purchase and history pages: tokens are bought for one's own account). */
export function useUsage() {
  return useQuery(personalUsage);
}

/** An organization's pool and the caller's own use of it and limit (any member); `null` reads nothing. */
export function useOrganizationUsage(organizationId: string | null) {
  return useQuery({
    queryKey: queryKeys.organizationUsage(organizationId ?? ''),
    queryFn: () => api<OrganizationUsageView>(`/api/organizations/${encodeURIComponent(organizationId!)}/usage`),
    staleTime: 15_000,
    enabled: !!organizationId,
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  });
}

/**
 * The usage of a workspace, in one shape: the account's or the pool's `UsageView`, and in an
 * organization the caller's own use of the pool against their limit (`member`).
 */
export interface WorkspaceUsage {
  workspace: Workspace;
  usage: UsageView;
  member: MemberUsageView | null;
}

/**
 * The one place that reads usage for the workspace in use (`useWorkspace`): the person's own,
 * or the organization's pool. Both keys are under `usage()`, so every refresh of it reaches this.
 * `workspace` null (not known yet) reads nothing.
 */
export function useWorkspaceUsage(workspace: Workspace | null) {
  const organizationId = workspace?.kind === 'organization' ? workspace.id : null;
  const personal = useQuery({ ...personalUsage, enabled: workspace?.kind === 'personal' });
  const organization = useOrganizationUsage(organizationId);
  const client = useQueryClient();
  const gone = organization.error instanceof ApiError && organization.error.status === 404;
  useEffect(() => {
    // No longer a member (removed, or the organization deleted): the list says so, and the workspace falls back to one's own.
    if (gone) void client.invalidateQueries({ queryKey: queryKeys.organizationList() });
  }, [gone, client]);
  const current = organizationId ? organization : personal;
  const data: WorkspaceUsage | undefined = !workspace
    ? undefined
    : organizationId
      ? organization.data && { workspace, usage: organization.data.pool, member: organization.data.member }
      : personal.data && { workspace, usage: personal.data, member: null };
  return { data, isError: !!workspace && current.isError, error: current.error, refetch: current.refetch };
}

export function useNotifications(limit = 20) {
  return useQuery({
    queryKey: queryKeys.notificationPage(limit),
    queryFn: () => api<NotificationPageView>(`/api/notifications?limit=${limit}`),
    staleTime: 30_000,
  });
}

/** The latest 50 conversations of a workspace (null: one's own account). */
export function useConversations(organizationId: string | null = null, enabled = true) {
  return useQuery({
    queryKey: queryKeys.conversationList(organizationId),
    queryFn: () => api<ConversationPageView>(`/api/chat/conversations?limit=50${organizationId ? `&organizationId=${encodeURIComponent(organizationId)}` : ''}`),
    enabled,
  });
}

/** Token packages, or monthly products, in the provider's currency. */
const CATALOGS = {
  package: { key: queryKeys.packages(), path: '/api/ai-usage/packages' },
  subscription: { key: queryKeys.products(), path: '/api/payments/products' },
  organization: { key: queryKeys.organizationPackages(), path: '/api/organizations/packages' },
} as const;

/** What is on sale: token packages, monthly products, or an organization's bulk packages. */
export function useCatalog(kind: keyof typeof CATALOGS) {
  return useQuery({
    queryKey: CATALOGS[kind].key,
    queryFn: () => api<TokenPackageView[]>(CATALOGS[kind].path),
    staleTime: 10 * 60_000,
  });
}
