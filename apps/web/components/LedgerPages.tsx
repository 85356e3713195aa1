'use client';

import type { InfiniteData, UseInfiniteQueryResult } from '@tanstack/react-query';
import { useId, useState, type ComponentProps } from 'react';
import { Spinner } from '@/components/AppShell';
import { HOLD_KINDS, LedgerTable } from '@/components/LedgerTable';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import type { LedgerPageView } from '@consult-on/api-contract';

/**
 * A ledger read page by page (one's own history, an organization's pool): by default only what was
 * charged or granted — a turn's tokens set aside while it is answered are shown on request — then
 * the table and "더 보기" while there are older entries.
 */
export function LedgerPages({
  ledger,
  testIds,
  ...table
}: {
  ledger: UseInfiniteQueryResult<InfiniteData<LedgerPageView>, Error>;
  testIds: { holds: string; table?: string; more?: string };
} & Omit<ComponentProps<typeof LedgerTable>, 'entries'>) {
  const { t } = useI18n();
  const holdsId = useId();
  const [showHolds, setShowHolds] = useState(false);
  const entries = ledger.data?.pages.flatMap((page) => page.items) ?? [];
  const shown = showHolds ? entries : entries.filter((entry) => !HOLD_KINDS.has(entry.kind));
  return (
    <>
      <div className="mb-3">
        <label className="inline-flex items-start gap-2 text-sm text-slate-800">
          <input type="checkbox" className="mt-1 size-4 shrink-0" checked={showHolds} onChange={(event) => setShowHolds(event.target.checked)} aria-describedby={holdsId} data-testid={testIds.holds} />
          <span>{t('usageShowHolds')}</span>
        </label>
        <p id={holdsId} className="mt-0.5 text-xs text-slate-600">
          {t('usageHoldsHint')}
        </p>
      </div>
      <div data-testid={testIds.table}>
        {ledger.isPending ? (
          <Spinner />
        ) : ledger.isError ? (
          <p role="alert" className="text-red-800">
            {errorText(ledger.error, t)}
          </p>
        ) : (
          <LedgerTable entries={shown} {...table} />
        )}
      </div>
      {ledger.hasNextPage && (
        <button type="button" className="btn btn-secondary mt-3" onClick={() => void ledger.fetchNextPage()} disabled={ledger.isFetchingNextPage} data-testid={testIds.more}>
          {t('loadMore')}
        </button>
      )}
    </>
  );
}
