'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useState, type FormEvent } from 'react';
import { AdminGate } from '@/components/AdminGate';
import { AssignPlanForm } from '@/components/AdminPlans';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { Spinner } from '@/components/AppShell';
import { Forbidden } from '@/components/Forbidden';
import { LedgerTable } from '@/components/LedgerTable';
import { OrdersTable } from '@/components/OrdersTable';
import { Panel } from '@/components/Panel';
import { UsageCard } from '@/components/UsageCard';
import { buildRows, DailyChart } from '@/components/UsageChart';
import { api, ApiError, newIdempotencyKey } from '@/lib/api';
import { errorText } from '@/lib/error-text';
import { useI18n } from '@/lib/i18n';
import { queryKeys } from '@/lib/queries';
import type { UsageView, UserDetailView, UserView } from '@consult-on/api-contract';

/** Locks an account (its sessions and API keys stop) or unlocks it, after a confirmation. Not offered for admins and deleted accounts. */
function LockControl({ user }: { user: UserDetailView }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [asking, setAsking] = useState(false);
  const action = user.suspended ? 'reactivate' : 'suspend';
  const change = useMutation({
    mutationFn: () => api<UserView>(`/api/admin/users/${user.userId}/${action}`, { method: 'POST' }),
    onSuccess: () => {
      setAsking(false);
      void client.invalidateQueries({ queryKey: queryKeys.admin() });
    },
  });
  if (user.role === 'ADMIN' || user.deleted) return null;
  return (
    <>
      <button type="button" className={`btn ${user.suspended ? 'btn-secondary' : 'btn-danger'}`} onClick={() => setAsking(true)} data-testid="lock-toggle">
        {user.suspended ? t('adminReactivate') : t('adminSuspend')}
      </button>
      {asking && (
        <ConfirmDialog
          id="lock-dialog"
          title={user.suspended ? t('adminReactivateTitle') : t('adminSuspendTitle')}
          confirmLabel={user.suspended ? t('adminReactivate') : t('adminSuspend')}
          tone={user.suspended ? 'primary' : 'danger'}
          pending={change.isPending}
          error={change.error}
          onConfirm={() => change.mutate()}
          onClose={() => {
            setAsking(false);
            change.reset();
          }}
          testId="lock-dialog"
        >
          {t(user.suspended ? 'adminReactivateBody' : 'adminSuspendBody', { email: user.email })}
        </ConfirmDialog>
      )}
    </>
  );
}

