/**
 * Plans (요금제) on the admin pages: the form's figures checked in the browser as the API checks
 * them (apps/api/src/plans/plans.dto.ts), the PATCH body of what changed, a plan's sale state and
 * what a plan change did, in words. Pure, apart from `fetchAdminPlans`.
 */
import { errorOf, handleUnauthorized, headers } from './api';
import type { Key, Lang } from './i18n';
import type { components } from '@consult-on/api-contract';

type Schemas = components['schemas'];
export type PlanView = Schemas['PlanView'];
export type AdminPlanView = Schemas['AdminPlanView'];
export type CreatePlanDto = Schemas['CreatePlanDto'];
export type UpdatePlanDto = Schemas['UpdatePlanDto'];
export type PlanChangeView = Schemas['PlanChangeView'];
export type UsagePlanView = Schemas['UsagePlanView'];

/** The plan every account falls back to: always 0원 and for sale (the API refuses anything else). */
export const FREE_PLAN_ID = 'free';

/** An admin plan with its name in both languages (the API names a plan in the reader's language only). */
export type AdminPlan = AdminPlanView & { names: { ko: string; en: string } };

async function getIn<T>(path: string, lang: Lang): Promise<T> {
  const response = await fetch(path, { headers: headers({ 'Accept-Language': lang }) });
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401) handleUnauthorized();
    throw error;
  }
  return (await response.json()) as T;
}

/** Every plan (GET /api/admin/plans), read in Korean and in English so that the edit form has both names. */
export async function fetchAdminPlans(lang: Lang): Promise<AdminPlan[]> {
  const [ko, en] = await Promise.all([getIn<AdminPlanView[]>('/api/admin/plans', 'ko'), getIn<AdminPlanView[]>('/api/admin/plans', 'en')]);
  const english = new Map(en.map((plan) => [plan.id, plan.name]));
  const korean = new Map(ko.map((plan) => [plan.id, plan.name]));
  return (lang === 'ko' ? ko : en).map((plan) => ({ ...plan, names: { ko: korean.get(plan.id) ?? plan.name, en: english.get(plan.id) ?? plan.name } }));
}

export type PlanSaleState = 'forSale' | 'staffOnly' | 'retired';

export function saleState(plan: Pick<PlanView, 'forSale' | 'retiredAt'>): PlanSaleState {
  if (plan.retiredAt) return 'retired';
  return plan.forSale ? 'forSale' : 'staffOnly';
}

export const saleStateKey: Record<PlanSaleState, Key> = { forSale: 'planForSale', staffOnly: 'planNotForSale', retired: 'planRetired' };

/** Plans in the order people compare them: on sale first, then by price and allowance; retired last. */
export function byPrice<T extends Pick<PlanView, 'priceKrw' | 'monthlyTokens' | 'retiredAt' | 'id'>>(plans: readonly T[]): T[] {
  return [...plans].sort((a, b) => Number(!!a.retiredAt) - Number(!!b.retiredAt) || a.priceKrw - b.priceKrw || a.monthlyTokens - b.monthlyTokens || a.id.localeCompare(b.id));
}

// ---- the form ----

/** The form as typed: numbers are text until checked ("1,000,000" is accepted). */
export interface PlanForm {
  id: string;
  nameKo: string;
  nameEn: string;
  monthlyTokens: string;
  priceKrw: string;
  completionLimit: string;
  turnsPerMinute: string;
  concurrentTurns: string;
  /** true: every model (the API's null). */
  allModels: boolean;
  models: string[];
  forSale: boolean;
}

export type NumberField = 'monthlyTokens' | 'priceKrw' | 'completionLimit' | 'turnsPerMinute' | 'concurrentTurns';
export type PlanField = NumberField | 'id' | 'nameKo' | 'nameEn' | 'models';

/** The API's bounds (plans.dto.ts), inclusive. */
export const numberBounds: Record<NumberField, { min: number; max: number }> = {
  monthlyTokens: { min: 0, max: 1_000_000_000_000 },
  priceKrw: { min: 0, max: 100_000_000 },
  completionLimit: { min: 1, max: 1_000_000 },
  turnsPerMinute: { min: 1, max: 100_000 },
  concurrentTurns: { min: 1, max: 10_000 },
};

export const NUMBER_FIELDS: readonly NumberField[] = ['monthlyTokens', 'priceKrw', 'completionLimit', 'turnsPerMinute', 'concurrentTurns'];

const PLAN_ID = /^[a-z][a-z0-9-]{0,31}$/;
const NAME_MAX = 40;

export const emptyPlanForm: PlanForm = {
  id: '',
  nameKo: '',
  nameEn: '',
  monthlyTokens: '',
  priceKrw: '0',
  completionLimit: '4096',
  turnsPerMinute: '60',
  concurrentTurns: '8',
  allModels: true,
  models: [],
  forSale: true,
};

