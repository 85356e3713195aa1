'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { percentText } from '@/components/UsageCard';
import { api } from '@/lib/api';
import { chatFigures } from '@/lib/chat-usage';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/queries';
import type { EstimateView, UsageView } from '@consult-on/api-contract';

/** An estimate with what it was asked for, so that one for an older text is never taken for the current one. */
export interface PricedDraft {
  text: string;
  conversationId: string | null;
  /** The workspace a new conversation would start in (null: one's own account). */
  organizationId: string | null;
  model: string | null;
  estimate: EstimateView;
}

interface CostPreviewProps {
  text: string;
  conversationId: string | null;
  organizationId: string | null;
  /** In an organization, what the reader's own limit leaves (null: no limit); the estimate counts it too. */
  memberRemainingTokens?: number | null;
  model: string | null;
  /** The page's usage snapshot: the share of what is left is figured from it, like every other figure on the page. */
  usage: UsageView | undefined;
  onEstimate: (priced: PricedDraft | null) => void;
  /** Offered when the estimate says the context has grown large: a new conversation costs less per turn. */
  onNewConversation?: () => void;
}

/**
 * The typical and maximum charge of the message being typed, asked for once typing pauses for
 * 400 ms. An estimate that sees another balance than the page's snapshot refreshes the snapshot.
 */
export function CostPreview({ text, conversationId, organizationId, memberRemainingTokens = null, model, usage, onEstimate, onNewConversation }: CostPreviewProps) {
  const { t, nf, lang } = useI18n();
  const client = useQueryClient();
  const [priced, setPriced] = useState<PricedDraft | null>(null);
  useEffect(() => {
    if (!text.trim()) {
      setPriced(null);
      onEstimate(null);
      return;
    }
    const controller = new AbortController();
    const timer = window.setTimeout(() => {
      const workspace = conversationId ? { conversationId } : organizationId ? { organizationId } : {};
      api<EstimateView>('/api/chat/estimate', { body: { message: text, ...workspace, ...(model ? { model } : {}) }, signal: controller.signal })
        .then((estimate) => {
          const next = { text, conversationId, organizationId, model, estimate };
          setPriced(next);
          onEstimate(next);
        })
        .catch(() => undefined);
    }, 400);
    return () => {
      window.clearTimeout(timer);
      controller.abort();
    };
  }, [text, conversationId, organizationId, model, onEstimate]);
  const estimate = priced?.estimate;
  // The estimate's remaining is the smaller of the account's (or pool's) and, in an organization, the member's limit.
  const snapshotRemaining = usage ? Math.min(usage.remainingTokens, memberRemainingTokens ?? Number.POSITIVE_INFINITY) : null;
  const stale = usage && estimate && estimate.remainingTokens !== snapshotRemaining;
  useEffect(() => {
    // The balance moved since the snapshot (another tab, a purchase): refresh it, so that all figures agree again.
    if (stale) void client.invalidateQueries({ queryKey: queryKeys.usage() });
  }, [stale, client]);
  if (!estimate || !text.trim()) return <p className="min-h-5 min-w-0 flex-1 text-xs text-slate-600" aria-live="polite" />;
  const remaining = usage ? Math.min(chatFigures(usage).remainingTokens, Math.max(0, memberRemainingTokens ?? Number.POSITIVE_INFINITY)) : Math.max(0, estimate.remainingTokens);
  const share = remaining > 0 ? (estimate.typicalChargeTokens / remaining) * 100 : null;
  // The context (earlier messages resent with each turn): its share of the charge, when there is one.
  const contextShare = estimate.contextTokens > 0 && typeof estimate.contextShare === 'number' ? estimate.contextShare : null;
  return (
    <div className="min-w-0 flex-1">
      <p className="min-h-5 text-xs text-slate-700" aria-live="polite" data-testid="cost-preview" data-allowed={estimate.allowed}>
        {t('costPreview')}: {t('chatCostTypical', { n: nf(estimate.typicalChargeTokens) })} · {t('chatCostMax', { n: nf(estimate.maxChargeTokens) })}
        {share !== null && ` · ${share < 0.1 ? t('chatCostShareTiny') : t('chatCostShare', { p: percentText(share, lang) })}`}
        {contextShare !== null && (
          <span data-testid="cost-context">
            {` · ${t('chatCostContext', { p: percentText(contextShare, lang) })}`}
            {estimate.contextTruncated && ` (${t('chatCostContextCut')})`}
          </span>
        )}
        {/* A refusal is said once, under the box, where Send is disabled (Composer). */}
      </p>
      {estimate.suggestNewConversation && onNewConversation && (
        <p className="mt-1 text-xs text-amber-900" data-testid="suggest-new-conversation">
          {t('chatSuggestNew')}{' '}
          <button type="button" className="font-semibold underline" onClick={onNewConversation}>
            {t('chatStartNew')}
          </button>
        </p>
      )}
    </div>
  );
}
