'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { AppShell, Spinner } from '@/components/AppShell';
import { OrganizationNameForm } from '@/components/OrganizationNameForm';
import { Panel } from '@/components/Panel';
import { TableHead } from '@/components/TableHead';
import { api } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { organizationPath, roleKey, type OrganizationSummaryView, type OrganizationView } from '@/lib/organizations';
import { queryKeys } from '@/lib/queries';
import { QueryFailed } from '@/components/QueryFailed';

/** Cards on a phone, a table from `sm` up: the same organizations either way. */
function OrganizationList({ organizations }: { organizations: OrganizationSummaryView[] }) {
  const { t, nf, df } = useI18n();
  return (
    <>
      <ul className="space-y-3 sm:hidden" data-testid="org-cards">
        {organizations.map((organization) => (
          <li key={organization.id} className="rounded-lg border border-slate-200 p-3" data-testid="org-card" data-org={organization.id}>
            <Link href={organizationPath(organization.id)} className="font-semibold break-words text-blue-800 underline">
              {organization.name}
            </Link>
            <p className="mt-1 text-sm text-slate-700">
              {t(roleKey[organization.role])} · {t('orgMembers')} {t('orgMembersCount', { n: nf(organization.members) })}
            </p>
            <p className="text-xs text-slate-600">
              {t('orgCreatedOn')} {df(organization.createdAt)}
            </p>
          </li>
        ))}
      </ul>
      {/* relative: the sr-only header is absolutely positioned and would otherwise widen the page. */}
      <div className="relative hidden overflow-x-auto sm:block">
        <table className="w-full text-left text-sm" data-testid="org-table">
          <TableHead columns={[{ label: t('orgName') }, { label: t('orgYourRole') }, { label: t('orgMembers'), numeric: true }, { label: t('orgCreatedOn') }]} />
          <tbody>
            {organizations.map((organization) => (
              <tr key={organization.id} className="border-b border-slate-100" data-testid="org-row" data-org={organization.id}>
                <td className="px-2 py-2 break-words">
                  <Link href={organizationPath(organization.id)} className="font-medium text-blue-800 underline" data-testid="org-link">
                    {organization.name}
                  </Link>
                </td>
                <td className="px-2 py-2 whitespace-nowrap" data-testid="org-role">
                  {t(roleKey[organization.role])}
                </td>
                <td className="px-2 py-2 text-right tabular-nums" data-testid="org-members">
                  {t('orgMembersCount', { n: nf(organization.members) })}
                </td>
                <td className="px-2 py-2 whitespace-nowrap">{df(organization.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Organizations() {
  const { t } = useI18n();
  const router = useRouter();
  const client = useQueryClient();
  const list = useQuery({ queryKey: queryKeys.organizationList(), queryFn: () => api<OrganizationSummaryView[]>('/api/organizations') });
  const create = useMutation({
    mutationFn: (name: string) => api<OrganizationView>('/api/organizations', { body: { name } }),
    onSuccess: (organization) => {
      client.setQueryData(queryKeys.organization(organization.id), organization);
      void client.invalidateQueries({ queryKey: queryKeys.organizations() });
      router.push(organizationPath(organization.id));
    },
  });
  return (
    <>
      <h1 className="mb-1 text-2xl font-bold">{t('orgsTitle')}</h1>
      <p className="mb-4 text-sm text-slate-700">{t('orgsIntro')}</p>
      <div className="grid gap-4 lg:grid-cols-3">
        <Panel id="org-list" title={t('orgListTitle')} className="lg:col-span-2">
          {list.isPending ? (
            <Spinner />
          ) : list.isError ? (
            <QueryFailed error={list.error} onRetry={() => void list.refetch()} />
          ) : list.data.length ? (
            <OrganizationList organizations={list.data} />
          ) : (
            <p className="text-sm text-slate-600" data-testid="org-none">
              {t('orgsNone')}
            </p>
          )}
        </Panel>
        <Panel id="org-create" title={t('orgCreateTitle')}>
          <OrganizationNameForm
            label={t('orgName')}
            submitLabel={t('orgCreateSubmit')}
            pendingLabel={t('orgCreating')}
            pending={create.isPending || create.isSuccess}
            error={create.error}
            onSubmit={(name) => create.mutate(name)}
            testId="org-create"
          />
          <p className="mt-4 text-xs text-slate-600">{t('orgRolesHelp')}</p>
        </Panel>
      </div>
    </>
  );
}

export default function OrganizationsPage() {
  return (
    <AppShell>
      <Organizations />
    </AppShell>
  );
}
