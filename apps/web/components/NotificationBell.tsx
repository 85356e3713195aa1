'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { api } from '@/lib/api';
import { useAnyBannerShown } from '@/lib/alerts';
import { useI18n } from '@/lib/i18n';
import { aboutOrganization, notificationMessage, notificationTitle } from '@/lib/notification-text';
import { organizationPath } from '@/lib/organizations';
import { queryKeys, useNotifications } from '@/lib/queries';
import type { NotificationView, ReadAllView } from '@consult-on/api-contract';

export function useMarkRead() {
  const client = useQueryClient();
  const one = useMutation({
    mutationFn: (id: string) => api<NotificationView>(`/api/notifications/${id}/read`, { method: 'PATCH' }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.notifications() }),
  });
  const all = useMutation({
    mutationFn: () => api<ReadAllView>('/api/notifications/read-all', { method: 'POST' }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.notifications() }),
  });
  return { one, all };
}

const dot: Record<string, string> = { WARNING: 'bg-orange-500', CRITICAL: 'bg-red-600', BLOCKED: 'bg-red-800', NORMAL: 'bg-green-600' };

export function NotificationItem({ item, onRead }: { item: NotificationView; onRead: (id: string) => void }) {
  const { t, df, lang } = useI18n();
  // With a usage banner on the page, its buy link is the page's one.
  const bannerOnPage = useAnyBannerShown();
  return (
    <li className={`flex gap-3 border-b border-slate-100 p-3 last:border-0 ${item.read ? '' : 'bg-blue-50'}`} data-testid="notification-item" data-level={item.level}>
      <span aria-hidden className={`mt-1.5 h-2.5 w-2.5 shrink-0 rounded-full ${dot[item.level] ?? 'bg-slate-400'}`} />
      <div className="min-w-0 flex-1">
        <p className="font-semibold">
          {!item.read && <span className="sr-only">{t('unread')}: </span>}
          {/* The level it was created for, not the current one. */}
          {notificationTitle(item, t, lang)}
        </p>
        <p className="text-sm text-slate-700">{notificationMessage(item, t, lang)}</p>
        <p className="mt-1 text-xs text-slate-600">{df(item.createdAt, true)}</p>
        <div className="mt-1 flex flex-wrap gap-3 text-sm">
          {/* About an organization: its page, where its owners and admins manage its tokens; nothing to buy for it here. */}
          {aboutOrganization(item) && item.organizationId ? (
            <Link href={organizationPath(item.organizationId)} className="btn btn-secondary px-3! py-1!" data-testid="notification-organization">
              {t('notifOpenOrganization')}
            </Link>
          ) : (
            item.level !== 'NORMAL' &&
            !bannerOnPage && (
              <Link href="/purchase/" className="btn btn-primary px-3! py-1!">
                {t('buyTokens')}
              </Link>
            )
          )}
          {!item.read && (
            <button type="button" className="font-medium text-slate-700 underline" onClick={() => onRead(item.id)}>
              {t('markRead')}
            </button>
          )}
        </div>
      </div>
    </li>
  );
}

export function NotificationBell() {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const { data } = useNotifications(20);
  const { one, all } = useMarkRead();
  const ref = useRef<HTMLDivElement>(null);
  const unread = data?.unreadCount ?? 0;
  useEffect(() => {
    if (!open) return;
    const close = (event: MouseEvent | KeyboardEvent) => {
      if (event instanceof KeyboardEvent) {
        if (event.key !== 'Escape') return;
        setOpen(false);
        // Back to the bell, not <body>.
        ref.current?.querySelector<HTMLButtonElement>('[data-testid="bell"]')?.focus();
      } else if (!ref.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  return (
    <div className="relative" ref={ref}>
      <button
        type="button"
        className="relative rounded-lg p-2 text-slate-700 hover:bg-slate-100"
        aria-label={`${t('notifications')} — ${t('unreadCount', { n: unread })}`}
        aria-expanded={open}
        aria-haspopup="true"
        data-testid="bell"
        onClick={() => setOpen((value) => !value)}
      >
        <svg aria-hidden width="22" height="22" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.73 21a2 2 0 0 1-3.46 0" />
        </svg>
        {unread > 0 && (
          <span data-testid="unread-count" className="absolute -top-0.5 -right-0.5 min-w-5 rounded-full bg-red-600 px-1 text-center text-xs leading-5 font-bold text-white">
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && (
        <div className="absolute right-0 z-40 mt-2 w-[min(22rem,calc(100vw-1rem))] rounded-xl border border-slate-200 bg-white shadow-xl" role="dialog" aria-label={t('notifications')}>
          <div className="flex items-center justify-between border-b border-slate-200 p-3">
            <h2 className="font-bold">{t('notifications')}</h2>
            {unread > 0 && (
              <button type="button" className="text-sm font-medium text-blue-800 underline" onClick={() => all.mutate()}>
                {t('markAllRead')}
              </button>
            )}
          </div>
          <ul className="max-h-96 overflow-y-auto">
            {data?.items.length ? (
              data.items.slice(0, 8).map((item) => <NotificationItem key={item.id} item={item} onRead={(id) => one.mutate(id)} />)
            ) : (
              <li className="p-4 text-sm text-slate-600">{t('noNotifications')}</li>
            )}
          </ul>
          <Link href="/notifications/" className="block border-t border-slate-200 p-3 text-center text-sm font-semibold text-blue-800" onClick={() => setOpen(false)}>
            {t('viewAll')}
          </Link>
        </div>
      )}
    </div>
  );
}
