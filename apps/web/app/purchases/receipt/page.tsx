'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState, type ReactNode } from 'react';
import { AppShell, Spinner } from '@/components/AppShell';
import { usePaymentMethod } from '@/components/OrderStatus';
import { api } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { useMoney } from '@/lib/money';
import { refundStatusKey } from '@/lib/orders';
import { queryKeys } from '@/lib/queries';
import type { OrderView } from '@consult-on/api-contract';

function Row({ label, children, strong = false, testId }: { label: string; children: ReactNode; strong?: boolean; testId?: string }) {
  return (
    <div className={`flex flex-wrap justify-between gap-x-4 gap-y-0.5 py-2 ${strong ? 'text-lg font-bold' : ''}`} data-testid={testId}>
      <dt className={strong ? '' : 'text-slate-700'}>{label}</dt>
      <dd className="min-w-0 text-right tabular-nums break-words">{children}</dd>
    </div>
  );
}

function Receipt() {
  const { t, nf, df } = useI18n();
  const money = useMoney();
  const paymentMethod = usePaymentMethod();
  const [id, setId] = useState<string | null>(null);
  useEffect(() => setId(new URLSearchParams(window.location.search).get('id') ?? ''), []);
  const order = useQuery({
    queryKey: queryKeys.order(id),
    queryFn: () => api<OrderView>(`/api/payments/orders/${encodeURIComponent(id ?? '')}`),
    enabled: !!id,
  });
  if (id === null || (id && order.isPending)) return <Spinner />;
  const back = (
    <Link href="/purchases/" className="text-sm font-medium text-blue-800 underline print:hidden">
      ← {t('backToPurchases')}
    </Link>
  );
  if (!id || order.isError)
    return (
      <>
        {back}
        <p role="alert" className="card mt-2 text-red-800">
          {order.error ? errorText(order.error, t) : t('resultNotFound')}
        </p>
      </>
    );
  const data = order.data!;
  const receipt = data.receipt;
  if (!receipt)
    return (
      <>
        {back}
        <p role="status" className="card mt-2 text-slate-800" data-testid="receipt-unavailable">
          {t('receiptNotPaid')}
        </p>
      </>
    );
  const amount = (value: number) => money(value, data.currency);
  return (
    <>
      <div className="mx-auto mb-3 flex max-w-xl flex-wrap items-center justify-between gap-2 print:hidden">
        {back}
        <button type="button" className="btn btn-primary" onClick={() => window.print()} data-testid="print-receipt">
          {t('print')}
        </button>
      </div>
      <article className="card mx-auto max-w-xl break-keep print:max-w-none print:border-0 print:p-0 print:shadow-none" aria-labelledby="receipt-title" data-testid="receipt">
        <header className="border-b-2 border-slate-800 pb-3">
          <h1 id="receipt-title" className="text-2xl font-bold">
            {t('receiptTitle')}
          </h1>
          <p className="mt-1 text-sm text-slate-700">{receipt.sellerName}</p>
        </header>
        <dl className="divide-y divide-slate-200">
          <Row label={t('orderNumber')} testId="receipt-order-number">
            <span className="font-semibold">{receipt.orderNumber}</span>
            <span className="block text-xs break-all text-slate-600">{data.id}</span>
          </Row>
          <Row label={t('paidAt')}>{df(data.paidAt, true)}</Row>
          <Row label={t('productName')}>{data.orderName}</Row>
          <Row label={t('tokenCount')}>
            {t('tokensCount', { n: nf(data.tokens) })}
          </Row>
          <Row label={t('paymentMethod')}>{paymentMethod(data)}</Row>
          <Row label={t('supplyAmount')} testId="receipt-supply">
            {amount(receipt.supplyAmount)}
          </Row>
          <Row label={t('vatAmount')} testId="receipt-vat">
            {amount(receipt.vatAmount)}
          </Row>
          <Row label={t('totalAmount')} strong testId="receipt-total">
            {amount(data.amount)}
          </Row>
        </dl>
        <p className="mt-1 text-xs text-slate-600">{t('receiptVatNote')}</p>
        {data.refunds.length > 0 && (
          <section className="mt-4 border-t border-slate-300 pt-3" aria-labelledby="refunds-title" data-testid="receipt-refunds">
            <h2 id="refunds-title" className="font-bold">
              {t('refundsTitle')}
            </h2>
            <ul className="mt-1 divide-y divide-slate-200 text-sm">
              {data.refunds.map((refund) => (
                <li key={refund.id} className="flex flex-wrap justify-between gap-x-4 py-2">
                  <span>
                    {df(refund.createdAt, true)} · {t(refundStatusKey[refund.status])}
                  </span>
                  <span className="tabular-nums">
                    {t('amountTokens', { amount: `−${amount(refund.amount)}`, tokens: nf(refund.tokens) })}
                  </span>
                </li>
              ))}
            </ul>
          </section>
        )}
        <footer className="mt-4 border-t border-slate-300 pt-3 text-sm text-slate-700">
          <p>
            {t('seller')}: {receipt.sellerName}
          </p>
          {receipt.sellerRegistrationNumber && (
            <p>
              {t('registrationNumber')}: {receipt.sellerRegistrationNumber}
            </p>
          )}
        </footer>
      </article>
    </>
  );
}

export default function ReceiptPage() {
  return (
    <AppShell>
      <Receipt />
    </AppShell>
  );
}
