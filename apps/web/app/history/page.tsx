'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { AppShell, Spinner } from '@/components/AppShell';
import { LedgerPages } from '@/components/LedgerPages';
import { Panel } from '@/components/Panel';
import { buildRows, DailyChart, seriesRows } from '@/components/UsageChart';
import { ForecastText } from '@/components/UsageCard';
import { api } from '@/lib/api';
import { useI18n } from '@/lib/i18n';
import { useAuth } from '@/lib/auth';
import { historySource } from '@/lib/history';
import { queryKeys, useWorkspaceUsage } from '@/lib/queries';
import { useWorkspace } from '@/lib/workspace';
import type { DailyUsageView, LedgerPageView } from '@consult-on/api-contract';

/** Days of the current period so far, today included: what the chart shows. */
function daysOfPeriod(periodStart: string): number {
  return Math.max(1, Math.ceil((Date.now() - new Date(periodStart).getTime()) / 86_400_000));
}

/** Nothing used yet: what the page is for, and the way to start. */
function EmptyUsage({ compact = false }: { compact?: boolean }) {
  const { t } = useI18n();
  return (
    <div className={`rounded-lg bg-slate-50 text-center ${compact ? 'p-4' : 'p-8'}`} data-testid="usage-empty">
      <p className="font-bold text-slate-900">{t('usageEmptyTitle')}</p>
      <p className="mt-1 text-sm text-slate-700">{t('usageEmptyBody')}</p>
      <Link href="/chat/" className="btn btn-primary mt-4" data-testid="usage-start-chat">
        {t('usageStartChat')}
      </Link>
    </div>
  );
}

function History() {
  const { t } = useI18n();
  const { user } = useAuth();
  // The workspace in use: one's own account, or one's own use of an organization's pool.
  const { workspace } = useWorkspace();
  const current = useWorkspaceUsage(workspace);
  const usage = current.data?.usage;
  const organization = workspace?.kind === 'organization' ? workspace : null;
  // Nothing is read until the workspace is known (else one's own history would flash before the organization's).
  const source = workspace ? historySource(organization?.id ?? null, user?.id ?? null) : null;
  // The server's daily series (the same one the forecast and the admin detail use), however many turns.
  const days = usage ? daysOfPeriod(usage.periodStart) : 0;
  const daily = useQuery({
    queryKey: queryKeys.historyDaily(days, organization?.id ?? null),
    queryFn: () => api<DailyUsageView[]>(source!.daily(days)),
    enabled: days > 0 && source !== null,
  });
  const ledger = useInfiniteQuery({
    queryKey: queryKeys.historyLedger(organization?.id ?? null),
    queryFn: ({ pageParam }) => api<LedgerPageView>(source!.ledger(pageParam)),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: source !== null,
  });
  const used = daily.data?.some((day) => day.tokens > 0) ?? false;
  return (
    <>
      <h1 className={`text-2xl font-bold ${organization ? '' : 'mb-4'}`}>{t('historyTitle')}</h1>
      {organization && (
        <p className="mb-4 text-sm text-slate-700" data-testid="history-workspace">
          {t('historyInOrganization', { name: organization.name })}
        </p>
      )}
      <section className="card mb-4 min-w-0" aria-labelledby="daily-title">
        <h2 id="daily-title" className="text-lg font-bold">
          {t('dailyUsage')}
        </h2>
        {usage && daily.data ? (
          used ? (
            organization ? (
              // One's own use of the pool over this period (the pool's forecast is the organization page's).
              <DailyChart rows={seriesRows(daily.data)} capacity={current.data?.member?.monthlyLimitTokens ?? undefined} label={t('historyOwnUse')} />
            ) : (
              <>
                <p className="mb-2 text-xs text-slate-600">{t('dailyChartNote')}</p>
                <DailyChart rows={buildRows(daily.data, usage)} capacity={usage.totalAvailable} />
                <div className="mt-3">
                  <h3 className="mb-1 text-sm font-bold">{t('forecast')}</h3>
                  <ForecastText usage={usage} />
                </div>
              </>
            )
          ) : (
            <div className="mt-2">
              <EmptyUsage />
            </div>
          )
        ) : (
          <Spinner />
        )}
      </section>
      <Panel id="ledger-title" title={t('usageListTitle')} className="min-w-0">
        <LedgerPages ledger={ledger} linkConversations empty={<EmptyUsage compact />} testIds={{ holds: 'show-holds' }} />
      </Panel>
    </>
  );
}

export default function HistoryPage() {
  return (
    <AppShell>
      <History />
    </AppShell>
  );
}
