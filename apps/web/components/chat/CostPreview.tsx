'use client';

import { useEffect, useState } from 'react';
import { percentText } from '@/components/UsageCard';
import { api } from '@/lib/api';
import { useI18n } from '@/lib/i18n';
import type { EstimateView } from '@consult-on/api-contract';

/** The typical and maximum charge of the message being typed, asked for once typing pauses for 400 ms. */
export function CostPreview({ text, conversationId }: { text: string; conversationId: string | null }) {
  const { t, nf, lang } = useI18n();
  const [estimate, setEstimate] = useState<EstimateView | null>(null);
  useEffect(() => {
    if (!text.trim()) {
      setEstimate(null);
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      api<EstimateView>('/api/chat/estimate', { body: { message: text, ...(conversationId ? { conversationId } : {}) }, signal: controller.signal })
        .then(setEstimate)
        .catch(() => undefined);
    }, 400);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [text, conversationId]);
  if (!estimate || !text.trim()) return <p className="min-h-5 text-xs text-slate-600" aria-live="polite" />;
  return (
    <p className="min-h-5 text-xs text-slate-700" aria-live="polite" data-testid="cost-preview">
      {t('costPreview')}: {t('costTypical')} ~{nf(estimate.typicalChargeTokens)} · {t('costMax')} {nf(estimate.maxChargeTokens)}
      {estimate.shareOfRemainingPercent !== null && ` · ${t('costShare')} ${percentText(estimate.shareOfRemainingPercent, lang)}`}
      {!estimate.allowed && <strong className="ml-2 text-red-800">{t('costNotAllowed')}</strong>}
    </p>
  );
}
