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
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/queries';
import { recentMonths } from '@/lib/report-months';
import type { CohortReportView } from '@consult-on/api-contract';

const share = (value: number) => `${Math.round(value * 1000) / 10}%`;

function Cohort() {
  const { t, nf } = useI18n();
  const [month, setMonth] = useState(() => recentMonths(new Date())[1]!);
  const report = useQuery({ queryKey: queryKeys.cohortReport(month), queryFn: () => api<CohortReportView>(`/api/admin/reports/cohort?month=${month}`), staleTime: 60_000 });
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
                          <td className="px-2 py-1.5 font-medium">{warning.level}</td>
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
            <button type="button" className="btn btn-secondary" onClick={() => void apiBlob(`/api/admin/reports/cohort.csv?month=${month}`).then((blob) => saveBlob(blob, `consult-on-cohort-${month}.csv`))} data-testid="cohort-csv">
              {t('reportDownloadCsv')}
            </button>
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
