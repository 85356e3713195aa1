'use client';

import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { newIdempotencyKey } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { useModal } from '@/lib/use-modal';
import { useMoney } from '@/lib/money';
import { CheckoutError, handOffCheckout, needsProvider, requestCheckout, type CheckoutProduct } from '@/lib/payments';
import { queryKeys } from '@/lib/queries';
import type { CheckoutResultView } from '@consult-on/api-contract';

type Phase = { kind: 'idle' } | { kind: 'opening' } | { kind: 'handoff' } | { kind: 'canceled' } | { kind: 'error'; error: unknown };

/**
 * Confirms buying a product and pays for it: opens the order, then pays at once (instant
 * provider) or hands over to the provider's payment window. Any way of buying (a package, a
 * monthly product, a plan later) goes through here with its product.
 */
export function CheckoutDialog({ product, onClose, onDone }: { product: CheckoutProduct; onClose: () => void; onDone: (result: CheckoutResultView) => void }) {
  const { t, nf } = useI18n();
  const money = useMoney();
  const client = useQueryClient();
  // One key per opened dialog: a double click, a retry after a network error or a replay is one order.
  const [key] = useState(newIdempotencyKey);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const busy = useRef(false);
  const dialog = useModal();

  // Back from the provider's page through the browser's back button, the page may be restored as it was left.
  useEffect(() => {
    const restored = (event: PageTransitionEvent) => {
      if (!event.persisted) return;
      busy.current = false;
      setPhase({ kind: 'idle' });
    };
    window.addEventListener('pageshow', restored);
    return () => window.removeEventListener('pageshow', restored);
  }, []);

  const confirm = async () => {
    if (busy.current) return;
    busy.current = true;
    setPhase({ kind: 'opening' });
    try {
      const result = await requestCheckout(product, key);
      client.setQueryData(queryKeys.usage(), result.usage);
      void client.invalidateQueries({ queryKey: queryKeys.payments() });
      if (needsProvider(result)) setPhase({ kind: 'handoff' });
      const outcome = await handOffCheckout(result);
      if (outcome === 'navigating') return;
      busy.current = false;
      if (outcome === 'canceled') {
        setPhase({ kind: 'canceled' });
        return;
      }
      void client.invalidateQueries({ queryKey: queryKeys.usage() });
      void client.invalidateQueries({ queryKey: queryKeys.history() });
      onDone(result);
    } catch (error) {
      busy.current = false;
      setPhase({ kind: 'error', error });
    }
  };

  const working = phase.kind === 'opening' || phase.kind === 'handoff';
  const subscription = product.kind === 'subscription';
  const plan = product.kind === 'plan';
  const price = money(product.price, product.currency);
  const vars = { name: product.name, price, tokens: nf(product.tokens) };
  const body = plan ? t('plansBuyBody', vars) : subscription ? t('subscribeBody', vars) : t('confirmBody', vars);
  const failed = phase.kind === 'error' || phase.kind === 'canceled';
  const label =
    phase.kind === 'opening' ? t('purchasing') : phase.kind === 'handoff' ? t('redirecting') : failed ? t('retry') : plan ? t('plansBuyConfirm') : subscription ? t('subscribeConfirm') : t('confirm');
  return (
    <dialog
      ref={dialog}
      aria-labelledby="confirm-title"
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl p-0 break-keep shadow-2xl backdrop:bg-slate-900/50"
      onCancel={(event) => {
        event.preventDefault();
        if (phase.kind !== 'opening') onClose();
      }}
      data-testid="confirm-dialog"
    >
      <div className="p-6">
        <h2 id="confirm-title" className="text-lg font-bold">
          {plan ? t('plansBuyTitle') : subscription ? t('subscribeTitle') : t('confirmTitle')}
        </h2>
        <p className="mt-2 text-slate-800">{body}</p>
        {phase.kind === 'canceled' && (
          <p role="status" className="mt-3 rounded bg-slate-100 p-2 text-sm text-slate-800" data-testid="checkout-canceled">
            {t('checkoutCanceled')}
          </p>
        )}
        {phase.kind === 'error' && (
          <p role="alert" className="mt-3 rounded bg-red-100 p-2 text-sm text-red-900" data-testid="checkout-error">
            {phase.error instanceof CheckoutError ? t('checkoutOpenFailed') : errorText(phase.error, t)}
          </p>
        )}
        {phase.kind === 'handoff' && (
          <p role="status" className="mt-3 text-sm text-slate-700">
            {t('redirecting')}
          </p>
        )}
        <div className="mt-6 flex flex-wrap justify-end gap-2">
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={phase.kind === 'opening'}>
            {t('cancel')}
          </button>
          <button type="button" className="btn btn-primary" onClick={() => void confirm()} disabled={working} data-testid="confirm-purchase" data-phase={phase.kind} autoFocus>
            {label}
          </button>
        </div>
      </div>
    </dialog>
  );
}

