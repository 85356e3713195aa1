'use client';

import { AppShell, Spinner } from '@/components/AppShell';
import { NotificationItem, useMarkRead } from '@/components/NotificationBell';
import { useI18n } from '@/lib/i18n';
import { useNotifications } from '@/lib/queries';

function Notifications() {
  const { t } = useI18n();
  const list = useNotifications(100);
  const { one, all } = useMarkRead();
  if (!list.data) return <Spinner />;
  return (
    <>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-bold">{t('notifications')}</h1>
        <div className="flex items-center gap-3">
          <span className="text-sm text-slate-700">{t('unreadCount', { n: list.data.unreadCount })}</span>
          <button type="button" className="btn btn-secondary" disabled={list.data.unreadCount === 0 || all.isPending} onClick={() => all.mutate()}>
            {t('markAllRead')}
          </button>
        </div>
      </div>
      <div className="card p-0!">
        {list.data.items.length ? (
          <ul>
            {list.data.items.map((item) => (
              <NotificationItem key={item.id} item={item} onRead={(id) => one.mutate(id)} />
            ))}
          </ul>
        ) : (
          <p className="p-6 text-slate-600">{t('noNotifications')}</p>
        )}
      </div>
    </>
  );
}

export default function NotificationsPage() {
  return (
    <AppShell>
      <Notifications />
    </AppShell>
  );
}
