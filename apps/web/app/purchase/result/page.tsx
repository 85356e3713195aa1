'use client';

import Link from 'next/link';
import { useEffect, useState, type ReactNode } from 'react';
import { AppShell, Spinner } from '@/components/AppShell';
import { useI18n } from '@/lib/i18n';
import { useMoney } from '@/lib/money';
import { decideResult, parseResultQuery, type ResultQuery, type ResultState } from '@/lib/payment-result';
import { isSettled } from '@/lib/payments';
import { useUsage } from '@/lib/queries';
import { useOrderResult } from '@/lib/use-order-result';
import type { OrderView } from '@consult-on/api-contract';

function Frame({ state, title, tone, children }: { state: ResultState['kind']; title: string; tone: 'green' | 'blue' | 'red' | 'slate'; children: ReactNode }) {
  const border = { green: 'border-green-600', blue: 'border-blue-600', red: 'border-red-600', slate: 'border-slate-400' }[tone];
  return (
    <section className={`card mx-auto max-w-xl border-t-8 break-keep ${border}`} data-testid="payment-result" data-state={state} aria-labelledby="result-title">
      <h1 id="result-title" className="text-2xl font-bold">
        {title}
      </h1>
      {children}
    </section>
  );
}

function OrderLine({ order }: { order: OrderView | null }) {
  const { t, nf } = useI18n();
  const money = useMoney();
  if (!order) return null;
  return (
    <p className="mt-1 text-sm text-slate-700" data-testid="result-order">
      {t('orderLabel')}: {order.orderName} · {money(order.amount, order.currency)} · {t('tokensCount', { n: nf(order.tokens) })}
    </p>
  );
}

function Working() {
  return <span aria-hidden="true" className="inline-block h-6 w-6 shrink-0 animate-spin rounded-full border-4 border-blue-200 border-t-blue-700 motion-reduce:animate-none" />;
}