function AdjustmentForm({ userId }: { userId: string }) {
  const { t } = useI18n();
  const client = useQueryClient();
  const [tokens, setTokens] = useState('');
  const [bucket, setBucket] = useState<'purchased' | 'free'>('purchased');
  const [reason, setReason] = useState('');
  const [key, setKey] = useState(newIdempotencyKey);
  const adjust = useMutation({
    mutationFn: () => api<UsageView>(`/api/admin/users/${userId}/adjustments`, { body: { tokens: Number(tokens), bucket, reason }, idempotencyKey: key }),
    onSuccess: () => {
      setTokens('');
      setReason('');
      setKey(newIdempotencyKey());
      void client.invalidateQueries({ queryKey: queryKeys.admin() });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    adjust.mutate();
  };
  const valid = Number.isInteger(Number(tokens)) && Number(tokens) !== 0 && reason.trim().length >= 3;
  return (
    <form onSubmit={submit} className="space-y-3" data-testid="adjust-form">
      <h3 className="font-bold">{t('adjustTitle')}</h3>
      <div className="grid gap-3 sm:grid-cols-2">
        <div>
          <label htmlFor="adjust-tokens" className="label">
            {t('adjustTokens')}
          </label>
          <input id="adjust-tokens" type="number" step={1} required className="input" value={tokens} onChange={(e) => setTokens(e.target.value)} />
        </div>
        <div>
          <label htmlFor="adjust-bucket" className="label">
            {t('adjustBucket')}
          </label>
          <select id="adjust-bucket" className="input" value={bucket} onChange={(e) => setBucket(e.target.value as 'purchased' | 'free')}>
            <option value="purchased">{t('bucketPurchased')}</option>
            <option value="free">{t('bucketFree')}</option>
          </select>
        </div>
      </div>
      <div>
        <label htmlFor="adjust-reason" className="label">
          {t('adjustReason')}
        </label>
        <input id="adjust-reason" required minLength={3} maxLength={500} className="input" value={reason} onChange={(e) => setReason(e.target.value)} />
      </div>
      {adjust.isError && (
        <p role="alert" className="text-sm text-red-800">
          {errorText(adjust.error, t)}
        </p>
      )}
      {adjust.isSuccess && (
        <p role="status" className="text-sm text-green-800">
          {t('adjustDone')}
        </p>
      )}
      <button type="submit" className="btn btn-primary" disabled={!valid || adjust.isPending}>
        {t('adjustSubmit')}
      </button>
    </form>
  );
}

function Detail() {
  const { t, nf, df } = useI18n();
  const [id, setId] = useState<string | null>(null);
  useEffect(() => setId(new URLSearchParams(window.location.search).get('id') ?? ''), []);
  const detail = useQuery({
    queryKey: queryKeys.adminUser(id),
    queryFn: () => api<UserDetailView>(`/api/admin/token-stats/user/${encodeURIComponent(id ?? '')}?limit=50`),
    enabled: !!id,
  });
  if (id === null || (id && detail.isPending)) return <Spinner />;
  if (detail.error instanceof ApiError && detail.error.status === 403) return <Forbidden />;
  if (!id || detail.isError) return <p role="alert" className="card text-red-800">{detail.error ? errorText(detail.error, t) : t('notFoundTitle')}</p>;
  const data = detail.data!;
  const chartRows = buildRows(data.dailyUsage, data.usage);
  return (
    <>
      <Link href="/admin/" className="text-sm font-medium text-blue-800 underline">
        ← {t('back')}
      </Link>
      <div className="mt-2 flex flex-wrap items-center justify-between gap-2">
        <h1 className="text-2xl font-bold break-all">
          {t('userDetail')}: {data.email}
          {(data.suspended || data.deleted) && (
            <span className="ml-2 inline-block rounded-full bg-red-100 px-2 py-0.5 align-middle text-sm font-semibold text-red-900" data-testid="account-state">
              {data.deleted ? t('adminDeleted') : t('adminSuspended')}
            </span>
          )}
        </h1>
        <LockControl user={data} />
      </div>
      <p className="mb-4 text-sm text-slate-700">
        {t('role')} {data.role} · {t('joined')} {df(data.createdAt)} · {t('lastActive')} {df(data.lastActiveAt, true)} · {t('conversationsCount')} {nf(data.conversations)} · {t('notificationsSent')}{' '}
        {nf(data.notificationsSent)}
      </p>
      <div className="grid gap-4 lg:grid-cols-2">
        <UsageCard usage={data.usage} showActions={false} />
        <Panel id="user-daily" title={t('dailyUsage')}>
          <DailyChart rows={chartRows} capacity={data.usage.totalAvailable} height={260} />
          <p className="mt-1 text-xs text-slate-600">{t('dailyChartNote')}</p>
        </Panel>
      </div>
      <Panel id="user-plan" title={t('planUserTitle')} className="mt-4">
        <AssignPlanForm target={{ kind: 'user', id: data.userId }} usage={data.usage} />
      </Panel>
      <Panel id="user-adjust" title={t('adjustments')} className="mt-4">
        <LedgerTable entries={data.adjustments} showReason />
        <div className="mt-4 border-t border-slate-200 pt-4">
          <AdjustmentForm userId={data.userId} />
        </div>
      </Panel>
      <Panel id="user-orders" title={t('adminOrders')} className="mt-4">
        <OrdersTable userId={data.userId} unspentTokens={data.usage.purchasedTokens} />
      </Panel>
      <Panel id="user-ledger" title={t('ledger')} className="mt-4">
        <LedgerTable entries={data.ledger} showReason />
      </Panel>
    </>
  );
}

export default function AdminUserPage() {
  return (
    <AdminGate>
      <Detail />
    </AdminGate>
  );
}
