'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { DistributionChart } from '@/components/DistributionChart';
import { Panel } from '@/components/Panel';
import { Stat } from '@/components/Stat';
import { TableHead } from '@/components/TableHead';
import { LevelBadge, percentText } from '@/components/UsageCard';
import { adminOrganizationPath, planDistribution, planNameOf, rowOfTop, type OrganizationRow, type OrganizationStatsView } from '@/lib/admin-organizations';
import { useI18n } from '@/lib/i18n';
import { fetchAdminPlans } from '@/lib/plans';
import { queryKeys } from '@/lib/queries';

/** The plans' names in the page's language (the admin plans query, shared with the plans page); undefined until read. */
export function usePlanNames() {
  const { lang } = useI18n();
  return useQuery({ queryKey: queryKeys.adminPlans(lang), queryFn: () => fetchAdminPlans(lang), staleTime: 60_000 }).data;
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd className="font-semibold break-words tabular-nums">{children}</dd>
    </div>
  );
}

/**
 * Organizations with their plan and this month's use of their tokens, each linking to its admin
 * page: a table from the md breakpoint on, cards below it (no sideways scrolling on a phone).
 * `ranked` numbers the rows (the stats page's top organizations).
 */
export function OrganizationsTable({ rows, ranked = false, testId }: { rows: OrganizationRow[]; ranked?: boolean; testId: string }) {
  const { t, nf, lang } = useI18n();
  const plans = usePlanNames();
  const used = (row: OrganizationRow) =>
    row.capacityTokens === null ? t('adminOrgCapacityUnknown', { used: nf(row.usedTokens) }) : t('adminOrgUsedOf', { used: nf(row.usedTokens), capacity: nf(row.capacityTokens) });
  return (
    <>
      <table className="hidden w-full text-left text-sm md:table" data-testid={`${testId}-table`}>
        <TableHead
          columns={[
            ...(ranked ? [{ label: '#' }] : []),
            { label: t('orgName') },
            { label: t('planLabel') },
            { label: t('orgMembers'), numeric: true },
            { label: t('adminOrgUsed'), numeric: true },
            { label: t('usagePercent'), numeric: true },
            { label: t('level') },
          ]}
        />
        <tbody>
          {rows.map((row, index) => (
            <tr key={row.id} className="border-b border-slate-100 hover:bg-slate-50" data-testid="org-row" data-id={row.id} data-plan={row.planId}>
              {ranked && <td className="px-2 py-2 text-slate-600">{index + 1}</td>}
              <td className="max-w-72 px-2 py-2 break-words">
                <Link href={adminOrganizationPath(row.id)} className="font-medium text-blue-800 underline">
                  {row.name}
                </Link>
              </td>
              <td className="px-2 py-2" data-testid="org-row-plan">
                {planNameOf(row.planId, plans)}
              </td>
              <td className="px-2 py-2 text-right tabular-nums">{t('orgMembersCount', { n: nf(row.members) })}</td>
              <td className="px-2 py-2 text-right whitespace-nowrap tabular-nums" data-testid="org-used">
                {used(row)}
              </td>
              <td className="px-2 py-2 text-right tabular-nums">{percentText(row.usagePercent, lang)}</td>
              <td className="px-2 py-2">
                <LevelBadge level={row.level} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ul className="divide-y divide-slate-100 md:hidden" data-testid={`${testId}-cards`}>
        {rows.map((row, index) => (
          <li key={row.id} className="min-w-0 py-3" data-testid="org-card" data-id={row.id} data-plan={row.planId}>
            <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
              <h3 className="min-w-0 font-bold break-words">
                {ranked && <span className="mr-1 font-normal text-slate-600">{index + 1}.</span>}
                <Link href={adminOrganizationPath(row.id)} className="text-blue-800 underline">
                  {row.name}
                </Link>
              </h3>
              <LevelBadge level={row.level} />
            </div>
            <dl className="mt-2 grid grid-cols-2 gap-x-3 gap-y-1 text-sm break-keep">
              <Item label={t('planLabel')}>{planNameOf(row.planId, plans)}</Item>
              <Item label={t('orgMembers')}>{t('orgMembersCount', { n: nf(row.members) })}</Item>
              <Item label={t('adminOrgUsed')}>{used(row)}</Item>
              <Item label={t('usagePercent')}>{percentText(row.usagePercent, lang)}</Item>
            </dl>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The organizations section of the admin stats page: their totals, how many are on each plan, and the ones that used the most. */
export function OrganizationsStats({ stats }: { stats: OrganizationStatsView }) {
  const { t, nf } = useI18n();
  const plans = usePlanNames();
  const byPlan = planDistribution(stats.plans, plans);
  return (
    <section className="mt-6" aria-labelledby="orgs-stats-title" data-testid="org-stats">
      <div className="mb-3 flex flex-wrap items-center justify-between gap-2">
        <h2 id="orgs-stats-title" className="text-xl font-bold">
          {t('adminOrgStatsTitle')}
        </h2>
        <Link href="/admin/organizations/" className="btn btn-secondary" data-testid="admin-orgs-link">
          {t('adminOrgsAll')}
        </Link>
      </div>
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-3" data-testid="org-overview">
        <Stat label={t('adminOrgStatsTotal')} value={nf(stats.total)} testId="org-stat-total" />
        <Stat label={t('adminOrgStatsActive')} value={nf(stats.active)} testId="org-stat-active" />
        <div className="col-span-2 lg:col-span-1">
          <Stat label={t('adminOrgStatsUsed')} value={t('tokensCount', { n: nf(stats.usedTokens) })} testId="org-stat-used" />
        </div>
      </div>
      <div className="mt-4 grid gap-4">
        <Panel id="orgs-plans-title" title={t('adminOrgPlansTitle')} className="min-w-0">
          {byPlan.length === 0 ? (
            <p className="p-4 text-slate-600">{t('adminOrgPlansNone')}</p>
          ) : (
            <>
              <DistributionChart rows={byPlan.map((plan) => ({ name: plan.name, count: plan.organizations }))} label={t('adminOrgPlansTitle')} series={t('adminOrgPlansCount')} testId="org-plans-chart" />
              <table className="mt-2 w-full text-left text-sm" data-testid="org-plans">
                <TableHead columns={[{ label: t('planLabel') }, { label: t('adminOrgPlansCount'), numeric: true }, { label: t('adminOrgPlansActive'), numeric: true }, { label: t('used'), numeric: true }]} />
                <tbody>
                  {byPlan.map((plan) => (
                    <tr key={plan.planId} className="border-b border-slate-100" data-testid="org-plan-row" data-plan={plan.planId}>
                      <td className="px-2 py-2 break-words">{plan.name}</td>
                      <td className="px-2 py-2 text-right tabular-nums">{nf(plan.organizations)}</td>
                      <td className="px-2 py-2 text-right tabular-nums">{nf(plan.active)}</td>
                      <td className="px-2 py-2 text-right tabular-nums">{nf(plan.usedTokens)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </Panel>
        <Panel id="orgs-top-title" title={t('adminOrgTopTitle')} className="min-w-0">
          {stats.top.length === 0 ? <p className="p-4 text-slate-600">{t('adminOrgTopNone')}</p> : <OrganizationsTable rows={stats.top.map(rowOfTop)} ranked testId="org-top" />}
        </Panel>
      </div>
    </section>
  );
}
