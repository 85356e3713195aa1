'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { AdminGate } from '@/components/AdminGate';
import { PlanFormDialog, PlansTable, RetireDialog } from '@/components/AdminPlans';
import { Spinner } from '@/components/AppShell';
import { Forbidden } from '@/components/Forbidden';
import { ApiError } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { byPrice, fetchAdminPlans, type AdminPlan } from '@/lib/plans';
import { queryKeys } from '@/lib/queries';

type Open = { kind: 'none' } | { kind: 'create' } | { kind: 'edit'; plan: AdminPlan } | { kind: 'retire'; plan: AdminPlan };

function Plans() {
  const { t, lang } = useI18n();
  const plans = useQuery({ queryKey: queryKeys.adminPlans(lang), queryFn: () => fetchAdminPlans(lang) });
  const [open, setOpen] = useState<Open>({ kind: 'none' });
  const [done, setDone] = useState<string | null>(null);
  if (plans.error instanceof ApiError && plans.error.status === 403) return <Forbidden />;
  const close = () => setOpen({ kind: 'none' });
  const finished = (message: string) => {
    setDone(message);
    close();
  };
  return (
    <>
      <Link href="/admin/" className="text-sm font-medium text-blue-800 underline">
        ← {t('adminTitle')}
      </Link>
      <div className="mt-2 mb-4 flex flex-wrap items-end justify-between gap-2">
        <div className="min-w-0">
          <h1 className="text-2xl font-bold">{t('adminPlansTitle')}</h1>
          <p className="mt-1 max-w-3xl text-sm break-keep text-slate-700">{t('adminPlansIntro')}</p>
        </div>
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => {
            setDone(null);
            setOpen({ kind: 'create' });
          }}
          data-testid="plan-create"
        >
          {t('planCreate')}
        </button>
      </div>
      <div aria-live="polite">
        {done && (
          <p role="status" className="mb-3 rounded-lg bg-green-50 p-3 text-sm font-medium text-green-900" data-testid="plan-done">
            {done}
          </p>
        )}
      </div>
      <section className="card" aria-labelledby="plans-title">
        <h2 id="plans-title" className="sr-only">
          {t('adminPlansTitle')}
        </h2>
        {plans.isError ? (
          <p role="alert" className="text-red-800">
            {errorText(plans.error, t)}
          </p>
        ) : !plans.data ? (
          <Spinner />
        ) : (
          <PlansTable
            plans={byPrice(plans.data)}
            onEdit={(plan) => {
              setDone(null);
              setOpen({ kind: 'edit', plan });
            }}
            onRetire={(plan) => {
              setDone(null);
              setOpen({ kind: 'retire', plan });
            }}
          />
        )}
      </section>
      {open.kind === 'create' && <PlanFormDialog plan={null} onClose={close} onDone={finished} />}
      {open.kind === 'edit' && <PlanFormDialog key={open.plan.id} plan={open.plan} onClose={close} onDone={finished} />}
      {open.kind === 'retire' && <RetireDialog plan={open.plan} onClose={close} onDone={finished} />}
    </>
  );
}

export default function AdminPlansPage() {
  return (
    <AdminGate>
      <Plans />
    </AdminGate>
  );
}
