'use client';

import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { AdminGate } from '@/components/AdminGate';
import { QueryFailed } from '@/components/QueryFailed';
import { Panel } from '@/components/Panel';
import { Stat } from '@/components/Stat';
import { TableHead } from '@/components/TableHead';
import { MonthSelect } from '@/components/UsageReport';
import { api, apiBlob, saveBlob } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n, type Key } from '@/lib/i18n';
import { queryKeys } from '@/lib/queries';
import { recentMonths } from '@/lib/report-months';
import type { CohortReportView } from '@consult-on/api-contract';

const share = (value: number) => `${Math.round(value * 1000) / 10}%`;

function Cohort() {
  const { t, nf } = useI18n();
  // Last month by default (this month: null, as the server counts it).
  const [month, setMonth] = useState<string | null>(() => recentMonths(new Date())[1]!);
  const query = month ? `?month=${month}` : '';
  const [csvFailed, setCsvFailed] = useState<string | null>(null);
  const report = useQuery({ queryKey: queryKeys.cohortReport(month ?? 'current'), queryFn: () => api<CohortReportView>(`/api/admin/reports/cohort${query}`), staleTime: 60_000 });
  const data = report.data;
  return (
    <>
      <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-2xl font-bold">{t('cohortTitle')}</h1>
          <p className="mt-1 max-w-2xl text-sm text-slate-700">{t('cohortIntro')}</p>
        </div>
        <MonthSelect id="cohort-month" value={month} onChange={setMonth} />
      </div>
      {report.isPending ? (
        <p role="status" className="p-8 text-center text-slate-600">
          {t('cohortComputing')}
        </p>
      ) : report.isError ? (
        <QueryFailed error={report.error} onRetry={() => void report.refetch()} />
      ) : (
        data && (
          <div className="space-y-4" data-testid="cohort-report">
            <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
              <Stat label={t('cohortActive')} value={nf(data.activeUsers)} testId="cohort-active" />
              <Stat label={t('cohortNew')} value={nf(data.newUsers)} />
              <Stat label={t('cohortReturning')} value={nf(data.returningUsers)} />
              <Stat label={t('cohortTokens')} value={nf(data.tokens)} />
            </div>
            <Panel id="cohort-plans" title={t('cohortPlans')} className="min-w-0">
              <div className="overflow-x-auto">
                <table className="w-full text-left text-sm">
                  <TableHead columns={[{ label: t('cohortPlan') }, ...[t('cohortUsers'), t('cohortTokens'), 'p50', 'p90', 'p99'].map((label) => ({ label, numeric: true }))]} />
                  <tbody>
                    {data.plans.map((plan) => (
                      <tr key={plan.plan} className="border-t border-slate-100">
                        <td className="px-2 py-1.5 font-medium">{plan.plan}</td>
                        {[plan.users, plan.tokens, plan.p50, plan.p90, plan.p99].map((value, index) => (
                          <td key={index} className="px-2 py-1.5 text-right tabular-nums">
                            {nf(value)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </Panel>
            <div className="grid min-w-0 gap-4 lg:grid-cols-2">
              <Panel id="cohort-warnings" title={t('cohortWarnings')} className="min-w-0">
                <div className="overflow-x-auto">
                  <table className="w-full text-left text-sm">
                    <TableHead columns={[{ label: t('cohortLevel') }, ...[t('cohortReached'), t('cohortBought'), t('cohortConversion')].map((label) => ({ label, numeric: true }))]} />
                    <tbody>
                      {data.warnings.map((warning) => (
                        <tr key={warning.level} className="border-t border-slate-100">
                          <td className="px-2 py-1.5 font-medium">{t(`level${warning.level}` as Key)}</td>
                          <td className="px-2 py-1.5 text-right tabular-nums">{nf(warning.users)}</td>
                          <td className="px-2 py-1.5 text-right tabular-nums">{nf(warning.bought)}</td>
                          <td className="px-2 py-1.5 text-right tabular-nums">{warning.users > 0 ? share(warning.bought / warning.users) : '—'}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </Panel>
              <Panel id="cohort-heavy" title={t('cohortHeavy')} className="min-w-0">
                <div className="grid grid-cols-2 gap-3">
                  <Stat label={t('cohortTop1')} value={share(data.top1Share)} />
                  <Stat label={t('cohortTop10')} value={share(data.top10Share)} />
                </div>
              </Panel>
            </div>
            <div className="flex flex-wrap items-center gap-2">
              <button
                type="button"
                className="btn btn-secondary"
                onClick={() => {
                  setCsvFailed(null);
                  apiBlob(`/api/admin/reports/cohort.csv${query}`)
                    .then((blob) => saveBlob(blob, `consult-on-cohort-${data.month}.csv`))
                    .catch((error: unknown) => setCsvFailed(errorText(error, t)));
                }}
                data-testid="cohort-csv"
              >
                {t('reportDownloadCsv')}
              </button>
              {csvFailed && (
                <span role="alert" className="text-sm text-red-800">
                  {csvFailed}
                </span>
              )}
            </div>
          </div>
        )
      )}
    </>
  );
}

export default function AdminReportsPage() {
  return (
    <AdminGate>
      <Cohort />
    </AdminGate>
  );
}
