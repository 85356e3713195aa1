'use client';

import Link from 'next/link';
import { levelStyle, percentText } from '@/components/UsageCard';
import { useI18n } from '@/lib/i18n';
import type { UsageView } from '@consult-on/api-contract';

/** The usage card in brief beside the conversations: percentage, bar and remaining tokens, linking to the dashboard. */
export function UsageSummary({ usage }: { usage: UsageView }) {
  const { t, nf, lang } = useI18n();
  return (
    <Link href="/dashboard/" className="mb-3 block rounded-lg bg-slate-50 p-2 text-xs" data-testid="chat-usage" data-level={usage.level}>
      <span className="flex justify-between font-semibold">
        <span>{t('usageTitle')}</span>
        <span data-testid="chat-usage-percent">{percentText(usage.usagePercent, lang)}</span>
      </span>
      <span className="mt-1 block h-2 overflow-hidden rounded-full bg-slate-200">
        <span className={`block h-full ${levelStyle[usage.level].bar}`} style={{ width: `${Math.min(100, usage.usagePercent)}%` }} />
      </span>
      <span className="mt-1 block text-slate-700">
        {t('remaining')} <strong data-testid="chat-remaining">{nf(Math.max(0, usage.remainingTokens))}</strong>
      </span>
    </Link>
  );
}
