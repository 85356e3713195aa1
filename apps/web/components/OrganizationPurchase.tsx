'use client';

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Spinner } from '@/components/AppShell';
import { CheckoutDialog } from '@/components/CheckoutDialog';
import { OrderList } from '@/components/OrderList';
import { api } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { useMoney } from '@/lib/money';
import { isSettled, type CheckoutProduct } from '@/lib/payments';
import { queryKeys, useCatalog } from '@/lib/queries';
import type { CheckoutResultView, OrderView } from '@consult-on/api-contract';

/** Bulk tokens for the organization's pool, for its owners and admins: purchased tokens that never expire, shared by every member. */
export function OrganizationPurchase({ organizationId }: { organizationId: string }) {
  const { t, nf } = useI18n();
  const money = useMoney();
  const client = useQueryClient();
  const catalog = useCatalog('organization');
  const orders = useQuery({ queryKey: queryKeys.organizationOrders(organizationId), queryFn: () => api<OrderView[]>(`/api/organizations/${encodeURIComponent(organizationId)}/orders`) });
  const [selected, setSelected] = useState<CheckoutProduct | null>(null);
  const [done, setDone] = useState<string | null>(null);
  return (
    <section className="card mt-4" aria-labelledby="org-buy-title" data-testid="org-purchase">
      <h2 id="org-buy-title" className="text-lg font-bold">
        {t('orgBuyTitle')}
      </h2>
      <p className="mt-1 text-sm text-slate-700">{t('orgBuyIntro')}</p>
      {done && (
        <p role="status" className="mt-3 rounded bg-green-50 p-2 text-sm font-medium text-green-900" data-testid="org-purchase-done">
          {done}
        </p>
      )}
      {catalog.isPending ? (
        <Spinner />
      ) : catalog.isError ? (
        <p role="alert" className="mt-3 text-red-800">
          {errorText(catalog.error, t)}
        </p>
      ) : (
        <ul className="mt-3 grid gap-3 sm:grid-cols-2">
          {catalog.data.map((item) => (
            <li key={item.id} className="rounded-lg border border-slate-200 p-4" data-testid={`org-package-${item.id}`}>
              <h3 className="font-bold">{item.name}</h3>
              <p className="mt-1 text-2xl font-extrabold tabular-nums">{money(item.price, item.currency)}</p>
              <p className="text-sm text-slate-700">
                {t('tokensCount', { n: nf(item.tokens) })} · {t('per1k')} {money(item.pricePer1kTokens, item.currency)}
              </p>
              <button
                type="button"
                className="btn btn-primary mt-3 w-full"
                onClick={() => {
                  setDone(null);
                  setSelected({ ...item, organizationId });
                }}
                aria-label={`${item.name} ${t('buy')}`}
              >
                {t('buy')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {!!orders.data?.length && (
        <div className="mt-5" data-testid="org-orders">
          <h3 className="mb-2 font-bold">{t('orgOrdersTitle')}</h3>
          <OrderList orders={orders.data} receipts={false} />
        </div>
      )}
      {selected && (
        <CheckoutDialog
          key={selected.id}
          product={selected}
          onClose={() => setSelected(null)}
          onDone={(result: CheckoutResultView) => {
            setSelected(null);
            setDone(isSettled(result.order) ? t('orgBuyDone', { tokens: nf(result.order.tokens) }) : t('purchasePending'));
            void client.invalidateQueries({ queryKey: queryKeys.organizationUsage(organizationId) });
            void client.invalidateQueries({ queryKey: queryKeys.organizationOrders(organizationId) });
          }}
        />
      )}
    </section>
  );
}
