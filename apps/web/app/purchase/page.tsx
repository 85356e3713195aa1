'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { AppShell, Spinner } from '@/components/AppShell';
import { UsageBanner, UsageCard } from '@/components/UsageCard';
import { api, ApiError, newIdempotencyKey } from '@/lib/api';
import { useI18n } from '@/lib/i18n';
import { queryKeys, useUsage } from '@/lib/queries';
import type { PurchaseResultView, TokenPackageView } from '@consult-on/api-contract';

function ConfirmDialog({ pack, onClose, onDone }: { pack: TokenPackageView; onClose: () => void; onDone: (result: PurchaseResultView) => void }) {
  const { t, nf, krw } = useI18n();
  // One key per opened dialog: a double click, a retry after a network error or a replay is one purchase.
  const [key] = useState(newIdempotencyKey);
  const dialog = useRef<HTMLDialogElement>(null);
  const submitting = useRef(false);
  const client = useQueryClient();
  const purchase = useMutation({
    mutationFn: () => api<PurchaseResultView>('/api/ai-usage/purchase', { body: { packageId: pack.id }, idempotencyKey: key }),
    onSuccess: (result) => {
      client.setQueryData(queryKeys.usage(), result.usage);
      void client.invalidateQueries({ queryKey: queryKeys.usage() });
      void client.invalidateQueries({ queryKey: queryKeys.history() });
      onDone(result);
    },
    onSettled: () => {
      submitting.current = false;
    },
  });
  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => element?.close();
  }, []);
  const confirm = () => {
    if (submitting.current) return;
    submitting.current = true;
    purchase.mutate();
  };
  return (
    <dialog
      ref={dialog}
      aria-labelledby="confirm-title"
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl p-0 shadow-2xl backdrop:bg-slate-900/50"
      onCancel={(e) => {
        e.preventDefault();
        if (!purchase.isPending) onClose();
      }}
      data-testid="confirm-dialog"
    >
      <div className="p-6">
        <h2 id="confirm-title" className="text-lg font-bold">
          {t('confirmTitle')}
        </h2>
        <p className="mt-2 text-slate-800">{t('confirmBody', { name: pack.name, tokens: nf(pack.tokens), price: krw(pack.priceKrw) })}</p>
        {purchase.isError && (
          <p role="alert" className="mt-3 rounded bg-red-100 p-2 text-sm text-red-900">
            {purchase.error instanceof ApiError ? purchase.error.message : t('errorGeneric')}
          </p>
        )}
        <div className="mt-6 flex justify-end gap-2">
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={purchase.isPending}>
            {t('cancel')}
          </button>
          <button type="button" className="btn btn-primary" onClick={confirm} disabled={purchase.isPending} data-testid="confirm-purchase" autoFocus>
            {purchase.isPending ? t('purchasing') : t('confirm')}
          </button>
        </div>
      </div>
    </dialog>
  );
}

function Purchase() {
  const { t, nf, krw } = useI18n();
  const usage = useUsage();
  const packages = useQuery({ queryKey: queryKeys.packages(), queryFn: () => api<TokenPackageView[]>('/api/ai-usage/packages'), staleTime: 10 * 60_000 });
  const [selected, setSelected] = useState<TokenPackageView | null>(null);
  const [done, setDone] = useState<PurchaseResultView | null>(null);
  return (
    <>
      <h1 className="text-2xl font-bold">{t('purchaseTitle')}</h1>
      <p className="mt-1 mb-4 text-slate-700">{t('purchaseIntro')}</p>
      {done && (
        <p role="status" className="mb-4 rounded-xl border-l-8 border-green-600 bg-green-50 p-4 font-semibold text-green-950" data-testid="purchase-done">
          {done.status === 'PAID' ? t('purchaseDone', { tokens: nf(done.tokens) }) : t('purchasePending')} {t('currentBalance')}: {nf(Math.max(0, done.usage.remainingTokens))}
        </p>
      )}
      {usage.data && <UsageBanner usage={usage.data} />}
      {packages.isPending ? (
        <Spinner />
      ) : packages.isError ? (
        <p role="alert" className="text-red-800">
          {packages.error.message}
        </p>
      ) : (
        <ul className="grid gap-4 sm:grid-cols-3">
          {packages.data.map((pack) => (
            <li key={pack.id} className="card flex flex-col" data-testid={`package-${pack.id}`}>
              <h2 className="text-lg font-bold">{pack.name}</h2>
              <p className="mt-2 text-3xl font-extrabold tabular-nums">{krw(pack.priceKrw)}</p>
              <p className="text-sm text-slate-700">
                {nf(pack.tokens)} {t('tokensUnit')} · {t('per1k')} {krw(pack.krwPer1kTokens)}
              </p>
              <button
                type="button"
                className="btn btn-primary mt-4"
                onClick={() => {
                  setDone(null);
                  setSelected(pack);
                }}
                aria-label={`${pack.name} ${t('buy')}`}
              >
                {t('buy')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="mt-6">{usage.data && <UsageCard usage={usage.data} showActions={false} />}</div>
      {selected && (
        <ConfirmDialog
          key={selected.id}
          pack={selected}
          onClose={() => setSelected(null)}
          onDone={(result) => {
            setSelected(null);
            setDone(result);
          }}
        />
      )}
    </>
  );
}

export default function PurchasePage() {
  return (
    <AppShell>
      <Purchase />
    </AppShell>
  );
}
