'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { AppShell, Spinner } from '@/components/AppShell';
import { api, ApiError } from '@/lib/api';
import { useAuth } from '@/lib/auth';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { isInvitationToken, organizationPath, roleKey, type MembershipView } from '@/lib/organizations';
import { queryKeys } from '@/lib/queries';

/**
 * The page an invitation link opens. AppShell sends a visitor without a session to login with
 * this address as `?next=`, so they come back here; then one button accepts the invitation.
 */
function Join() {
  const { t } = useI18n();
  const { user } = useAuth();
  const client = useQueryClient();
  const [token, setToken] = useState<string | null | undefined>(undefined);
  useEffect(() => setToken(new URLSearchParams(window.location.search).get('token')), []);
  const accept = useMutation({
    mutationFn: (value: string) => api<MembershipView>('/api/organizations/invitations/accept', { body: { token: value } }),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.organizations() }),
  });
  if (token === undefined) return <Spinner />;
  const known = accept.error instanceof ApiError && (accept.error.code === 'INVITATION_INVALID' || accept.error.code === 'ALREADY_MEMBER');
  return (
    <div className="mx-auto max-w-lg">
      <section className="card" aria-labelledby="join-title" data-testid="join">
        <h1 id="join-title" className="text-xl font-bold">
          {t('orgJoinTitle')}
        </h1>
        {!isInvitationToken(token) ? (
          <p role="alert" className="mt-3 rounded bg-red-100 p-3 text-sm text-red-900" data-testid="join-error" data-code="BAD_LINK">
            {t('orgJoinBadLink')}
          </p>
        ) : accept.data ? (
          <div className="mt-3 space-y-3">
            <p role="status" className="rounded bg-green-50 p-3 text-sm font-medium break-words text-green-900" data-testid="join-done">
              {t('orgJoinDone', { name: accept.data.name, role: t(roleKey[accept.data.role]) })}
            </p>
            <Link href={organizationPath(accept.data.organizationId)} className="btn btn-primary" data-testid="join-open">
              {t('orgJoinOpen')}
            </Link>
          </div>
        ) : (
          <>
            <p className="mt-2 text-sm break-words text-slate-800">{t('orgJoinIntro', { email: user?.email ?? '' })}</p>
            <p className="mt-1 text-xs text-slate-600">{t('orgJoinOtherAccount')}</p>
            {accept.isError && (
              <p role="alert" className="mt-3 rounded bg-red-100 p-3 text-sm text-red-900" data-testid="join-error" data-code={accept.error instanceof ApiError ? accept.error.code : undefined}>
                {errorText(accept.error, t)}
              </p>
            )}
            {known ? (
              <Link href="/organizations/" className="btn btn-secondary mt-4" data-testid="join-list">
                {t('orgJoinToList')}
              </Link>
            ) : (
              <button type="button" className="btn btn-primary mt-4" onClick={() => accept.mutate(token)} disabled={accept.isPending} data-testid="join-accept">
                {accept.isPending ? t('orgJoinAccepting') : t('orgJoinAccept')}
              </button>
            )}
          </>
        )}
      </section>
    </div>
  );
}

export default function JoinPage() {
  return (
    <AppShell>
      <Join />
    </AppShell>
  );
}
