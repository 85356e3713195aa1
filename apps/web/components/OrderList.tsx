'use client';

import Link from 'next/link';
import { OrderStatusBadge, useProviderName } from '@/components/OrderStatus';
import { TableHead } from '@/components/TableHead';
import { useI18n } from '@/lib/i18n';
import { useMoney } from '@/lib/money';
import type { OrderView } from '@consult-on/api-contract';

function RefundedNote({ order }: { order: OrderView }) {
  const { t, nf } = useI18n();
  const money = useMoney();
  if (order.refundedAmount <= 0) return null;
  return <span className="block text-xs text-slate-600">{t('refundedNote', { amount: money(order.refundedAmount, order.currency), tokens: nf(order.refundedTokens) })}</span>;
}

function ReceiptLink({ order, receipts }: { order: OrderView; receipts: boolean }) {
  const { t } = useI18n();
  if (!order.receipt || !receipts) return null;
  return (
    <Link href={`/purchases/receipt/?id=${order.id}`} className="text-sm font-medium whitespace-nowrap text-blue-800 underline" data-testid="receipt-link">
      {t('viewReceipt')}
    </Link>
  );
}

/**
 * Orders: cards on a phone, a table from `sm` up, the same orders either way. `receipts`: link each
 * paid order's receipt (the buyer's own list; an organization's list shows its purchases without them).
 */
export function OrderList({ orders, receipts = true }: { orders: OrderView[]; receipts?: boolean }) {
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
              <ReceiptLink order={order} receipts={receipts} />
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
                  <ReceiptLink order={order} receipts={receipts} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
