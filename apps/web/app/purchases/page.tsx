'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { AppShell, Spinner } from '@/components/AppShell';
import { OrderList } from '@/components/OrderList';
import { api } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { useMoney } from '@/lib/money';
import { subscriptionStatusKey } from '@/lib/orders';
import { queryKeys } from '@/lib/queries';
import type { OrderView, SubscriptionView } from '@consult-on/api-contract';

function SubscriptionItem({ subscription, name }: { subscription: SubscriptionView; name: string }) {
  const { t, nf, df } = useI18n();
  const money = useMoney();
  const client = useQueryClient();
  const [asking, setAsking] = useState(false);
  const cancel = useMutation({
    mutationFn: () => api<SubscriptionView>(`/api/payments/subscriptions/${subscription.id}/cancel`, { method: 'POST' }),
    onSuccess: () => {
      setAsking(false);
      void client.invalidateQueries({ queryKey: queryKeys.subscriptions() });
    },
  });
  const active = subscription.status !== 'CANCELED';
  return (
    <li className="rounded-lg border border-slate-200 p-3" data-testid="subscription" data-status={subscription.status}>
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="font-semibold break-words">{name}</p>
          <p className="text-sm text-slate-700">
            {t('pricePerMonth', { price: money(subscription.amount, subscription.currency) })} · {t('tokensPerMonth', { tokens: nf(subscription.tokens) })}
          </p>
          <p className="text-xs text-slate-600">
            {active ? `${t('nextCharge')} ${df(subscription.currentPeriodEnd)}` : `${t('canceledOn')} ${df(subscription.canceledAt)}`}
          </p>
        </div>
        <span className={`rounded-full px-2 py-0.5 text-xs font-bold ${active ? (subscription.status === 'ACTIVE' ? 'bg-green-100 text-green-900' : 'bg-amber-100 text-amber-900') : 'bg-slate-200 text-slate-800'}`}>
          {t(subscriptionStatusKey[subscription.status])}
        </span>
      </div>
      {active && !asking && (
        <button type="button" className="btn btn-secondary mt-3" onClick={() => setAsking(true)}>
          {t('cancelSubscription')}
        </button>
      )}
      {active && asking && (
        <div className="mt-3 rounded-lg bg-slate-50 p-3" role="group" aria-label={t('cancelSubscription')}>
          <p className="text-sm text-slate-800">{t('cancelSubscriptionConfirm')}</p>
          <div className="mt-2 flex flex-wrap gap-2">
            <button type="button" className="btn btn-danger" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
              {t('cancelSubscriptionYes')}
            </button>
            <button type="button" className="btn btn-secondary" onClick={() => setAsking(false)} disabled={cancel.isPending}>
              {t('keepSubscription')}
            </button>
          </div>
        </div>
      )}
      {cancel.isError && (
        <p role="alert" className="mt-2 text-sm text-red-800">
          {errorText(cancel.error, t)}
        </p>
      )}
      {cancel.isSuccess && (
        <p role="status" className="mt-2 text-sm text-green-800">
          {t('subscriptionCanceled')}
        </p>
      )}
    </li>
  );
}

function Subscriptions() {
  const { t } = useI18n();
  const subscriptions = useQuery({ queryKey: queryKeys.subscriptions(), queryFn: () => api<SubscriptionView[]>('/api/payments/subscriptions') });
  if (!subscriptions.data?.length) return null;
  return (
    <section className="card mt-4" aria-labelledby="subscriptions-title" data-testid="subscriptions">
      <h2 id="subscriptions-title" className="mb-2 text-lg font-bold">
        {t('subscriptionsTitle')}
      </h2>
      <ul className="space-y-3">
        {subscriptions.data.map((subscription) => (
          <SubscriptionItem key={subscription.id} subscription={subscription} name={subscription.productName} />
        ))}
      </ul>
    </section>
  );
}

function Purchases() {
  const { t } = useI18n();
  const orders = useQuery({ queryKey: queryKeys.orders(), queryFn: () => api<OrderView[]>('/api/payments/orders') });
  return (
    <div className="break-keep">
      <div className="mb-4 flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1">
        <h1 className="text-2xl font-bold">{t('purchasesTitle')}</h1>
        <Link href="/purchase/" className="btn btn-primary">
          {t('buyTokens')}
        </Link>
      </div>
      <section className="card" aria-labelledby="orders-title">
        <h2 id="orders-title" className="mb-2 text-lg font-bold">
          {t('ordersTitle')}
        </h2>
        {orders.isPending ? (
          <Spinner />
        ) : orders.isError ? (
          <div role="alert" className="text-red-800">
            <p>{errorText(orders.error, t)}</p>
            <button type="button" className="btn btn-secondary mt-2" onClick={() => void orders.refetch()}>
              {t('retry')}
            </button>
          </div>
        ) : orders.data.length === 0 ? (
          <div className="p-4 text-center" data-testid="no-orders">
            <p className="text-slate-700">{t('noOrders')}</p>
            <Link href="/purchase/" className="btn btn-primary mt-3">
              {t('goPurchase')}
            </Link>
          </div>
        ) : (
          <OrderList orders={orders.data} />
        )}
      </section>
      <Subscriptions />
    </div>
  );
}

export default function PurchasesPage() {
  return (
    <AppShell>
      <Purchases />
    </AppShell>
  );
}
