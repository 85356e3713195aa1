'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, newIdempotencyKey } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { TableHead } from '@/components/TableHead';
import { useI18n } from '@/lib/i18n';
import { useMoney } from '@/lib/money';
import { isRefundable, refundAmountFor, refundStatusKey } from '@/lib/orders';
import { queryKeys } from '@/lib/queries';
import type { OrderView, RefundResultView } from '@consult-on/api-contract';
import { OrderStatusBadge, useProviderName } from './OrderStatus';

/** What a refund ended as, in the admin's words: done, waiting for the provider (retried by the reconciler), or refused. */
function RefundOutcome({ result }: { result: RefundResultView }) {
  const { t, nf } = useI18n();
  const money = useMoney();
  const { refund, order } = result;
  const vars = { amount: money(refund.amount, order.currency), tokens: nf(refund.tokens) };
  const [tone, text] =
    refund.status === 'SUCCEEDED'
      ? ['bg-green-50 text-green-900', t('refundSucceeded', vars)]
      : refund.status === 'PENDING'
        ? ['bg-amber-50 text-amber-900', t('refundPendingResult', vars)]
        : ['bg-red-50 text-red-900', t('refundFailedResult', { message: refund.failureMessage ?? t('errorGeneric') })];
  return (
    <p role="status" className={`mt-3 rounded p-2 text-sm font-medium ${tone}`} data-testid="refund-result" data-status={refund.status}>
      {text}
    </p>
  );
}

function RefundDialog({ order, unspentTokens, onClose }: { order: OrderView; unspentTokens: number; onClose: () => void }) {
  const { t, nf } = useI18n();
  const money = useMoney();
  const client = useQueryClient();
  // One key per opened dialog: a double click or a retried request is one refund.
  const [key] = useState(newIdempotencyKey);
  const [tokens, setTokens] = useState('');
  const [reason, setReason] = useState('');
  const dialog = useRef<HTMLDialogElement>(null);
  const left = order.tokens - order.refundedTokens;
  const refund = useMutation({
    mutationFn: () =>
      api<RefundResultView>(`/api/admin/orders/${order.id}/refunds`, {
        body: { ...(tokens.trim() ? { tokens: Number(tokens) } : {}), reason: reason.trim() },
        idempotencyKey: key,
      }),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.admin() }),
  });
  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => element?.close();
  }, []);
  const count = Number(tokens);
  const tokensValid = tokens.trim() === '' || (Number.isInteger(count) && count >= 1 && count <= left);
  const reasonValid = reason.trim().length >= 3 && reason.trim().length <= 500;
  const estimate = refundAmountFor(order, tokens.trim() ? (tokensValid ? count : 0) : Math.min(left, unspentTokens));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!refund.isPending && tokensValid && reasonValid) refund.mutate();
  };
  const finished = refund.isSuccess;
  return (
    <dialog
      ref={dialog}
      aria-labelledby="refund-title"
      className="m-auto w-[min(30rem,calc(100vw-2rem))] rounded-xl p-0 break-keep shadow-2xl backdrop:bg-slate-900/50"
      onCancel={(event) => {
        event.preventDefault();
        if (!refund.isPending) onClose();
      }}
      data-testid="refund-dialog"
    >
      <form className="p-6" onSubmit={submit}>
        <h2 id="refund-title" className="text-lg font-bold">
          {t('refundTitle')}
        </h2>
        <p className="mt-1 text-sm text-slate-700">
          {order.orderName} · {money(order.amount, order.currency)}
        </p>
        {/* Once answered, the dialog shows the outcome only: the figures above it have moved on. */}
        <div className="mt-4 space-y-3" hidden={finished}>
          <div>
            <label htmlFor="refund-tokens" className="label">
              {t('refundTokensLabel')}
            </label>
            <input
              id="refund-tokens"
              type="number"
              inputMode="numeric"
              min={1}
              max={left}
              step={1}
              className="input"
              value={tokens}
              placeholder={nf(Math.min(left, unspentTokens))}
              onChange={(event) => setTokens(event.target.value)}
              disabled={finished}
              aria-describedby="refund-tokens-hint"
            />
            <p id="refund-tokens-hint" className="mt-1 text-xs text-slate-600">
              {t('refundTokensHint', { left: nf(left), unspent: nf(unspentTokens) })}
            </p>
          </div>
          <div>
            <label htmlFor="refund-reason" className="label">
              {t('refundReasonLabel')}
            </label>
            <textarea
              id="refund-reason"
              required
              minLength={3}
              maxLength={500}
              rows={2}
              className="input"
              value={reason}
              onChange={(event) => setReason(event.target.value)}
              disabled={finished}
            />
          </div>
          {!finished && estimate > 0 && (
            <p className="text-sm text-slate-800" data-testid="refund-estimate">
              {t('refundEstimate', { amount: money(estimate, order.currency) })}
            </p>
          )}
        </div>
        {refund.isError && (
          <p role="alert" className="mt-3 rounded bg-red-100 p-2 text-sm text-red-900" data-testid="refund-error">
            {errorText(refund.error, t)}
          </p>
        )}
        {refund.data && <RefundOutcome result={refund.data} />}
        <div className="mt-6 flex flex-wrap justify-end gap-2">
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={refund.isPending}>
            {finished ? t('close') : t('cancel')}
          </button>
          {!finished && (
            <button type="submit" className="btn btn-danger" disabled={refund.isPending || !tokensValid || !reasonValid} data-testid="refund-submit">
              {t('refundSubmit')}
            </button>
          )}
        </div>
      </form>
    </dialog>
  );
}

