'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { AdminGate } from '@/components/AdminGate';
import { AssignPlanForm } from '@/components/AdminPlans';
import { Spinner } from '@/components/AppShell';
import { Forbidden } from '@/components/Forbidden';
import { Panel } from '@/components/Panel';
import { TableHead } from '@/components/TableHead';
import { percentText, UsageCard } from '@/components/UsageCard';
import { type AdminMemberView, type AdminOrganizationDetailView } from '@/lib/admin-organizations';
import { api, ApiError } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { memberLimitReached, memberUsageText, roleKey, sortMembers, type OrganizationRole } from '@/lib/organizations';
import { queryKeys } from '@/lib/queries';
import { QueryFailed } from '@/components/QueryFailed';

/** A member's use of the pool against their limit: the figures, and a bar when they have a limit. */
function MemberUsage({ member }: { member: AdminMemberView }) {
  const { t, nf, lang } = useI18n();
  const { usage } = member;
  const reached = memberLimitReached(usage);
  return (
    <div className="min-w-0" data-testid="member-usage">
      <p className={`tabular-nums ${reached ? 'font-semibold text-red-800' : ''}`}>{memberUsageText(usage, 'cell', t, nf)}</p>
      {usage.usagePercent !== null && (
        <div
          className="mt-1 h-2 w-full max-w-48 overflow-hidden rounded-full bg-slate-200"
          role="progressbar"
          aria-label={t('adminOrgMemberUsageOf', { email: member.email })}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.min(100, Math.round(usage.usagePercent))}
          aria-valuetext={percentText(usage.usagePercent, lang)}
        >
          <div className={`h-full rounded-full ${reached ? 'bg-red-700' : 'bg-blue-700'}`} style={{ width: `${Math.min(100, Math.max(0, usage.usagePercent))}%` }} />
        </div>
      )}
    </div>
  );
}

/** The members and their use of the organization's tokens: cards on a phone, a table from `md` up. */
function Members({ members }: { members: AdminMemberView[] }) {
  const { t, df, lang } = useI18n();
  const sorted = sortMembers(members.map((member) => ({ ...member, role: member.role as OrganizationRole })));
  const percent = (member: AdminMemberView) => (member.usage.usagePercent === null ? t('adminOrgMemberNoLimit') : percentText(member.usage.usagePercent, lang));
  return (
    <Panel id="org-members-title" title={t('orgMembersTitle')} className="mt-4">
      <p className="mb-2 text-xs break-keep text-slate-600">{t('adminOrgMembersNote')}</p>
      {sorted.length === 0 ? (
        <p className="p-4 text-slate-600">{t('adminOrgMembersNone')}</p>
      ) : (
        <>
          <ul className="divide-y divide-slate-100 md:hidden" data-testid="admin-member-cards">
            {sorted.map((member) => (
              <li key={member.userId} className="min-w-0 py-3" data-testid="admin-member" data-email={member.email} data-role={member.role}>
                <p className="font-medium break-all">
                  <Link href={`/admin/user/?id=${member.userId}`} className="text-blue-800 underline">
                    {member.email}
                  </Link>
                </p>
                <p className="mt-0.5 text-xs text-slate-600">
                  {t(roleKey[member.role])} · {t('orgMemberJoined')} {df(member.joinedAt)}
                </p>
                <div className="mt-2 text-sm">
                  <MemberUsage member={member} />
                </div>
              </li>
            ))}
          </ul>
          <table className="hidden w-full text-left text-sm md:table" data-testid="admin-member-table">
            <TableHead
              columns={[
                { label: t('orgMemberEmail') },
                { label: t('orgMemberRole') },
                { label: t('orgMemberUsage') },
                { label: t('adminOrgMemberPercent'), numeric: true },
                { label: t('orgMemberJoined') },
              ]}
            />
            <tbody>
              {sorted.map((member) => (
                <tr key={member.userId} className="border-b border-slate-100 align-top" data-testid="admin-member-row" data-email={member.email} data-role={member.role}>
                  <td className="px-2 py-2 break-all">
                    <Link href={`/admin/user/?id=${member.userId}`} className="text-blue-800 underline">
                      {member.email}
                    </Link>
                  </td>
                  <td className="px-2 py-2 whitespace-nowrap">{t(roleKey[member.role])}</td>
                  <td className="px-2 py-2">
                    <MemberUsage member={member} />
                  </td>
                  <td className="px-2 py-2 text-right whitespace-nowrap tabular-nums">{percent(member)}</td>
                  <td className="px-2 py-2 whitespace-nowrap">{df(member.joinedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Panel>
  );
}

function Detail() {
  const { t, nf, df, lang } = useI18n();
  const [id, setId] = useState<string | null>(null);
  useEffect(() => setId(new URLSearchParams(window.location.search).get('id') ?? ''), []);
  const detail = useQuery({
    queryKey: queryKeys.adminOrganization(id, lang),
    queryFn: () => api<AdminOrganizationDetailView>(`/api/admin/organizations/${encodeURIComponent(id ?? '')}`),
    enabled: !!id,
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  });
  if (id === null || (id && detail.isPending)) return <Spinner />;
  if (detail.error instanceof ApiError && detail.error.status === 403) return <Forbidden />;
  const back = (
    <Link href="/admin/organizations/" className="text-sm font-medium text-blue-800 underline">
      ← {t('orgBackToList')}
    </Link>
  );
  if (!id || (detail.error instanceof ApiError && detail.error.status === 404))
    return (
      <div className="card" data-testid="admin-org-not-found">
        <p role="alert" className="mb-3 text-red-800">
          {t('adminOrgNotFound')}
        </p>
        {back}
      </div>
    );
  if (detail.isError || !detail.data)
    return (
      <QueryFailed error={detail.error} onRetry={() => void detail.refetch()} className="card text-red-800" />
    );
  const { organization, pool, members } = detail.data;
  return (
    <>
      {back}
      <h1 className="mt-2 text-2xl font-bold break-words" data-testid="admin-org-title">
        {t('adminOrgDetailTitle', { name: organization.name })}
      </h1>
      <p className="mb-4 text-sm text-slate-700">{t('adminOrgSummary', { members: nf(organization.members), date: df(organization.createdAt) })}</p>
      <div className="grid gap-4 lg:grid-cols-2">
        <div className="min-w-0" data-testid="admin-org-pool">
          <UsageCard usage={pool} pool={{ name: organization.name, member: null }} showActions={false} />
        </div>
        <Panel id="org-plan-title" title={t('adminOrgPlanTitle')} className="min-w-0">
          <p className="mb-3 text-sm break-keep text-slate-700">{t('adminOrgPlanNote')}</p>
          <AssignPlanForm target={{ kind: 'organization', id: organization.id }} usage={pool} />
        </Panel>
      </div>
      <Members members={members} />
    </>
  );
}

export default function AdminOrganizationPage() {
  return (
    <AdminGate>
      <Detail />
    </AdminGate>
  );
}
