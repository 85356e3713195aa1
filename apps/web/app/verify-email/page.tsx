'use client';

import Link from 'next/link';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { linkToken, PublicPage } from '@/components/PublicPage';
import { api } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import type { UserView } from '@consult-on/api-contract';

/** Opens a mailed verification link: verifies the address at once, signed in or not. */
export default function VerifyEmailPage() {
  const { t } = useI18n();
  const client = useQueryClient();
  const verify = useMutation({
    mutationFn: (token: string) => api<UserView>('/api/auth/email/verify', { body: { token }, redirectOn401: false }),
    // The signed-in view (the banner) reads the account again. A first read still in flight may have
    // read it before the verification: invalidating alone would wait for that read (React Query joins
    // a first fetch rather than cancel it), so it is cancelled first.
    onSuccess: async () => {
      await client.cancelQueries();
      await client.invalidateQueries();
    },
  });
  const { mutate } = verify;
  // undefined until the address bar is read (after the first render: the page is static).
  const [token, setToken] = useState<string | null | undefined>(undefined);
  useEffect(() => setToken(linkToken()), []);
  useEffect(() => {
    if (token) mutate(token);
  }, [token, mutate]);
  const missing = token === null;
  return (
    <PublicPage>
      <div className="card space-y-4">
        <h1 className="text-xl font-bold">{t('verifyTitle')}</h1>
        {verify.isPending && (
          <p role="status" className="text-sm text-slate-700">
            {t('verifyWorking')}
          </p>
        )}
        {verify.isSuccess && (
          <p role="status" className="rounded-lg bg-green-50 p-3 text-sm text-green-900" data-testid="verify-done">
            {t('verifyDone')}
          </p>
        )}
        {(verify.isError || missing) && (
          <p role="alert" className="rounded-lg bg-red-100 p-3 text-sm text-red-900" data-testid="verify-error">
            {missing ? t('resetMissingToken') : errorText(verify.error, t)}
          </p>
        )}
        <Link href="/dashboard/" className="btn btn-primary w-full">
          {t('verifyContinue')}
        </Link>
      </div>
    </PublicPage>
  );
}
