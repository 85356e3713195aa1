'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { AppShell, Spinner } from '@/components/AppShell';
import { OrderStatusBadge, useProviderName } from '@/components/OrderStatus';
import { api } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { TableHead } from '@/components/TableHead';
import { useI18n } from '@/lib/i18n';
import { useMoney } from '@/lib/money';
import { subscriptionStatusKey } from '@/lib/orders';
import { queryKeys } from '@/lib/queries';
import type { OrderView, SubscriptionView } from '@consult-on/api-contract';

function RefundedNote({ order }: { order: OrderView }) {
  const { t, nf } = useI18n();
  const money = useMoney();
  if (order.refundedAmount <= 0) return null;
  return <span className="block text-xs text-slate-600">{t('refundedNote', { amount: money(order.refundedAmount, order.currency), tokens: nf(order.refundedTokens) })}</span>;
}

function ReceiptLink({ order }: { order: OrderView }) {
  const { t } = useI18n();
  if (!order.receipt) return null;
  return (
    <Link href={`/purchases/receipt/?id=${order.id}`} className="text-sm font-medium whitespace-nowrap text-blue-800 underline" data-testid="receipt-link">
      {t('viewReceipt')}
    </Link>
  );
}

/** Cards on a phone, a table from `sm` up: the same orders either way. */
function Orders({ orders }: { orders: OrderView[] }) {
  const { t, nf, df } = useI18n();
  const money = useMoney();
  const providerName = useProviderName();
  return (
    <>
      <ul className="space-y-3 sm:hidden" data-testid="order-cards">
        {orders.map((order) => (
          <li key={order.id} className="rounded-lg border border-slate-200 p-3" data-testid="order-card" data-order={order.id}>
            <div className="flex items-start justify-between gap-2">
              <p className="font-semibold break-words">{order.orderName}</p>
              <OrderStatusBadge status={order.status} />
            </div>
            <p className="mt-1 text-lg font-bold tabular-nums">{money(order.amount, order.currency)}</p>
            <p className="text-sm text-slate-700">
              {t('tokensCount', { n: nf(order.tokens) })} · {providerName(order.provider)}
            </p>
            <p className="text-xs text-slate-600">{df(order.paidAt ?? order.createdAt, true)}</p>
            <RefundedNote order={order} />
            {order.failure && <p className="mt-1 text-xs text-red-800">{order.failure.message}</p>}
            <div className="mt-2">
              <ReceiptLink order={order} />
            </div>
          </li>
        ))}
      </ul>
      {/* relative: the sr-only header is absolutely positioned and would otherwise widen the page. */}
      <div className="relative hidden overflow-x-auto sm:block">
        <table className="w-full text-left text-sm" data-testid="orders-table">
          <TableHead columns={[{ label: t('date') }, { label: t('product') }, { label: t('price'), numeric: true }, { label: t('amount'), numeric: true }, { label: t('paymentProvider') }, { label: t('status') }, { label: t('receiptTitle'), hidden: true }]} />
          <tbody>
            {orders.map((order) => (
              <tr key={order.id} className="border-b border-slate-100 align-top" data-testid="order-row" data-order={order.id}>
                <td className="px-2 py-2 whitespace-nowrap">{df(order.paidAt ?? order.createdAt, true)}</td>
                <td className="px-2 py-2">
                  {order.orderName}
                  {order.failure && <span className="block text-xs text-red-800">{order.failure.message}</span>}
                </td>
                <td className="px-2 py-2 text-right whitespace-nowrap tabular-nums">
                  {money(order.amount, order.currency)}
                  <RefundedNote order={order} />
                </td>
                <td className="px-2 py-2 text-right tabular-nums">{nf(order.tokens)}</td>
                <td className="px-2 py-2">{providerName(order.provider)}</td>
                <td className="px-2 py-2">
                  <OrderStatusBadge status={order.status} />
                </td>
                <td className="px-2 py-2 text-right">
                  <ReceiptLink order={order} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

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
          <Orders orders={orders.data} />
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
