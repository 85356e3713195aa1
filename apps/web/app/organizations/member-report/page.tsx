'use client';

import Link from 'next/link';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { AppShell, Spinner } from '@/components/AppShell';
import { QueryFailed } from '@/components/QueryFailed';
import { MonthSelect, UsageReport } from '@/components/UsageReport';
import { api } from '@/lib/api';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/queries';
import type { OrganizationView } from '@/lib/organizations';
import type { UsageReportView } from '@consult-on/api-contract';

/** A member's month in an organization's pool, for its owners and admins (`?org=…&member=…`). */
function MemberReport() {
  const { t, lang } = useI18n();
  const [ids, setIds] = useState<{ org: string; member: string } | null>(null);
  useEffect(() => {
    const query = new URLSearchParams(window.location.search);
    setIds({ org: query.get('org') ?? '', member: query.get('member') ?? '' });
  }, []);
  const [month, setMonth] = useState<string | null>(null);
  const organization = useQuery({
    queryKey: queryKeys.organization(ids?.org ?? null),
    queryFn: () => api<OrganizationView>(`/api/organizations/${encodeURIComponent(ids!.org)}`),
    enabled: !!ids?.org,
  });
  const report = useQuery({
    queryKey: ['reports', 'member', ids?.org, ids?.member, month ?? 'current', lang],
    queryFn: () => api<UsageReportView>(`/api/reports/organizations/${encodeURIComponent(ids!.org)}/members/${encodeURIComponent(ids!.member)}${month ? `?month=${month}` : ''}`),
    enabled: !!ids?.org && !!ids.member,
  });
  if (!ids || (ids.org && (organization.isPending || report.isPending))) return <Spinner />;
  const failed = organization.error ?? report.error;
  const email = organization.data?.members?.find((member) => member.userId === ids.member)?.email ?? '';
  return (
    <>
      <Link href={`/organizations/detail/?id=${ids.org}`} className="text-sm font-medium text-blue-800 underline">
        ← {t('back')}
      </Link>
      <div className="mt-2 mb-4 flex flex-wrap items-end justify-between gap-3">
        <div className="min-w-0">
          <h1 className="text-2xl font-bold">{t('memberReportTitle')}</h1>
          {organization.data && <p className="mt-1 max-w-2xl text-sm break-all text-slate-700">{t('memberReportIntro', { email, name: organization.data.name })}</p>}
        </div>
        <MonthSelect id="member-report-month" value={month} onChange={setMonth} />
      </div>
      {failed || !report.data ? <QueryFailed error={failed} onRetry={() => void report.refetch()} /> : <UsageReport report={report.data} />}
    </>
  );
}

export default function MemberReportPage() {
  return (
    <AppShell>
      <MemberReport />
    </AppShell>
  );
}
