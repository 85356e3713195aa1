'use client';

import Link from 'next/link';
import { levelStyle, percentText } from '@/components/UsageCard';
import { chatFigures } from '@/lib/chat-usage';
import { useI18n } from '@/lib/i18n';
import type { UsageView } from '@consult-on/api-contract';

/**
 * The usage card in brief beside the conversations: percentage, bar and what is left, linking to
 * the dashboard. Past 100 % what is left is the way to the block, the same figure the banner gives.
 */
export function UsageSummary({ usage, title }: { usage: UsageView; title?: string }) {
  const { t, nf, lang } = useI18n();
  const figures = chatFigures(usage);
  return (
    <Link href="/dashboard/" className="mb-3 block rounded-lg bg-slate-50 p-2 text-xs" data-testid="chat-usage" data-level={usage.level}>
      <span className="flex justify-between font-semibold">
        <span className="min-w-0 truncate">{title ?? t('usageTitle')}</span>
        <span data-testid="chat-usage-percent">{percentText(usage.usagePercent, lang)}</span>
      </span>
      <span className="mt-1 block h-2 overflow-hidden rounded-full bg-slate-200">
        <span className={`block h-full ${levelStyle[usage.level].bar}`} style={{ width: `${Math.min(100, usage.usagePercent)}%` }} />
      </span>
      {figures.inGrace ? (
        <span className="mt-1 block font-semibold text-red-800">
          {t('chatUntilBlock')} <strong data-testid="chat-until-block">{t('chatTokens', { n: nf(figures.untilBlockTokens) })}</strong>
        </span>
      ) : (
        <span className="mt-1 block text-slate-700">
          {t('remaining')} <strong data-testid="chat-remaining">{nf(figures.remainingTokens)}</strong>
        </span>
      )}
    </Link>
  );
}
