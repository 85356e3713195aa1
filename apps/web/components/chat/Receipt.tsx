'use client';

import { useI18n } from '@/lib/i18n';
import type { TurnUsageView } from '@consult-on/api-contract';

/** What one reply cost: prompt and completion tokens, the charge, and the buckets it came from. */
export function Receipt({ usage }: { usage: TurnUsageView }) {
  const { t, nf } = useI18n();
  return (
    <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 rounded-lg bg-slate-100 p-3 text-xs sm:grid-cols-3" data-testid="receipt">
      <div>
        <dt className="text-slate-600">{t('promptTokens')}</dt>
        <dd className="font-semibold tabular-nums">{nf(usage.promptTokens)}</dd>
      </div>
      <div>
        <dt className="text-slate-600">{t('completionTokens')}</dt>
        <dd className="font-semibold tabular-nums">{nf(usage.completionTokens)}</dd>
      </div>
      <div>
        <dt className="text-slate-600">{t('chargedTokens')}</dt>
        <dd className="font-bold tabular-nums">{nf(usage.chargedTokens)}</dd>
      </div>
      <div>
        <dt className="text-slate-600">{t('fromPurchased')}</dt>
        <dd className="tabular-nums">{nf(usage.purchasedTokens)}</dd>
      </div>
      <div>
        <dt className="text-slate-600">{t('fromFree')}</dt>
        <dd className="tabular-nums">{nf(usage.freeTokens)}</dd>
      </div>
      {usage.overageTokens > 0 && (
        <div>
          <dt className="text-slate-600">{t('fromOverage')}</dt>
          <dd className="tabular-nums">{nf(usage.overageTokens)}</dd>
        </div>
      )}
      {usage.estimated && <p className="col-span-full text-slate-600">{t('estimatedCharge')}</p>}
    </dl>
  );
}
