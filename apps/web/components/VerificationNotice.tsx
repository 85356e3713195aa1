'use client';

import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';

/** The address waits for verification: say what that holds back, and mail the link again on request. */
export function VerificationNotice() {
  const { t } = useI18n();
  const resend = useMutation({ mutationFn: () => api<{ accepted: true }>('/api/auth/email/verification', { method: 'POST' }) });
  return (
    <div className="mb-4 rounded-lg bg-amber-100 p-3 text-sm text-amber-950" data-testid="verify-notice">
      <p>{t('verifyBanner')}</p>
      <div className="mt-2 flex flex-wrap items-center gap-3">
        <button type="button" className="btn btn-secondary" disabled={resend.isPending || resend.isSuccess} onClick={() => resend.mutate()} data-testid="verify-resend">
          {t('verifyResend')}
        </button>
        {resend.isSuccess && <span role="status">{t('verifyResent')}</span>}
        {resend.isError && <span role="alert">{errorText(resend.error, t)}</span>}
      </div>
    </div>
  );
}
