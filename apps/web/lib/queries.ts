'use client';

import { useQuery, type QueryKey } from '@tanstack/react-query';
import { api } from './api';
import type { ConversationPageView, NotificationPageView, TokenPackageView, UsageView } from '@consult-on/api-contract';

/**
 * Every query key of the web app. A key that names a group (`history()`) is the prefix of the
 * keys in it, so invalidating the group refreshes each of them.
 */
export const queryKeys = {
  me: (token: string | null | undefined) => ['me', token] as const,
  usage: () => ['ai-usage'] as const,
  packages: () => ['packages'] as const,
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
  /**
   * One conversation's messages, outside the `conversations()` group so that refreshing the list
   * after a turn leaves the streamed messages alone; `null` is the conversation not started yet.
   */
  conversation: (id: string | null) => ['conversation', id] as const,
  history: () => ['history'] as const,
  historyDaily: (days: number) => ['history', 'daily', days] as const,
  historyLedger: () => ['history', 'ledger'] as const,
  admin: () => ['admin'] as const,
  adminStats: () => ['admin', 'stats'] as const,
  adminUsers: (query: string) => ['admin', 'users', query] as const,
  adminUser: (id: string | null) => ['admin', 'user', id] as const,
  adminUserOrders: (userId: string) => ['admin', 'orders', userId] as const,
  /** Every plan with its accounts (GET /api/admin/plans, read in both languages), in the page's language. */
  adminPlans: (lang: string) => ['admin', 'plans', lang] as const,
  /** The user's organizations: creating, renaming, joining or leaving one refreshes the group. */
  organizations: () => ['organizations'] as const,
  organizationList: () => ['organizations', 'list'] as const,
  organization: (id: string | null) => ['organizations', 'one', id] as const,
  organizationInvitations: (id: string) => ['organizations', 'invitations', id] as const,
};

/** Whether a cached query is one conversation's messages, which once loaded only the chat's stream changes. */
export function isConversation(query: { queryKey: QueryKey }): boolean {
  return query.queryKey[0] === queryKeys.conversation(null)[0];
}

export function useUsage() {
  return useQuery({ queryKey: queryKeys.usage(), queryFn: () => api<UsageView>('/api/ai-usage'), staleTime: 15_000 });
}

export function useNotifications(limit = 20) {
  return useQuery({
    queryKey: queryKeys.notificationPage(limit),
    queryFn: () => api<NotificationPageView>(`/api/notifications?limit=${limit}`),
    staleTime: 30_000,
  });
}

export function useConversations() {
  return useQuery({
    queryKey: queryKeys.conversations(),
    queryFn: () => api<ConversationPageView>('/api/chat/conversations?limit=50'),
  });
}

/** Token packages, or monthly products, in the provider's currency. */
export function useCatalog(kind: 'package' | 'subscription') {
  return useQuery({
    queryKey: kind === 'package' ? queryKeys.packages() : queryKeys.products(),
    queryFn: () => api<TokenPackageView[]>(kind === 'package' ? '/api/ai-usage/packages' : '/api/payments/products'),
    staleTime: 10 * 60_000,
  });
}
