'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AppShell, Spinner } from '@/components/AppShell';
import { CheckoutDialog } from '@/components/CheckoutDialog';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { api } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { useMoney } from '@/lib/money';
import { isSettled, type CheckoutProduct } from '@/lib/payments';
import { byPrice, FREE_PLAN_ID, planChangeMessage, type PlanChangeView, type PlanView } from '@/lib/plans';
import { planStanding, type PlanStanding } from '@/lib/plan-standing';
import { queryKeys } from '@/lib/queries';
import type { CheckoutResultView, components, SubscriptionView } from '@consult-on/api-contract';

type PlansPageView = components['schemas']['PlansPageView'];

/** What the page says about the plan the account is on: paid and renewing, ending unpaid, failed, or an admin's contract. */
function Standing({ standing, page, name }: { standing: PlanStanding; page: PlansPageView; name: string }) {
  const { t, df } = useI18n();
  const money = useMoney();
  const resetOn = df(page.current.periodEndsAt);
  const line = (() => {
    switch (standing.kind) {
      case 'renews':
        return { tone: 'text-slate-800', text: t('plansRenews', { date: df(standing.renewsAt), price: money(standing.amount, 'KRW') }) };
      case 'failed':
        return { tone: 'text-red-900 font-semibold', text: t('plansRenewalFailed', { date: resetOn }) };
      case 'ends':
        return { tone: 'text-amber-900 font-semibold', text: t('plansEndsUnpaid', { date: resetOn }) };
      case 'moves':
        return { tone: 'text-slate-800', text: t('planNext', { date: resetOn, name: standing.nextName }) };
      case 'contract':
        return { tone: 'text-slate-700', text: t('plansContract') };
      default:
        return null;
    }
  })();
  return (
    <section className="card mb-6" aria-labelledby="current-plan-title" data-testid="current-plan" data-standing={standing.kind}>
      <h2 id="current-plan-title" className="text-sm font-semibold text-slate-700">
        {t('plansCurrentTitle')}
      </h2>
      <p className="mt-1 text-2xl font-extrabold">{name}</p>
      {line && (
        <p className={`mt-2 text-sm ${line.tone}`} data-testid="plan-standing">
          {line.text}
        </p>
      )}
      <p className="mt-1 text-sm text-slate-600">{t('plansResetOn', { date: resetOn })}</p>
    </section>
  );
}

function PlanCard({ plan, current, leaving, onBuy, onFree, onKeep }: { plan: PlanView; current: boolean; leaving: boolean; onBuy: () => void; onFree: () => void; onKeep: () => void }) {
  const { t, nf } = useI18n();
  const money = useMoney();
  const paid = plan.priceKrw > 0;
  return (
    <li className={`card flex flex-col ${current ? 'ring-2 ring-blue-700' : ''}`} data-testid={`plan-card-${plan.id}`} aria-current={current ? 'true' : undefined}>
      <h3 className="text-lg font-bold">{plan.name}</h3>
      <p className="mt-2 text-2xl font-extrabold tabular-nums">{paid ? t('plansPerMonth', { price: money(plan.priceKrw, 'KRW') }) : t('plansFree')}</p>
      <ul className="mt-3 space-y-1 text-sm text-slate-800">
        <li>{t('plansTokensMonthly', { tokens: nf(plan.monthlyTokens) })}</li>
        <li>{plan.models === null ? t('plansModelsAll') : plan.models.join(', ')}</li>
        <li>{t('plansCompletion', { n: nf(plan.completionLimit) })}</li>
        <li>{t('plansRate', { n: nf(plan.turnsPerMinute), m: nf(plan.concurrentTurns) })}</li>
      </ul>
      <div className="mt-auto pt-4">
        {current && leaving ? (
          <button type="button" className="btn btn-secondary w-full" onClick={onKeep} data-testid={`plan-keep-${plan.id}`}>
            {t('plansKeep', { name: plan.name })}
          </button>
        ) : current ? (
          <p className="rounded-lg bg-blue-50 px-3 py-2 text-center text-sm font-semibold text-blue-900">{t('plansIsCurrent')}</p>
        ) : paid && plan.forSale && !plan.retiredAt ? (
          <button type="button" className="btn btn-primary w-full" onClick={onBuy} aria-label={t('plansBuy', { name: plan.name })} data-testid={`plan-buy-${plan.id}`}>
            {t('plansBuyShort')}
          </button>
        ) : plan.id === FREE_PLAN_ID ? (
          <button type="button" className="btn btn-secondary w-full" onClick={onFree} data-testid="plan-to-free">
            {t('plansToFree')}
          </button>
        ) : null}
      </div>
    </li>
  );
}

