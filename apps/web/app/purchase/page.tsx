'use client';

import Link from 'next/link';
import { useState } from 'react';
import { AppShell, Spinner } from '@/components/AppShell';
import { CheckoutDialog } from '@/components/CheckoutDialog';
import { UsageBanner, UsageCard } from '@/components/UsageCard';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { useMoney } from '@/lib/money';
import { isSettled } from '@/lib/payments';
import { useCatalog, useUsage } from '@/lib/queries';
import type { CheckoutResultView, TokenPackageView } from '@consult-on/api-contract';

function ProductCard({ product, onBuy }: { product: TokenPackageView; onBuy: () => void }) {
  const { t, nf } = useI18n();
  const money = useMoney();
  const monthly = product.kind === 'subscription';
  const price = money(product.price, product.currency);
  // Packages sit under the page's title, monthly products under their section's.
  const Heading = monthly ? 'h3' : 'h2';
  return (
    <li className="card flex flex-col" data-testid={`${monthly ? 'product' : 'package'}-${product.id}`}>
      <Heading className="text-lg font-bold">{product.name}</Heading>
      <p className="mt-2 text-3xl font-extrabold tabular-nums">{monthly ? t('pricePerMonth', { price }) : price}</p>
      <p className="text-sm text-slate-700">
        {monthly ? t('tokensPerMonth', { tokens: nf(product.tokens) }) : t('tokensCount', { n: nf(product.tokens) })} · {t('per1k')} {money(product.pricePer1kTokens, product.currency)}
      </p>
      <button type="button" className="btn btn-primary mt-4" onClick={onBuy} aria-label={`${product.name} ${monthly ? t('subscribe') : t('buy')}`}>
        {monthly ? t('subscribe') : t('buy')}
      </button>
    </li>
  );
}

function Catalog({ kind, onBuy }: { kind: 'package' | 'subscription'; onBuy: (product: TokenPackageView) => void }) {
  const { t } = useI18n();
  const catalog = useCatalog(kind);
  if (catalog.isPending) return <Spinner />;
  if (catalog.isError)
    return (
      <p role="alert" className="text-red-800">
        {errorText(catalog.error, t)}
      </p>
    );
  return (
    <ul className="grid gap-4 sm:grid-cols-3">
      {catalog.data.map((product) => (
        <ProductCard key={product.id} product={product} onBuy={() => onBuy(product)} />
      ))}
    </ul>
  );
}

function Purchase() {
  const { t, nf } = useI18n();
  const usage = useUsage();
  const monthly = useCatalog('subscription');
  const [selected, setSelected] = useState<TokenPackageView | null>(null);
  const [done, setDone] = useState<CheckoutResultView | null>(null);
  const buy = (product: TokenPackageView) => {
    setDone(null);
    setSelected(product);
  };
  return (
    <div className="break-keep">
      <div className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <h1 className="text-2xl font-bold">{t('purchaseTitle')}</h1>
        <Link href="/purchases/" className="text-sm font-medium text-blue-800 underline" data-testid="purchases-link">
          {t('viewPurchases')}
        </Link>
      </div>
      <p className="mt-1 mb-4 text-slate-700">{t('purchaseIntro')}</p>
      {done && (
        <p role="status" className="mb-4 rounded-xl border-l-8 border-green-600 bg-green-50 p-4 font-semibold text-green-950" data-testid="purchase-done">
          {isSettled(done.order) ? t(done.order.kind === 'subscription' ? 'subscribeDone' : 'purchaseDone', { tokens: nf(done.order.tokens) }) : t('purchasePending')} {t('currentBalance')}:{' '}
          {nf(Math.max(0, done.usage.remainingTokens))}
          {done.order.settledOverageTokens > 0 && (
            <span className="mt-1 block font-normal" data-testid="purchase-settlement">
              {t('overageSettled', { settled: nf(done.order.settledOverageTokens), added: nf(done.order.tokens - done.order.settledOverageTokens) })}
            </span>
          )}
          {isSettled(done.order) && (
            <Link href="/chat/" className="btn btn-primary mt-3 w-fit">
              {t('continueChat')}
            </Link>
          )}
        </p>
      )}
      {usage.data && <UsageBanner usage={usage.data} />}
      <Catalog kind="package" onBuy={buy} />
      {(monthly.isPending || (monthly.data?.length ?? 0) > 0) && (
        <section className="mt-8" aria-labelledby="monthly-title" data-testid="monthly-products">
          <h2 id="monthly-title" className="text-xl font-bold">
            {t('monthlyTitle')}
          </h2>
          <p className="mt-1 mb-3 text-sm text-slate-700">{t('monthlyIntro')}</p>
          <Catalog kind="subscription" onBuy={buy} />
        </section>
      )}
      <div className="mt-6">{usage.data && <UsageCard usage={usage.data} showActions={false} />}</div>
      {selected && (
        <CheckoutDialog
          key={selected.id}
          product={selected}
          onClose={() => setSelected(null)}
          onDone={(result) => {
            setSelected(null);
            setDone(result);
          }}
        />
      )}
    </div>
  );
}

export default function PurchasePage() {
  return (
    <AppShell>
      <Purchase />
    </AppShell>
  );
}
