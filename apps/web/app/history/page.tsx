'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { AppShell, Spinner } from '@/components/AppShell';
import { LedgerTable } from '@/components/LedgerTable';
import { Panel } from '@/components/Panel';
import { buildRows, DailyChart } from '@/components/UsageChart';
import { ForecastText } from '@/components/UsageCard';
import { api } from '@/lib/api';
import { useI18n } from '@/lib/i18n';
import { queryKeys, useUsage } from '@/lib/queries';
import type { DailyUsageView, LedgerPageView } from '@consult-on/api-contract';

/** Days of the current period so far, today included: what the chart shows. */
function daysOfPeriod(periodStart: string): number {
  return Math.max(1, Math.ceil((Date.now() - new Date(periodStart).getTime()) / 86_400_000));
}

function History() {
  const { t } = useI18n();
  const usage = useUsage();
  // The server's daily series (the same one the forecast and the admin detail use), however many turns.
  const days = usage.data ? daysOfPeriod(usage.data.periodStart) : 0;
  const daily = useQuery({
    queryKey: queryKeys.historyDaily(days),
    queryFn: () => api<DailyUsageView[]>(`/api/ai-usage/daily?days=${days}`),
    enabled: days > 0,
  });
  const ledger = useInfiniteQuery({
    queryKey: queryKeys.historyLedger(),
    queryFn: ({ pageParam }) => api<LedgerPageView>(`/api/ai-usage/history?limit=20${pageParam ? `&before=${pageParam}` : ''}`),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = ledger.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <h1 className="mb-4 text-2xl font-bold">{t('historyTitle')}</h1>
      <section className="card mb-4" aria-labelledby="daily-title">
        <h2 id="daily-title" className="text-lg font-bold">
          {t('dailyUsage')}
        </h2>
        <p className="mb-2 text-xs text-slate-600">{t('dailyChartNote')}</p>
        {usage.data && daily.data ? (
          <>
            <DailyChart rows={buildRows(daily.data, usage.data)} capacity={usage.data.totalAvailable} />
            <div className="mt-3">
              <h3 className="mb-1 text-sm font-bold">{t('forecast')}</h3>
              <ForecastText usage={usage.data} />
            </div>
          </>
        ) : (
          <Spinner />
        )}
      </section>
      <Panel id="ledger-title" title={t('ledger')}>
        {ledger.isPending ? <Spinner /> : <LedgerTable entries={entries} />}
        {ledger.hasNextPage && (
          <button type="button" className="btn btn-secondary mt-3" onClick={() => void ledger.fetchNextPage()} disabled={ledger.isFetchingNextPage}>
            {t('loadMore')}
          </button>
        )}
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
