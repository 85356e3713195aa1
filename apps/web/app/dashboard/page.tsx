'use client';

import Link from 'next/link';
import { AppShell, Spinner } from '@/components/AppShell';
import { NotificationItem, useMarkRead } from '@/components/NotificationBell';
import { UsageBanner, UsageCard } from '@/components/UsageCard';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { useNotifications, useWorkspaceUsage } from '@/lib/queries';
import { useWorkspace } from '@/lib/workspace';
import { QueryFailed } from '@/components/QueryFailed';

function Dashboard() {
  const { t } = useI18n();
  // The usage of the workspace in use: one's own account, or an organization's pool and one's limit in it.
  const { workspace } = useWorkspace();
  const usage = useWorkspaceUsage(workspace);
  const notifications = useNotifications(20);
  const { one } = useMarkRead();
  if (usage.isError) {
    return (
      <QueryFailed error={usage.error} onRetry={() => void usage.refetch()} className="card text-red-800" />
    );
  }
  if (!usage.data) return <Spinner />;
  const current = usage.data;
  const pool = current.workspace.kind === 'organization' && current.member ? { name: current.workspace.name, member: current.member } : undefined;
  const recent = notifications.data?.items.slice(0, 3) ?? [];
  return (
    <>
      <h1 className="mb-4 text-2xl font-bold">{t('navDashboard')}</h1>
      <UsageBanner usage={current.usage} organizationName={pool?.name} />
      <div className="grid gap-4 lg:grid-cols-3">
        <div className="lg:col-span-2">
          <UsageCard usage={current.usage} pool={pool} />
        </div>
        <section className="card" aria-labelledby="recent-notifications">
          <div className="mb-2 flex items-center justify-between">
            <h2 id="recent-notifications" className="text-lg font-bold">
              {t('notifications')}
            </h2>
            <Link href="/notifications/" className="text-sm font-medium text-blue-800 underline">
              {t('viewAll')}
            </Link>
          </div>
          {recent.length ? (
            <ul>
              {recent.map((item) => (
                <NotificationItem key={item.id} item={item} onRead={(id) => one.mutate(id)} />
              ))}
            </ul>
          ) : (
            <p className="text-sm text-slate-600">{t('noNotifications')}</p>
          )}
          <div className="mt-4 flex flex-wrap gap-2">
            <Link href="/history/" className="btn btn-secondary">
              {t('navHistory')}
            </Link>
          </div>
        </section>
      </div>
    </>
  );
}

export default function DashboardPage() {
  return (
    <AppShell>
      <Dashboard />
    </AppShell>
  );
}
