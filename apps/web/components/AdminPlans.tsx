'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { TableHead } from '@/components/TableHead';
import { api } from '@/lib/api';
import { useModels } from '@/lib/chat-models';
import { errorText } from '@/lib/error-text';
import { useI18n, type Key } from '@/lib/i18n';
import { useMoney } from '@/lib/money';
import {
  byPrice,
  createBody,
  emptyPlanForm,
  fetchAdminPlans,
  formOf,
  FREE_PLAN_ID,
  numberBounds,
  planChangeMessage,
  planTargetPath,
  saleState,
  saleStateKey,
  updateBody,
  validatePlanForm,
  type AdminPlan,
  type FieldError,
  type NumberField,
  type PlanChangeView,
  type PlanField,
  type PlanForm,
  type PlanTarget,
  type PlanView,
} from '@/lib/plans';
import { queryKeys } from '@/lib/queries';
import { useModal } from '@/lib/use-modal';
import type { UsageView } from '@consult-on/api-contract';

const saleStyle = { forSale: 'bg-green-100 text-green-900', staffOnly: 'bg-slate-200 text-slate-900', retired: 'bg-red-100 text-red-900' } as const;

function SaleBadge({ plan }: { plan: AdminPlan }) {
  const { t } = useI18n();
  const state = saleState(plan);
  return (
    <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-bold whitespace-nowrap ${saleStyle[state]}`} data-testid="plan-sale" data-state={state}>
      {t(saleStateKey[state])}
    </span>
  );
}

/** The plan's figures as the table and the cards write them. */
function usePlanText() {
  const { t, nf, df } = useI18n();
  const money = useMoney();
  return {
    tokens: (plan: AdminPlan) => t('tokensCount', { n: nf(plan.monthlyTokens) }),
    price: (plan: AdminPlan) => money(plan.priceKrw, 'KRW'),
    models: (plan: AdminPlan) => (plan.models === null ? t('planAllModels') : plan.models.join(', ')),
    completion: (plan: AdminPlan) => t('tokensCount', { n: nf(plan.completionLimit) }),
    perMinute: (plan: AdminPlan) => t('planTurnsPerMinuteCount', { n: nf(plan.turnsPerMinute) }),
    atOnce: (plan: AdminPlan) => nf(plan.concurrentTurns),
    accounts: (plan: AdminPlan) => t('planAccountsCount', { n: nf(plan.accounts) }),
    joining: (plan: AdminPlan) => (plan.joining > 0 ? t('planJoining', { n: nf(plan.joining) }) : null),
    retired: (plan: AdminPlan) => (plan.retiredAt ? t('planRetiredOn', { date: df(plan.retiredAt) }) : null),
    managedBy: (plan: AdminPlan) => t(plan.managedBy === 'admin' ? 'planManagedByAdmin' : 'planManagedByConfig'),
  };
}

function Actions({ plan, onEdit, onRetire }: { plan: AdminPlan; onEdit: (plan: AdminPlan) => void; onRetire: (plan: AdminPlan) => void }) {
  const { t } = useI18n();
  return (
    <div className="flex flex-wrap justify-end gap-2">
      <button type="button" className="btn btn-secondary px-3 py-1" onClick={() => onEdit(plan)} aria-label={t('planEditOf', { name: plan.name })} data-testid="plan-edit">
        {t('planEdit')}
      </button>
      {plan.id !== FREE_PLAN_ID && !plan.retiredAt && (
        <button type="button" className="btn btn-secondary px-3 py-1 text-red-800" onClick={() => onRetire(plan)} aria-label={t('planRetireOf', { name: plan.name })} data-testid="plan-retire">
          {t('planRetire')}
        </button>
      )}
    </div>
  );
}

/**
 * Every plan: a table from the lg breakpoint on, cards below it (no sideways scrolling on a phone),
 * like the token history.
 */
export function PlansTable({ plans, onEdit, onRetire }: { plans: AdminPlan[]; onEdit: (plan: AdminPlan) => void; onRetire: (plan: AdminPlan) => void }) {
  const { t } = useI18n();
  const text = usePlanText();
  if (!plans.length) return <p className="p-4 text-slate-600">{t('planNone')}</p>;
  return (
    <>
      <table className="hidden w-full text-left text-sm lg:table" data-testid="plans-table">
        <TableHead
          columns={[
            { label: t('planName') },
            { label: t('planMonthlyTokens'), numeric: true },
            { label: t('planPrice'), numeric: true },
            { label: t('planModels') },
            { label: t('planCompletionLimit'), numeric: true },
            { label: t('planTurnsPerMinute'), numeric: true },
            { label: t('planConcurrentTurns'), numeric: true },
            { label: t('planStatus') },
            { label: t('planAccounts'), numeric: true },
            { label: t('planActions'), hidden: true },
          ]}
        />
        <tbody>
          {plans.map((plan) => (
            <tr key={plan.id} className="border-b border-slate-100 align-top" data-testid="plan-row" data-plan={plan.id}>
              <td className="px-2 py-2">
                <span className="block font-semibold break-words">{plan.name}</span>
                <code className="block text-xs text-slate-600">{plan.id}</code>
              </td>
              <td className="px-2 py-2 text-right tabular-nums" data-testid="plan-tokens">
                {text.tokens(plan)}
              </td>
              <td className="px-2 py-2 text-right whitespace-nowrap tabular-nums" data-testid="plan-price">
                {text.price(plan)}
              </td>
              <td className="max-w-40 px-2 py-2 break-words" data-testid="plan-models">
                {text.models(plan)}
              </td>
              <td className="px-2 py-2 text-right tabular-nums">{text.completion(plan)}</td>
              <td className="px-2 py-2 text-right tabular-nums">{text.perMinute(plan)}</td>
              <td className="px-2 py-2 text-right tabular-nums">{text.atOnce(plan)}</td>
              <td className="px-2 py-2">
                <SaleBadge plan={plan} />
                {text.retired(plan) && <span className="block text-xs text-slate-700">{text.retired(plan)}</span>}
                <span className="block text-xs text-slate-600">{text.managedBy(plan)}</span>
              </td>
              <td className="px-2 py-2 text-right tabular-nums" data-testid="plan-accounts">
                <span className="block whitespace-nowrap">{text.accounts(plan)}</span>
                {text.joining(plan) && <span className="block text-xs text-slate-700">{text.joining(plan)}</span>}
              </td>
              <td className="px-2 py-2">
                <Actions plan={plan} onEdit={onEdit} onRetire={onRetire} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ul className="divide-y divide-slate-100 lg:hidden" data-testid="plans-cards">
        {plans.map((plan) => (
          <li key={plan.id} className="min-w-0 py-3" data-testid="plan-card" data-plan={plan.id}>
            <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
              <h3 className="min-w-0 font-bold break-words">
                {plan.name} <code className="text-xs font-normal text-slate-600">{plan.id}</code>
              </h3>
              <SaleBadge plan={plan} />
            </div>
            {text.retired(plan) && <p className="text-xs text-slate-700">{text.retired(plan)}</p>}
            <dl className="mt-2 grid grid-cols-2 gap-x-3 gap-y-1 text-sm break-keep">
              <Item label={t('planMonthlyTokens')}>{text.tokens(plan)}</Item>
              <Item label={t('planPrice')}>{text.price(plan)}</Item>
              <Item label={t('planModels')}>{text.models(plan)}</Item>
              <Item label={t('planCompletionLimit')}>{text.completion(plan)}</Item>
              <Item label={t('planTurnsPerMinute')}>{text.perMinute(plan)}</Item>
              <Item label={t('planConcurrentTurns')}>{text.atOnce(plan)}</Item>
              <Item label={t('planAccounts')}>
                {text.accounts(plan)}
                {text.joining(plan) && <span className="block text-xs font-normal text-slate-700">{text.joining(plan)}</span>}
              </Item>
              <Item label={t('planFigures')}>{text.managedBy(plan)}</Item>
            </dl>
            <div className="mt-2">
              <Actions plan={plan} onEdit={onEdit} onRetire={onRetire} />
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd className="font-semibold break-words tabular-nums">{children}</dd>
    </div>
  );
}

const dialogClass = 'm-auto max-h-[calc(100dvh-2rem)] w-[min(36rem,calc(100vw-2rem))] overflow-y-auto rounded-xl p-0 break-keep shadow-2xl backdrop:bg-slate-900/50';

function fieldErrorText(error: FieldError, t: (key: Key, vars?: Record<string, string | number>) => string, nf: (n: number) => string): string {
  return t(error.key, error.vars ? Object.fromEntries(Object.entries(error.vars).map(([name, value]) => [name, nf(value)])) : undefined);
}

/** Creates a plan (`plan` null) or edits one: every figure checked here before the API checks it again. */
export function PlanFormDialog({ plan, onClose, onDone }: { plan: AdminPlan | null; onClose: () => void; onDone: (message: string) => void }) {
  const { t, nf } = useI18n();
  const client = useQueryClient();
  const models = useModels();
  const dialog = useModal();
  const prefix = useId();
  const mode = plan ? 'edit' : 'create';
  const [form, setForm] = useState<PlanForm>(() => (plan ? formOf(plan) : emptyPlanForm));
  const [tried, setTried] = useState(false);
  const [nothing, setNothing] = useState(false);
  const errors = validatePlanForm(form, mode);
  const shown = tried ? errors : {};
  const free = plan?.id === FREE_PLAN_ID;
  const save = useMutation({
    mutationFn: async () => {
      if (!plan) return api<PlanView>('/api/admin/plans', { body: createBody(form) });
      const body = updateBody(plan, form);
      if (!body) return null;
      return api<PlanView>(`/api/admin/plans/${encodeURIComponent(plan.id)}`, { method: 'PATCH', body });
    },
    onSuccess: (saved) => {
      if (!saved) {
        setNothing(true);
        return;
      }
      void client.invalidateQueries({ queryKey: queryKeys.admin() });
      onDone(t(plan ? 'planSaved' : 'planCreated', { name: saved.name }));
    },
  });
  const set = <K extends keyof PlanForm>(field: K, value: PlanForm[K]) => {
    setNothing(false);
    setForm((current) => ({ ...current, [field]: value }));
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (Object.keys(errors).length > 0) {
      const first = (['id', 'nameKo', 'nameEn', 'monthlyTokens', 'priceKrw', 'completionLimit', 'turnsPerMinute', 'concurrentTurns', 'models'] as PlanField[]).find((field) => errors[field]);
      if (first) document.getElementById(`${prefix}-${first}`)?.focus();
      return;
    }
    if (!save.isPending) save.mutate();
  };
  const described = (field: PlanField, hint?: boolean) => [hint ? `${prefix}-${field}-hint` : null, shown[field] ? `${prefix}-${field}-error` : null].filter(Boolean).join(' ') || undefined;
  const errorLine = (field: PlanField) =>
    shown[field] && (
      <p id={`${prefix}-${field}-error`} className="mt-1 text-sm text-red-800" data-testid={`plan-error-${field}`}>
        {fieldErrorText(shown[field], t, nf)}
      </p>
    );
  const textField = (field: 'id' | 'nameKo' | 'nameEn', label: Key, options: { hint?: Key; maxLength: number }) => (
    <div>
      <label htmlFor={`${prefix}-${field}`} className="label">
        {t(label)}
      </label>
      <input
        id={`${prefix}-${field}`}
        className="input"
        value={form[field]}
        maxLength={options.maxLength}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={shown[field] ? true : undefined}
        aria-describedby={described(field, !!options.hint)}
        onChange={(event) => set(field, event.target.value)}
        data-testid={`plan-${field}`}
      />
      {options.hint && (
        <p id={`${prefix}-${field}-hint`} className="mt-1 text-xs text-slate-600">
          {t(options.hint)}
        </p>
      )}
      {errorLine(field)}
    </div>
  );
  const numberField = (field: NumberField, label: Key, options: { hint?: string; disabled?: boolean } = {}) => (
    <div>
      <label htmlFor={`${prefix}-${field}`} className="label">
        {t(label)}
      </label>
      <input
        id={`${prefix}-${field}`}
        className="input tabular-nums"
        inputMode="numeric"
        autoComplete="off"
        value={form[field]}
        disabled={options.disabled}
        aria-invalid={shown[field] ? true : undefined}
        aria-describedby={described(field, !!options.hint)}
        onChange={(event) => set(field, event.target.value)}
        data-testid={`plan-${field}`}
        data-min={numberBounds[field].min}
        data-max={numberBounds[field].max}
      />
      {options.hint && (
        <p id={`${prefix}-${field}-hint`} className="mt-1 text-xs text-slate-600">
          {options.hint}
        </p>
      )}
      {errorLine(field)}
    </div>
  );
  const offered = models.data ?? [];
  // A model the plan names that the server no longer offers stays visible, so it can be removed.
  const modelIds = [...new Set([...offered.map((model) => model.id), ...form.models])];
  return (
    <dialog
      ref={dialog}
      aria-labelledby={`${prefix}-title`}
      className={dialogClass}
      onCancel={(event) => {
        event.preventDefault();
        if (!save.isPending) onClose();
      }}
      data-testid="plan-dialog"
    >
      <form className="space-y-4 p-4 sm:p-6" onSubmit={submit} noValidate>
        <h2 id={`${prefix}-title`} className="text-lg font-bold">
          {plan ? t('planEditTitle', { name: plan.name }) : t('planCreateTitle')}
        </h2>
        {plan ? (
          <p className="text-sm text-slate-700">
            {t('planId')}: <code>{plan.id}</code>
          </p>
        ) : (
          textField('id', 'planId', { hint: 'planIdHint', maxLength: 32 })
        )}
        <div className="grid gap-4 sm:grid-cols-2">
          {textField('nameKo', 'planNameKo', { maxLength: 40 })}
          {textField('nameEn', 'planNameEn', { maxLength: 40 })}
          {numberField('monthlyTokens', 'planMonthlyTokens')}
          {numberField('priceKrw', 'planPrice', { hint: free ? t('planFreeLocked') : t('planPriceHint'), disabled: free })}
          {numberField('completionLimit', 'planCompletionLimit')}
          {numberField('turnsPerMinute', 'planTurnsPerMinute')}
          {numberField('concurrentTurns', 'planConcurrentTurns')}
        </div>
        <fieldset aria-describedby={shown.models ? `${prefix}-models-error` : undefined}>
          <legend className="label">{t('planModelsLegend')}</legend>
          <label className="flex items-center gap-2 text-sm">
            <input id={`${prefix}-models`} type="checkbox" className="size-4" checked={form.allModels} onChange={(event) => set('allModels', event.target.checked)} data-testid="plan-all-models" />
            {t('planModelsAll')}
          </label>
          {!form.allModels && (
            <div className="mt-2 flex flex-wrap gap-x-4 gap-y-2">
              {modelIds.map((id) => (
                <label key={id} className="flex items-center gap-2 text-sm">
                  <input
                    type="checkbox"
                    className="size-4"
                    checked={form.models.includes(id)}
                    onChange={(event) => set('models', event.target.checked ? [...form.models, id] : form.models.filter((model) => model !== id))}
                    data-testid={`plan-model-${id}`}
                  />
                  <code>{id}</code>
                </label>
              ))}
            </div>
          )}
          {errorLine('models')}
        </fieldset>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" className="size-4" checked={form.forSale} disabled={free || !!plan?.retiredAt} onChange={(event) => set('forSale', event.target.checked)} data-testid="plan-forSale" />
          {t('planForSaleLabel')}
        </label>
        <div aria-live="polite">
          {tried && Object.keys(errors).length > 0 && (
            <p role="alert" className="rounded bg-red-100 p-2 text-sm text-red-900">
              {t('planErrorFix')}
            </p>
          )}
          {save.isError && (
            <p role="alert" className="rounded bg-red-100 p-2 text-sm text-red-900" data-testid="plan-api-error">
              {errorText(save.error, t)}
            </p>
          )}
          {nothing && (
            <p role="status" className="rounded bg-slate-100 p-2 text-sm text-slate-800">
              {t('planNoChanges')}
            </p>
          )}
        </div>
        <div className="flex flex-wrap justify-end gap-2">
          <button type="button" className="btn btn-secondary" onClick={onClose} disabled={save.isPending}>
            {t('cancel')}
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending} data-testid="plan-submit">
            {save.isPending ? t('planSaving') : plan ? t('planSave') : t('planCreateSubmit')}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Asks before retiring a plan, and says that its accounts keep it. */
export function RetireDialog({ plan, onClose, onDone }: { plan: AdminPlan; onClose: () => void; onDone: (message: string) => void }) {
  const { t, nf } = useI18n();
  const client = useQueryClient();
  const retire = useMutation({
    mutationFn: () => api<PlanView>(`/api/admin/plans/${encodeURIComponent(plan.id)}/retire`, { method: 'POST' }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.admin() });
      onDone(t('planRetireDone', { name: plan.name }));
    },
  });
  return (
    <ConfirmDialog
      id="retire-plan"
      title={t('planRetireTitle')}
      confirmLabel={t('planRetireConfirm')}
      pending={retire.isPending}
      error={retire.isError ? retire.error : null}
      onConfirm={() => retire.mutate()}
      onClose={onClose}
      testId="retire-dialog"
      confirmTestId="retire-confirm"
    >
      <div className="space-y-2">
        <p>{t('planRetireBody', { name: plan.name })}</p>
        <p className="rounded-lg bg-slate-100 p-2">{t('planRetireKeeps', { n: nf(plan.accounts) })}</p>
      </div>
    </ConfirmDialog>
  );
}

/**
 * An account's plan on the admin pages — a user's (the user page) or an organization's pool (the
 * organization page): the current one, the one set for the next reset, and a select to put the
 * account on another (PUT …/users/:id/plan or …/organizations/:id/plan). Says what happened, then
 * refreshes the admin figures. Test ids start `user-plan-` or `org-plan-`.
 */
export function AssignPlanForm({ target, usage }: { target: PlanTarget; usage: UsageView }) {
  const { t, nf, df, lang } = useI18n();
  const money = useMoney();
  const client = useQueryClient();
  const prefix = useId();
  const plans = useQuery({ queryKey: queryKeys.adminPlans(lang), queryFn: () => fetchAdminPlans(lang) });
  const [chosen, setChosen] = useState(usage.plan.nextId ?? usage.plan.id);
  const [outcome, setOutcome] = useState<{ change: PlanChangeView['change']; text: string } | null>(null);
  const hadNext = usage.plan.nextId !== null;
  const testId = target.kind === 'user' ? 'user-plan' : 'org-plan';
  const options = byPrice(plans.data ?? []).filter((plan) => !plan.retiredAt || plan.id === usage.plan.id || plan.id === usage.plan.nextId);
  const change = useMutation({
    mutationFn: (planId: string) => api<PlanChangeView>(planTargetPath(target), { method: 'PUT', body: { planId } }),
    onMutate: () => setOutcome(null),
    onSuccess: (result, planId) => {
      const name = plans.data?.find((plan) => plan.id === planId)?.name ?? planId;
      const message = planChangeMessage(result, name, hadNext, { nf, df: (iso) => df(iso) });
      setOutcome({ change: result.change, text: t(message.key, message.vars) });
      void client.invalidateQueries({ queryKey: queryKeys.admin() });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (chosen && !change.isPending) change.mutate(chosen);
  };
  return (
    <div className="space-y-3" data-testid={testId}>
      <dl className="grid gap-2 sm:grid-cols-2">
        <div className="rounded-lg bg-slate-50 p-3">
          <dt className="text-xs font-medium text-slate-600">{t('planCurrent')}</dt>
          <dd className="mt-0.5 font-bold" data-testid={`${testId}-current`} data-plan={usage.plan.id}>
            {usage.plan.name}
          </dd>
        </div>
        <div className="rounded-lg bg-slate-50 p-3">
          <dt className="text-xs font-medium text-slate-600">{t('planNextLabel')}</dt>
          <dd className="mt-0.5 font-bold" data-testid={`${testId}-next`} data-plan={usage.plan.nextId ?? ''}>
            {usage.plan.nextId ? t('planNext', { date: df(usage.nextResetAt), name: usage.plan.nextName ?? usage.plan.nextId }) : t('planNoNext')}
          </dd>
        </div>
      </dl>
      <form onSubmit={submit} className="flex flex-wrap items-end gap-2">
        <div className="min-w-0 flex-1 basis-60">
          <label htmlFor={`${prefix}-plan`} className="label">
            {t('planSelect')}
          </label>
          <select
            id={`${prefix}-plan`}
            className="input"
            value={chosen}
            onChange={(event) => setChosen(event.target.value)}
            disabled={!plans.data}
            aria-describedby={`${prefix}-hint`}
            data-testid={`${testId}-select`}
          >
            {!plans.data && <option value={chosen}>{t('loading')}</option>}
            {options.map((plan) => (
              <option key={plan.id} value={plan.id}>
                {t('planOptionPrice', { name: plan.name, price: money(plan.priceKrw, 'KRW'), tokens: nf(plan.monthlyTokens) })}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="btn btn-primary" disabled={!plans.data || change.isPending} data-testid={`${testId}-change`}>
          {change.isPending ? t('planChanging') : t('planChange')}
        </button>
      </form>
      <p id={`${prefix}-hint`} className="text-xs text-slate-600">
        {t('planChangeHint')}
      </p>
      <div aria-live="polite">
        {outcome && (
          <p role="status" className="rounded-lg bg-green-50 p-3 text-sm font-medium text-green-900" data-testid={`${testId}-result`} data-change={outcome.change}>
            {outcome.text}
          </p>
        )}
        {(change.isError || plans.isError) && (
          <p role="alert" className="rounded-lg bg-red-100 p-3 text-sm text-red-900">
            {errorText(change.error ?? plans.error, t)}
          </p>
        )}
      </div>
    </div>
  );
}