function Plans() {
  const { t, lang, df, nf } = useI18n();
  const client = useQueryClient();
  const page = useQuery({ queryKey: queryKeys.plans(lang), queryFn: () => api<PlansPageView>('/api/plans') });
  const subscriptions = useQuery({ queryKey: queryKeys.subscriptions(), queryFn: () => api<SubscriptionView[]>('/api/payments/subscriptions') });
  const [buying, setBuying] = useState<CheckoutProduct | null>(null);
  const [confirmFree, setConfirmFree] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  // Back to free from the reset, or (a move already chosen) staying on the plan after all.
  const choose = useMutation({
    mutationFn: (planId: string) => api<PlanChangeView>('/api/plans/choose', { body: { planId } }),
    onSuccess: (result, planId) => {
      const name = page.data?.plans.find((plan) => plan.id === planId)?.name ?? planId;
      const message = planChangeMessage(result, name, planId !== FREE_PLAN_ID, { nf, df: (iso) => df(iso) });
      setDone(t(message.key, message.vars));
      setConfirmFree(false);
      void client.invalidateQueries({ queryKey: queryKeys.plans(lang) });
      void client.invalidateQueries({ queryKey: queryKeys.usage() });
    },
    onError: (error) => {
      if (!confirmFree) setDone(errorText(error, t));
    },
  });
  const refresh = () => {
    void client.invalidateQueries({ queryKey: queryKeys.plans(lang) });
    void client.invalidateQueries({ queryKey: queryKeys.payments() });
    void client.invalidateQueries({ queryKey: queryKeys.usage() });
  };

  if (page.isPending) return <Spinner />;
  if (page.isError)
    return (
      <p role="alert" className="text-red-800">
        {errorText(page.error, t)}
      </p>
    );
  const plans = byPrice(page.data.plans);
  const currentPlan = plans.find((plan) => plan.id === page.data.current.planId);
  const currentName = currentPlan?.name ?? page.data.current.planId;
  // Until the subscriptions are read, nothing is said about renewals (a renewing plan would read as ending).
  const standing: PlanStanding = subscriptions.data ? planStanding(page.data.current, subscriptions.data, (id) => plans.find((plan) => plan.id === id)?.name ?? id) : { kind: 'free' };
  return (
    <div className="break-keep">
      <h1 className="text-2xl font-bold">{t('plansPageTitle')}</h1>
      <p className="mt-1 mb-4 text-slate-700">{t('plansPageIntro')}</p>
      {done && (
        <p role="status" className="mb-4 rounded-xl border-l-8 border-green-600 bg-green-50 p-4 font-semibold text-green-950" data-testid="plan-done">
          {done}
        </p>
      )}
      <Standing standing={standing} page={page.data} name={currentName} />
      <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3" aria-label={t('plansPageTitle')}>
        {plans.map((plan) => (
          <PlanCard
            key={plan.id}
            plan={plan}
            current={plan.id === page.data.current.planId}
            leaving={page.data.current.nextPlanId !== null && plan.priceKrw > 0}
            onKeep={() => {
              setDone(null);
              choose.mutate(plan.id);
            }}
            onBuy={() => {
              setDone(null);
              setBuying({ id: plan.id, kind: 'plan', name: plan.name, tokens: plan.monthlyTokens, price: plan.priceKrw, currency: 'KRW' });
            }}
            onFree={() => {
              setDone(null);
              choose.reset();
              setConfirmFree(true);
            }}
          />
        ))}
      </ul>
      <p className="mt-4 text-sm text-slate-600">{t('plansNotInWorkspace')}</p>
      {buying && (
        <CheckoutDialog
          key={buying.id}
          product={buying}
          onClose={() => setBuying(null)}
          onDone={(result: CheckoutResultView) => {
            setBuying(null);
            setDone(isSettled(result.order) ? t('plansBought', { name: buying.name }) : t('plansBuyPending'));
            refresh();
          }}
        />
      )}
      {confirmFree && (
        <ConfirmDialog
          id="to-free"
          title={t('plansToFreeTitle')}
          confirmLabel={t('plansToFreeConfirm')}
          pending={choose.isPending}
          error={choose.error}
          onConfirm={() => choose.mutate(FREE_PLAN_ID)}
          onClose={() => setConfirmFree(false)}
          testId="to-free-dialog"
        >
          {t('plansToFreeBody', { name: currentName, date: df(page.data.current.periodEndsAt) })}
        </ConfirmDialog>
      )}
    </div>
  );
}

export default function PlansPage() {
  return (
    <AppShell>
      <Plans />
    </AppShell>
  );
}