/** A user's orders on the admin user page, each paid one with a refund action. */
export function OrdersTable({ userId, unspentTokens }: { userId: string; unspentTokens: number }) {
  const { t, nf, df } = useI18n();
  const money = useMoney();
  const providerName = useProviderName();
  const orders = useQuery({ queryKey: queryKeys.adminUserOrders(userId), queryFn: () => api<OrderView[]>(`/api/admin/users/${userId}/orders`) });
  const [refunding, setRefunding] = useState<OrderView | null>(null);
  if (orders.isPending) return <p className="p-4 text-slate-600">{t('loading')}</p>;
  if (orders.isError)
    return (
      <p role="alert" className="text-red-800">
        {errorText(orders.error, t)}
      </p>
    );
  if (!orders.data.length) return <p className="p-4 text-slate-600">{t('noOrders')}</p>;
  return (
    <>
      {/* relative: the sr-only header is absolutely positioned and would otherwise widen the page. */}
      <div className="relative overflow-x-auto">
        <table className="w-full min-w-[40rem] text-left text-sm" data-testid="admin-orders">
          <TableHead columns={[{ label: t('date') }, { label: t('product') }, { label: t('price'), numeric: true }, { label: t('amount'), numeric: true }, { label: t('status') }, { label: t('refundedColumn'), numeric: true }, { label: t('refundAction'), hidden: true }]} />
          <tbody>
            {orders.data.map((order) => (
              <tr key={order.id} className="border-b border-slate-100 align-top" data-testid="admin-order" data-order={order.id} data-status={order.status}>
                <td className="px-2 py-2 whitespace-nowrap">{df(order.paidAt ?? order.createdAt, true)}</td>
                <td className="px-2 py-2">
                  {order.orderName}
                  <span className="block text-xs text-slate-600">{providerName(order.provider)}</span>
                  {order.refunds.map((refund) => (
                    <span key={refund.id} className="block text-xs text-slate-700">
                      {t(refundStatusKey[refund.status])} · {money(refund.amount, order.currency)} · {refund.reason}
                    </span>
                  ))}
                </td>
                <td className="px-2 py-2 text-right whitespace-nowrap tabular-nums">{money(order.amount, order.currency)}</td>
                <td className="px-2 py-2 text-right tabular-nums">{nf(order.tokens)}</td>
                <td className="px-2 py-2">
                  <OrderStatusBadge status={order.status} />
                </td>
                <td className="px-2 py-2 text-right whitespace-nowrap tabular-nums">
                  {order.refundedTokens > 0 ? t('amountTokens', { amount: money(order.refundedAmount, order.currency), tokens: nf(order.refundedTokens) }) : '—'}
                </td>
                <td className="px-2 py-2 text-right">
                  {isRefundable(order) && (
                    <button type="button" className="btn btn-secondary px-3 py-1" onClick={() => setRefunding(order)} aria-label={`${order.orderName} ${t('refundAction')}`}>
                      {t('refundAction')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {refunding && <RefundDialog key={refunding.id} order={refunding} unspentTokens={unspentTokens} onClose={() => setRefunding(null)} />}
    </>
  );
}
