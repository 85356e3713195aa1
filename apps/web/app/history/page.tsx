'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { AppShell, Spinner } from '@/components/AppShell';
import { LedgerTable } from '@/components/LedgerTable';
import { Panel } from '@/components/Panel';
import { buildRows, DailyChart, groupByDay } from '@/components/UsageChart';
import { ForecastText } from '@/components/UsageCard';
import { api } from '@/lib/api';
import { useI18n } from '@/lib/i18n';
import { queryKeys, useUsage } from '@/lib/queries';
import type { LedgerEntry, LedgerPage } from '@/lib/types';

/** Consumption entries of the last ~3 months (at most 5 pages of 100), for the daily chart. */
async function recentConsumption(): Promise<LedgerEntry[]> {
  const since = Date.now() - 92 * 86_400_000;
  const entries: LedgerEntry[] = [];
  let before: number | null = null;
  for (let page = 0; page < 5; page++) {
    const result: LedgerPage = await api<LedgerPage>(`/api/ai-usage/history?limit=100${before ? `&before=${before}` : ''}`);
    entries.push(...result.items);
    const oldest = result.items[result.items.length - 1];
    if (!result.nextCursor || !oldest || new Date(oldest.createdAt).getTime() < since) break;
    before = result.nextCursor;
  }
  return entries.filter((entry) => entry.kind === 'CONSUMPTION');
}

function History() {
  const { t } = useI18n();
  const usage = useUsage();
  const daily = useQuery({ queryKey: queryKeys.historyDaily(), queryFn: recentConsumption });
  const ledger = useInfiniteQuery({
    queryKey: queryKeys.historyLedger(),
    queryFn: ({ pageParam }) => api<LedgerPage>(`/api/ai-usage/history?limit=20${pageParam ? `&before=${pageParam}` : ''}`),
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
            <DailyChart rows={buildRows(groupByDay(daily.data, usage.data.timeZone), usage.data)} capacity={usage.data.totalAvailable} />
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
