'use client';

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { Spinner } from '@/components/AppShell';
import { LedgerPages } from '@/components/LedgerPages';
import { Panel } from '@/components/Panel';
import { DailyChart, seriesRows } from '@/components/UsageChart';
import { api, apiBlob, saveBlob } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { exportRangeValid, ledgerFileName, MEMBER_CHART_DAYS, shiftDay, sortMembers, todayIn, type MemberView, type OrganizationView } from '@/lib/organizations';
import { queryKeys, useOrganizationUsage } from '@/lib/queries';
import type { DailyUsageView, LedgerPageView } from '@consult-on/api-contract';
import { QueryFailed } from '@/components/QueryFailed';

/**
 * A member's tokens of the pool per day. Owners and admins pick the member (`members`: here, or
 * with a member's button in the members table); a member sees only their own (`members` null).
 */
export function MemberUsageChart({
  organization,
  memberId,
  onMemberChange,
  members,
}: {
  organization: OrganizationView;
  memberId: string;
  onMemberChange?: (memberId: string) => void;
  members: MemberView[] | null;
}) {
  const { t, nf } = useI18n();
  const id = useId();
  const [days, setDays] = useState(MEMBER_CHART_DAYS[0]!);
  const daily = useQuery({
    queryKey: queryKeys.organizationMemberDaily(organization.id, memberId, days),
    queryFn: () => api<DailyUsageView[]>(`/api/organizations/${organization.id}/members/${memberId}/daily?days=${days}`),
  });
  const email = members?.find((member) => member.userId === memberId)?.email;
  const total = daily.data?.reduce((sum, point) => sum + point.tokens, 0) ?? 0;
  return (
    <Panel id="org-member-usage" title={members ? t('orgUsageTitle') : t('orgUsageOwnTitle')} className="mt-4 min-w-0">
      <div className="mb-3 flex flex-wrap items-end gap-3">
        {members && onMemberChange && (
          <div className="w-full min-w-0 sm:w-auto sm:flex-1">
            <label htmlFor={`${id}-member`} className="label">
              {t('orgUsageMember')}
            </label>
            <select id={`${id}-member`} className="input w-full" value={memberId} onChange={(event) => onMemberChange(event.target.value)} data-testid="daily-member">
              {sortMembers(members).map((member) => (
                <option key={member.userId} value={member.userId}>
                  {member.email}
                </option>
              ))}
            </select>
          </div>
        )}
        <div>
          <label htmlFor={`${id}-days`} className="label">
            {t('orgUsagePeriod')}
          </label>
          <select id={`${id}-days`} className="input w-auto" value={days} onChange={(event) => setDays(Number(event.target.value))} data-testid="daily-days">
            {MEMBER_CHART_DAYS.map((option) => (
              <option key={option} value={option}>
                {t('orgUsageLastDays', { n: option })}
              </option>
            ))}
          </select>
        </div>
      </div>
      {daily.isPending ? (
        <Spinner />
      ) : daily.isError ? (
        <QueryFailed error={daily.error} onRetry={() => void daily.refetch()} />
      ) : (
        <div data-testid="member-daily" data-member={memberId} data-total={total}>
          <p className="mb-2 text-sm text-slate-700" data-testid="member-daily-total">
            {t('orgUsageTotal', { n: days, tokens: nf(total) })}
          </p>
          {total > 0 ? (
            <>
              <p className="mb-2 text-xs text-slate-600">{t('orgUsageNote')}</p>
              <DailyChart rows={seriesRows(daily.data)} height={240} label={email ? t('orgUsageOf', { email }) : t('orgUsageOwnTitle')} />
            </>
          ) : (
            <p className="rounded-lg bg-slate-50 p-4 text-center text-sm text-slate-700" data-testid="member-daily-none">
              {t('orgUsageNone')}
            </p>
          )}
        </div>
      )}
    </Panel>
  );
}

