'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { AdminGate } from '@/components/AdminGate';
import { OrganizationsStats } from '@/components/AdminOrganizations';
import { Spinner } from '@/components/AppShell';
import { DistributionChart } from '@/components/DistributionChart';
import { Forbidden } from '@/components/Forbidden';
import { Panel } from '@/components/Panel';
import { Stat } from '@/components/Stat';
import { LevelBadge, percentText } from '@/components/UsageCard';
import { api, ApiError } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/queries';
import type { CacheClearedView, LedgerVerifyView, TokenStatsView, TopUserView, UserPageView } from '@consult-on/api-contract';

function UsersTable({ users }: { users: TopUserView[] }) {
  const { t, nf, df, lang } = useI18n();
  return (
    <div className="overflow-x-auto">
      <table className="w-full min-w-[40rem] text-left text-sm" data-testid="top-users">
        <thead className="border-b border-slate-300 text-xs text-slate-700">
          <tr>
            <th scope="col" className="px-2 py-2">#</th>
            <th scope="col" className="px-2 py-2">{t('email')}</th>
            <th scope="col" className="px-2 py-2 text-right">{t('used')}</th>
            <th scope="col" className="px-2 py-2 text-right">{t('usagePercent')}</th>
            <th scope="col" className="px-2 py-2 text-right">{t('purchasedTokens')}</th>
            <th scope="col" className="px-2 py-2">{t('level')}</th>
            <th scope="col" className="px-2 py-2">{t('lastActive')}</th>
          </tr>
        </thead>
        <tbody>
          {users.map((user, index) => (
            <tr key={user.userId} className="border-b border-slate-100 hover:bg-slate-50">
              <td className="px-2 py-2 text-slate-600">{index + 1}</td>
              <td className="max-w-64 truncate px-2 py-2">
                <Link href={`/admin/user/?id=${user.userId}`} className="font-medium text-blue-800 underline">
                  {user.email}
                </Link>
              </td>
              <td className="px-2 py-2 text-right tabular-nums">{nf(user.usedTokens)}</td>
              <td className="px-2 py-2 text-right tabular-nums">{percentText(user.usagePercent, lang)}</td>
              <td className="px-2 py-2 text-right tabular-nums">{nf(user.purchasedTokens)}</td>
              <td className="px-2 py-2">
                <LevelBadge level={user.level} />
              </td>
              <td className="px-2 py-2 whitespace-nowrap">{df(user.lastActiveAt, true)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {users.length === 0 && <p className="p-4 text-slate-600">{t('noEntries')}</p>}
    </div>
  );
}

function Admin() {
  const { t, nf, df } = useI18n();
  const client = useQueryClient();
  const stats = useQuery({ queryKey: queryKeys.adminStats(), queryFn: () => api<TokenStatsView>('/api/admin/token-stats') });
  const [draft, setDraft] = useState('');
  const [query, setQuery] = useState('');
  const search = useQuery({
    queryKey: queryKeys.adminUsers(query),
    queryFn: () => api<UserPageView>(`/api/admin/users?query=${encodeURIComponent(query)}&pageSize=100`),
    enabled: query.length > 0,
  });
  const clear = useMutation({
    mutationFn: () => api<CacheClearedView>('/api/admin/token-stats/cache', { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: queryKeys.adminStats() }),
  });
  const verify = useMutation({ mutationFn: () => api<LedgerVerifyView>('/api/admin/ledger/verify') });
  if (stats.error instanceof ApiError && stats.error.status === 403) return <Forbidden />;
  if (stats.isError) return <p role="alert">{errorText(stats.error, t)}</p>;
  if (!stats.data) return <Spinner />;
  const { overview, distribution, topUsers } = stats.data;
  const onSearch = (event: FormEvent) => {
    event.preventDefault();
    setQuery(draft.trim());
  };
  const users = query ? (search.data?.items ?? []) : topUsers;
  return (
    <>
      <div className="mb-4 flex flex-wrap items-center justify-between gap-2">
        <div>
          <h1 className="text-2xl font-bold">{t('adminTitle')}</h1>
          <p className="text-xs text-slate-600">
            {stats.data.period} · {t('cachedAt', { time: df(stats.data.generatedAt, true), cached: stats.data.cached ? t('fromCache') : t('fresh') })}
          </p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Link href="/admin/plans/" className="btn btn-secondary" data-testid="admin-plans-link">
            {t('navAdminPlans')}
          </Link>
          <Link href="/admin/organizations/" className="btn btn-secondary" data-testid="admin-organizations-link">
            {t('navAdminOrganizations')}
          </Link>
          <button type="button" className="btn btn-secondary" onClick={() => clear.mutate()} disabled={clear.isPending} data-testid="clear-cache">
            {t('clearCache')}
          </button>
          <button type="button" className="btn btn-secondary" onClick={() => verify.mutate()} disabled={verify.isPending} data-testid="verify-ledger">
            {t('verifyLedger')}
          </button>
        </div>
      </div>
      <div aria-live="polite">
        {clear.isSuccess && <p className="mb-3 rounded-lg bg-green-50 p-3 text-sm text-green-900">{t('cacheCleared')}</p>}
        {verify.data && (
          <p data-testid="verify-result" className={`mb-3 rounded-lg p-3 text-sm font-semibold ${verify.data.ok ? 'bg-green-50 text-green-900' : 'bg-red-100 text-red-900'}`}>
            {verify.data.ok ? t('verifyOk', { n: nf(verify.data.accountsChecked) }) : t('verifyFail', { n: verify.data.accounts.length })}
            {!verify.data.ok && (
              <span className="mt-1 block font-normal">
                {verify.data.accounts.slice(0, 5).map((a) => `${a.userId}: ${a.problems.join(', ')}`).join(' · ')}
              </span>
            )}
          </p>
        )}
        {(clear.isError || verify.isError) && <p role="alert" className="mb-3 text-sm text-red-800">{errorText(clear.error ?? verify.error, t)}</p>}
      </div>
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-5" data-testid="overview">
        <Stat label={t('totalUsers')} value={nf(overview.totalUsers)} />
        <Stat label={t('activeUsers')} value={nf(overview.activeUsers)} />
        <Stat label={t('totalUsed')} value={nf(overview.totalUsedTokens)} />
        <Stat label={t('totalPurchased')} value={nf(overview.totalPurchasedTokens)} />
        <Stat label={t('averageUsed')} value={nf(Math.round(overview.averageUsedTokens))} />
      </div>
      <Panel id="distribution-title" title={t('distribution')} className="mt-4">
        <DistributionChart distribution={distribution} />
      </Panel>
      <section className="card mt-4" aria-labelledby="top-title">
        <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
          <h2 id="top-title" className="text-lg font-bold">
            {t('topUsers')}
          </h2>
          <form onSubmit={onSearch} className="flex gap-2" role="search">
            <label htmlFor="user-search" className="sr-only">
              {t('search')}
            </label>
            <input id="user-search" type="search" className="input py-1.5!" placeholder={t('search')} value={draft} onChange={(e) => setDraft(e.target.value)} />
            <button type="submit" className="btn btn-secondary">
              {t('searchButton')}
            </button>
          </form>
        </div>
        {query && search.isPending ? <Spinner /> : <UsersTable users={users} />}
      </section>
      <OrganizationsStats stats={stats.data.organizations} />
    </>
  );
}

export default function AdminPage() {
  return (
    <AdminGate>
      <Admin />
    </AdminGate>
  );
}