/** The form filled with a plan's figures, to edit it. */
export function formOf(plan: AdminPlan): PlanForm {
  return {
    id: plan.id,
    nameKo: plan.names.ko,
    nameEn: plan.names.en,
    monthlyTokens: String(plan.monthlyTokens),
    priceKrw: String(plan.priceKrw),
    completionLimit: String(plan.completionLimit),
    turnsPerMinute: String(plan.turnsPerMinute),
    concurrentTurns: String(plan.concurrentTurns),
    allModels: plan.models === null,
    models: plan.models ?? [],
    forSale: plan.forSale,
  };
}

/** A problem with one field: its message key and the message's values. */
export interface FieldError {
  key: Key;
  vars?: Record<string, number>;
}

/** A whole number typed with or without thousands separators ("1,000,000", "1 000 000"); NaN when it is not one. */
export function parseCount(text: string): number {
  const plain = text.trim().replace(/[,\s_]/g, '');
  return /^[-+]?\d+(\.\d+)?$/.test(plain) ? Number(plain) : Number.NaN;
}

function numberError(text: string, field: NumberField): FieldError | null {
  if (text.trim() === '') return { key: 'planErrorRequired' };
  const value = parseCount(text);
  if (!Number.isFinite(value) || !Number.isInteger(value)) return { key: 'planErrorInteger' };
  const { min, max } = numberBounds[field];
  if (value < min || value > max) return { key: 'planErrorRange', vars: { min, max } };
  return null;
}

function nameError(text: string): FieldError | null {
  const length = text.trim().length;
  return length < 1 || length > NAME_MAX ? { key: 'planErrorName' } : null;
}

/** Every field's problem, by field; empty when the form can be sent. */
export function validatePlanForm(form: PlanForm, mode: 'create' | 'edit'): Partial<Record<PlanField, FieldError>> {
  const errors: Partial<Record<PlanField, FieldError>> = {};
  if (mode === 'create' && !PLAN_ID.test(form.id.trim())) errors.id = { key: 'planErrorId' };
  const ko = nameError(form.nameKo);
  if (ko) errors.nameKo = ko;
  const en = nameError(form.nameEn);
  if (en) errors.nameEn = en;
  for (const field of NUMBER_FIELDS) {
    const problem = numberError(form[field], field);
    if (problem) errors[field] = problem;
  }
  if (!form.allModels && form.models.length === 0) errors.models = { key: 'planErrorModels' };
  return errors;
}

/** The body of POST /api/admin/plans; call only once `validatePlanForm` found nothing. */
export function createBody(form: PlanForm): CreatePlanDto {
  return {
    id: form.id.trim(),
    name: { ko: form.nameKo.trim(), en: form.nameEn.trim() },
    monthlyTokens: parseCount(form.monthlyTokens),
    models: form.allModels ? null : [...form.models],
    completionLimit: parseCount(form.completionLimit),
    turnsPerMinute: parseCount(form.turnsPerMinute),
    concurrentTurns: parseCount(form.concurrentTurns),
    priceKrw: parseCount(form.priceKrw),
    forSale: form.forSale,
  };
}

function sameModels(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  const sortedB = [...b].sort();
  return a.length === b.length && [...a].sort().every((model, index) => model === sortedB[index]);
}

/**
 * The body of PATCH /api/admin/plans/:id: only what differs from the plan (a plan an admin
 * changes stops following config, so nothing is sent that did not change); null when nothing did.
 */
export function updateBody(plan: AdminPlan, form: PlanForm): UpdatePlanDto | null {
  const next = createBody(form);
  const body: UpdatePlanDto = {};
  if (next.name.ko !== plan.names.ko || next.name.en !== plan.names.en) body.name = next.name;
  for (const field of NUMBER_FIELDS) if (next[field] !== plan[field]) body[field] = next[field];
  if (!sameModels(next.models, plan.models)) body.models = next.models;
  if (next.forSale !== plan.forSale && !plan.retiredAt) body.forSale = next.forSale;
  return Object.keys(body).length > 0 ? body : null;
}

// ---- an account's plan change ----

/** Whose plan an admin changes: a user's own account, or an organization's pool. */
export interface PlanTarget {
  kind: 'user' | 'organization';
  id: string;
}

/** PUT /api/admin/users/:id/plan or PUT /api/admin/organizations/:id/plan. */
export function planTargetPath(target: PlanTarget): string {
  return `/api/admin/${target.kind === 'user' ? 'users' : 'organizations'}/${encodeURIComponent(target.id)}/plan`;
}

/** What a plan change did, as a message key and its values; `hadNext`: a change was set for the reset before. */
export function planChangeMessage(
  result: PlanChangeView,
  planName: string,
  hadNext: boolean,
  format: { nf: (n: number) => string; df: (iso: string) => string },
): { key: Key; vars: Record<string, string> } {
  const name = planName;
  switch (result.change) {
    case 'upgrade':
      return result.addedTokens > 0 ? { key: 'planChangeUpgrade', vars: { name, tokens: format.nf(result.addedTokens) } } : { key: 'planChangeUpgradeNoTokens', vars: { name } };
    case 'downgrade':
      return { key: 'planChangeDowngrade', vars: { name, date: format.df(result.current.periodEndsAt) } };
    default:
      return { key: hadNext ? 'planChangeCancelled' : 'planChangeSame', vars: { name } };
  }
}
