'use client';

import Link from 'next/link';
import { useI18n } from '@/lib/i18n';

/** Shown instead of the message box once chat is blocked: why, and the way to buy tokens. */
export function ChatBlocked() {
  const { t } = useI18n();
  return (
    <div className="mt-3 rounded-xl border-2 border-red-700 bg-red-50 p-4" data-testid="chat-blocked">
      <h2 className="font-bold text-red-900">{t('chatBlockedTitle')}</h2>
      <p className="mt-1 text-sm text-red-950">{t('chatBlockedBody')}</p>
      <Link href="/purchase/" className="btn btn-primary mt-3">
        {t('goPurchase')}
      </Link>
    </div>
  );
}
