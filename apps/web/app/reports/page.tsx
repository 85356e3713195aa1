'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { AppShell, Spinner } from '@/components/AppShell';
import { QueryFailed } from '@/components/QueryFailed';
import { MonthSelect, UsageReport } from '@/components/UsageReport';
import { api } from '@/lib/api';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/queries';
import type { UsageReportView } from '@consult-on/api-contract';

function Reports() {
  const { t, lang } = useI18n();
  // null: this month, as the server counts it.
  const [month, setMonth] = useState<string | null>(null);
  const query = month ? `?month=${month}` : '';
  const report = useQuery({
    queryKey: [...queryKeys.usageReport(month ?? 'current'), lang],
    queryFn: () => api<UsageReportView>(`/api/reports/usage${query}`),
  });
  return (
    <>
      <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-2xl font-bold">{t('reportsTitle')}</h1>
          <p className="mt-1 max-w-2xl text-sm text-slate-700">{t('reportsIntro')}</p>
        </div>
        <MonthSelect id="report-month" value={month} onChange={setMonth} />
      </div>
      {report.isPending ? <Spinner /> : report.isError ? <QueryFailed error={report.error} onRetry={() => void report.refetch()} /> : <UsageReport report={report.data} csvPath={`/api/reports/usage.csv${query}`} />}
    </>
  );
}

export default function ReportsPage() {
  return (
    <AppShell>
      <Reports />
    </AppShell>
  );
}
