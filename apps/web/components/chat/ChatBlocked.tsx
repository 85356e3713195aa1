'use client';

import Link from 'next/link';
import { useI18n } from '@/lib/i18n';

export type ChatBlockedReason = { kind: 'ACCOUNT' } | { kind: 'ORGANIZATION'; name: string } | { kind: 'MEMBER'; name: string; limitTokens: number };

/**
 * Shown instead of the message box once chat is refused, with why: one's own account blocked
 * (the way to buy tokens), an organization's pool blocked, or one's own limit in it used up
 * (ask its owners and admins; one's own account still works: `onUsePersonal`).
 */
export function ChatBlocked({ reason = { kind: 'ACCOUNT' }, onUsePersonal }: { reason?: ChatBlockedReason; onUsePersonal?: () => void }) {
  const { t, nf } = useI18n();
  const title = reason.kind === 'MEMBER' ? t('memberLimitBlockedTitle') : t('chatBlockedTitle');
  const body =
    reason.kind === 'MEMBER'
      ? t('memberLimitBlockedBody', { name: reason.name, limit: nf(reason.limitTokens) })
      : reason.kind === 'ORGANIZATION'
        ? t('orgChatBlockedBody', { name: reason.name })
        : t('chatBlockedBody');
  return (
    <div className="mt-3 rounded-xl border-2 border-red-700 bg-red-50 p-4" data-testid="chat-blocked" data-reason={reason.kind}>
      <h2 className="font-bold text-red-900">{title}</h2>
      <p className="mt-1 text-sm text-red-950">{body}</p>
      {reason.kind === 'ACCOUNT' ? (
        <Link href="/purchase/" className="btn btn-primary mt-3">
          {t('goPurchase')}
        </Link>
      ) : (
        onUsePersonal && (
          <button type="button" className="btn btn-primary mt-3" onClick={onUsePersonal} data-testid="use-personal">
            {t('workspaceSwitchPersonal')}
          </button>
        )
      )}
    </div>
  );
}
