'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useId, useState } from 'react';
import { AppShell, Spinner } from '@/components/AppShell';
import { HOLD_KINDS, LedgerTable } from '@/components/LedgerTable';
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
  const usage = useUsage();
  const holdsId = useId();
  const [showHolds, setShowHolds] = useState(false);
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
  // A turn sets tokens aside while it is answered, then is charged what it used: by default only the charge is listed.
  const shown = showHolds ? entries : entries.filter((entry) => !HOLD_KINDS.has(entry.kind));
  const used = daily.data?.some((day) => day.tokens > 0) ?? false;
  return (
    <>
      <h1 className="mb-4 text-2xl font-bold">{t('historyTitle')}</h1>
      <section className="card mb-4 min-w-0" aria-labelledby="daily-title">
        <h2 id="daily-title" className="text-lg font-bold">
          {t('dailyUsage')}
        </h2>
        {usage.data && daily.data ? (
          used ? (
            <>
              <p className="mb-2 text-xs text-slate-600">{t('dailyChartNote')}</p>
              <DailyChart rows={buildRows(daily.data, usage.data)} capacity={usage.data.totalAvailable} />
              <div className="mt-3">
                <h3 className="mb-1 text-sm font-bold">{t('forecast')}</h3>
                <ForecastText usage={usage.data} />
              </div>
            </>
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
        <div className="mb-3">
          <label className="inline-flex items-start gap-2 text-sm text-slate-800">
            <input type="checkbox" className="mt-1 size-4 shrink-0" checked={showHolds} onChange={(event) => setShowHolds(event.target.checked)} aria-describedby={holdsId} data-testid="show-holds" />
            <span>{t('usageShowHolds')}</span>
          </label>
          <p id={holdsId} className="mt-0.5 text-xs text-slate-600">
            {t('usageHoldsHint')}
          </p>
        </div>
        {ledger.isPending ? <Spinner /> : <LedgerTable entries={shown} linkConversations empty={<EmptyUsage compact />} />}
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
