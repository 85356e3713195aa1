'use client';

import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';

/** A read that failed: what went wrong, in the user's words, and a button to try again. */
export function QueryFailed({ error, onRetry, className = 'text-red-800' }: { error: unknown; onRetry: () => void; className?: string }) {
  const { t } = useI18n();
  return (
    <p role="alert" className={className}>
      {errorText(error, t)}{' '}
      <button type="button" className="underline" onClick={onRetry}>
        {t('retry')}
      </button>
    </p>
  );
}