function Result() {
  const { t, nf } = useI18n();
  const [query, setQuery] = useState<ResultQuery | null>(null);
  useEffect(() => setQuery(parseResultQuery(window.location.search)), []);
  const { outcome, slow, again } = useOrderResult(query);
  const usage = useUsage();
  if (!query) return <Spinner />;
  const state = decideResult(query, outcome, slow);
  const actions = 'mt-6 flex flex-wrap gap-2';
  // Trying again where the order was started: an organization's page for its bulk purchase, else the purchase page.
  const organizationId = 'order' in state ? state.order?.organizationId : null;
  const retryHref = organizationId ? `/organizations/detail/?id=${encodeURIComponent(organizationId)}` : '/purchase/';
  switch (state.kind) {
    case 'missing':
      return (
        <Frame state={state.kind} title={t('resultMissingTitle')} tone="slate">
          <p className="mt-2 text-slate-800">{t('resultMissingBody')}</p>
          <div className={actions}>
            <Link href="/purchases/" className="btn btn-primary">
              {t('navPurchases')}
            </Link>
          </div>
        </Frame>
      );
    case 'checking':
      return (
        <Frame state={state.kind} title={t('resultTitle')} tone="blue">
          <p role="status" className="mt-3 flex items-center gap-3 text-slate-800">
            <Working />
            {t('resultChecking')}
          </p>
        </Frame>
      );
    case 'paid': {
      // A bulk purchase went to an organization's pool: the buyer's own balance says nothing of it.
      const balance = state.order.organizationId ? null : (state.usage ?? usage.data ?? null);
      return (
        <Frame state={state.kind} title={t('resultPaidTitle')} tone="green">
          <OrderLine order={state.order} />
          <p role="status" className="mt-3 font-semibold text-green-950">
            {t('resultPaidBody', { name: state.order.orderName, tokens: nf(state.order.tokens) })}
          </p>
          {state.order.settledOverageTokens > 0 && (
            <p className="mt-1 text-slate-800" data-testid="result-settlement">
              {t('overageSettled', { settled: nf(state.order.settledOverageTokens), added: nf(state.order.tokens - state.order.settledOverageTokens) })}
            </p>
          )}
          {state.order.organizationId && (
            <p className="mt-1 text-slate-800" data-testid="result-organization">
              {t('resultForOrganization')}{' '}
              <Link href={`/organizations/detail/?id=${encodeURIComponent(state.order.organizationId)}`} className="font-medium text-blue-800 underline">
                {t('resultOrganizationLink')}
              </Link>
            </p>
          )}
          {balance && (
            <p className="mt-1 text-slate-800" data-testid="result-balance">
              {t('currentBalance')}: <span className="font-bold tabular-nums">{t('tokensCount', { n: nf(Math.max(0, balance.remainingTokens)) })}</span>
            </p>
          )}
          <div className={actions}>
            <Link href="/chat/" className="btn btn-primary">
              {t('continueChat')}
            </Link>
            <Link href="/purchases/" className="btn btn-secondary">
              {t('navPurchases')}
            </Link>
            {isSettled(state.order) && state.order.receipt && (
              <Link href={`/purchases/receipt/?id=${state.order.id}`} className="btn btn-secondary">
                {t('viewReceipt')}
              </Link>
            )}
          </div>
        </Frame>
      );
    }
    case 'pending':
      return (
        <Frame state={state.kind} title={t('resultPendingTitle')} tone="blue">
          <OrderLine order={state.order} />
          {state.slow ? (
            <>
              <p role="status" className="mt-3 text-slate-800" data-testid="result-slow">
                {t('resultPendingSlow')}
              </p>
              <div className={actions}>
                <button type="button" className="btn btn-primary" onClick={again}>
                  {t('checkAgain')}
                </button>
                <Link href="/purchases/" className="btn btn-secondary">
                  {t('navPurchases')}
                </Link>
              </div>
            </>
          ) : (
            <p role="status" className="mt-3 flex items-start gap-3 text-slate-800">
              <Working />
              {t('resultPendingBody')}
            </p>
          )}
        </Frame>
      );
    case 'failed':
      return (
        <Frame state={state.kind} title={t('resultFailedTitle')} tone="red">
          <OrderLine order={state.order} />
          <p role="alert" className="mt-3 text-slate-900">
            {t('resultFailedBody')}
          </p>
          {state.message && (
            <p className="mt-1 text-sm text-red-900" data-testid="result-reason">
              {t('failureReason', { message: state.message })}
            </p>
          )}
          <div className={actions}>
            <Link href={retryHref} className="btn btn-primary">
              {t('retry')}
            </Link>
            <Link href="/purchases/" className="btn btn-secondary">
              {t('navPurchases')}
            </Link>
          </div>
        </Frame>
      );
    case 'canceled':
      return (
        <Frame state={state.kind} title={t('resultCanceledTitle')} tone="slate">
          <OrderLine order={state.order} />
          <p role="status" className="mt-3 text-slate-900">
            {t('checkoutCanceled')}
          </p>
          <div className={actions}>
            <Link href={retryHref} className="btn btn-primary">
              {t('retry')}
            </Link>
          </div>
        </Frame>
      );
    case 'error': {
      const message = state.reason === 'network' ? t('networkError') : state.reason === 'not-found' ? t('resultNotFound') : (state.message ?? t('errorGeneric'));
      // A tampered or mismatched return is not fixed by asking again; anything else may be.
      const retryable = state.reason === 'unavailable' || state.reason === 'network' || state.reason === 'other';
      return (
        <Frame state={state.kind} title={t('resultErrorTitle')} tone="red">
          <p role="alert" className="mt-3 text-slate-900" data-testid="result-error">
            {message}
          </p>
          <div className={actions}>
            {retryable ? (
              <button type="button" className="btn btn-primary" onClick={again}>
                {t('retry')}
              </button>
            ) : (
              <Link href={retryHref} className="btn btn-primary">
                {t('purchaseTitle')}
              </Link>
            )}
            <Link href="/purchases/" className="btn btn-secondary">
              {t('navPurchases')}
            </Link>
          </div>
        </Frame>
      );
    }
  }
}

export default function PurchaseResultPage() {
  return (
    <AppShell>
      <Result />
    </AppShell>
  );
}