/** The CSV of the pool's entries of a range of days, saved by the browser under a name with the organization's and the days. */
function LedgerDownload({ organization, timeZone }: { organization: OrganizationView; timeZone: string }) {
  const { t } = useI18n();
  const id = useId();
  const today = todayIn(timeZone);
  const [from, setFrom] = useState(shiftDay(today, -29));
  const [to, setTo] = useState(today);
  const [state, setState] = useState<{ kind: 'idle' | 'pending' } | { kind: 'done'; file: string } | { kind: 'failed'; message: string }>({ kind: 'idle' });
  const valid = exportRangeValid(from, to);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid || state.kind === 'pending') return;
    setState({ kind: 'pending' });
    try {
      const blob = await apiBlob(`/api/organizations/${organization.id}/ledger.csv?from=${from}&to=${to}`);
      const file = ledgerFileName(organization.name, t('orgLedgerFileLabel'), from, to);
      saveBlob(blob, file);
      setState({ kind: 'done', file });
    } catch (error) {
      setState({ kind: 'failed', message: errorText(error, t) });
    }
  };
  return (
    <form onSubmit={(event) => void submit(event)} className="mb-4 rounded-lg border border-slate-200 p-3" aria-labelledby={`${id}-title`} data-testid="ledger-download">
      <h3 id={`${id}-title`} className="text-sm font-bold">
        {t('orgLedgerDownloadTitle')}
      </h3>
      <p id={`${id}-hint`} className="mt-0.5 text-xs text-slate-600">
        {t('orgLedgerDownloadHint')}
      </p>
      <div className="mt-2 flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor={`${id}-from`} className="label">
            {t('orgLedgerFrom')}
          </label>
          <input id={`${id}-from`} type="date" className="input w-auto" value={from} max={to} onChange={(event) => setFrom(event.target.value)} aria-describedby={`${id}-hint`} data-testid="ledger-from" />
        </div>
        <div>
          <label htmlFor={`${id}-to`} className="label">
            {t('orgLedgerTo')}
          </label>
          <input id={`${id}-to`} type="date" className="input w-auto" value={to} min={from} max={today} onChange={(event) => setTo(event.target.value)} aria-describedby={`${id}-hint`} data-testid="ledger-to" />
        </div>
        <button type="submit" className="btn btn-primary" disabled={!valid || state.kind === 'pending'} data-testid="ledger-csv">
          {state.kind === 'pending' ? t('orgLedgerDownloading') : t('orgLedgerDownload')}
        </button>
      </div>
      {!valid && (
        <p role="alert" className="mt-2 text-sm text-red-800" data-testid="ledger-range-error">
          {t('orgLedgerRangeInvalid')}
        </p>
      )}
      <p
        role="status"
        className={state.kind === 'done' ? 'mt-2 text-sm font-medium break-all text-green-800' : state.kind === 'failed' ? 'mt-2 text-sm text-red-800' : 'sr-only'}
        data-testid="ledger-download-status"
      >
        {state.kind === 'done' ? t('orgLedgerDownloaded', { file: state.file }) : state.kind === 'failed' ? state.message : ''}
      </p>
    </form>
  );
}

/** The pool's entries, newest first, 20 at a time, and its CSV file (owners and admins). */
export function OrganizationLedger({ organization }: { organization: OrganizationView }) {
  const { t } = useI18n();
  const usage = useOrganizationUsage(organization.id);
  const ledger = useInfiniteQuery({
    queryKey: queryKeys.organizationLedger(organization.id),
    queryFn: ({ pageParam }) => api<LedgerPageView>(`/api/organizations/${organization.id}/ledger?limit=20${pageParam ? `&before=${pageParam}` : ''}`),
    initialPageParam: 0,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  return (
    <Panel id="org-ledger" title={t('orgLedgerTitle')} className="mt-4 min-w-0">
      <p className="mb-3 text-xs text-slate-600">{t('orgLedgerNote')}</p>
      <LedgerDownload organization={organization} timeZone={usage.data?.pool.timeZone ?? 'Asia/Seoul'} />
      <LedgerPages ledger={ledger} showReason showMembers testIds={{ holds: 'org-ledger-holds', table: 'org-ledger', more: 'org-ledger-more' }} />
    </Panel>
  );
}
