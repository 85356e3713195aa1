'use client';

import { useQuery } from '@tanstack/react-query';
import { api } from './api';
import type { NotificationPage, Usage } from './types';

export const usageKey = ['ai-usage'] as const;
export const notificationsKey = ['notifications'] as const;

export function useUsage() {
  return useQuery({ queryKey: usageKey, queryFn: () => api<Usage>('/api/ai-usage'), staleTime: 15_000 });
}

export function useNotifications(limit = 20) {
  return useQuery({
    queryKey: [...notificationsKey, limit],
    queryFn: () => api<NotificationPage>(`/api/notifications?limit=${limit}`),
    staleTime: 30_000,
  });
}
