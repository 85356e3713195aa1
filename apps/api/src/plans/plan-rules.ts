/**
 * The plan rules, pure: what a plan change does to an account, and what a plan lets a turn do.
 * The services apply them; nothing here reads or writes.
 */
import { FREE_PLAN_ID } from '../config/plans-config.js';

export interface PlanLimits {
  id: string;
  monthlyTokens: number;
  models: readonly string[] | null;
  completionLimit: number;
  turnsPerMinute: number;
  concurrentTurns: number;
  priceKrw: number;
}

/** What moving an account from `current` to `target` does. */
export type PlanChangeDecision =
  /** Already on it (a pending move elsewhere is cancelled). */
  | { kind: 'same' }
  /** At once: this period's allowance becomes the target's (usage so far kept), the difference as its own ledger entry. */
  | { kind: 'upgrade'; allowanceDelta: number }
  /** At the next reset; until then nothing changes. */
  | { kind: 'downgrade' };

/**
 * An upgrade is a plan that costs more, or as much with a larger allowance; it applies at once,
 * topping this period's allowance up to the new plan's: `grantedThisPeriod` is what the period
 * already got (its monthly grant and earlier upgrades), whatever the plans' figures are now.
 * Anything else (a cheaper or smaller plan) is a downgrade and waits for the reset, so that a
 * month already paid for is not cut short.
 */
export function decidePlanChange(current: PlanLimits, target: PlanLimits, grantedThisPeriod: number): PlanChangeDecision {
  if (current.id === target.id) return { kind: 'same' };
  const upgrade = target.priceKrw > current.priceKrw || (target.priceKrw === current.priceKrw && target.monthlyTokens > current.monthlyTokens);
  if (!upgrade) return { kind: 'downgrade' };
  return { kind: 'upgrade', allowanceDelta: Math.max(0, target.monthlyTokens - grantedThisPeriod) };
}

/**
 * The plan an account starts a new period on. A paid plan paid for this period goes on (a move
 * chosen meanwhile waits for the first reset it is not paid for: a paid month is never lost);
 * else the move chosen for the reset (back to free, an admin's downgrade) starts; else a paid plan
 * whose payments stop before this period (a renewal declined, or none: the subscription was
 * cancelled) drops to the free plan. Period keys sort in time.
 */
export function planAtReset(account: PlanState, periodKey: string): PlanState {
  if (account.planPaidThrough !== null && account.planPaidThrough >= periodKey) return account;
  if (account.nextPlanId !== null) return { planId: account.nextPlanId, nextPlanId: null, planPaidThrough: null };
  if (account.planPaidThrough !== null) return { planId: FREE_PLAN_ID, nextPlanId: null, planPaidThrough: null };
  return account;
}

/** An account's plan: the one now, the one chosen for the reset, and the last period its payments cover. */
export interface PlanState {
  planId: string;
  nextPlanId: string | null;
  planPaidThrough: string | null;
}

/** Whether a paid plan ends at the next reset for want of a payment (nothing else chosen for it). */
export function endsUnpaidAtReset(account: PlanState, nextPeriodKey: string): boolean {
  return account.nextPlanId === null && planAtReset(account, nextPeriodKey).planId !== account.planId;
}

/** Whether the account runs on `planId` paid through `periodKey` already: paying again would buy nothing. */
export function paidFor(account: PlanState, planId: string, periodKey: string): boolean {
  return account.planId === planId && account.planPaidThrough !== null && account.planPaidThrough >= periodKey;
}

/** The period before a period key (YYYY-MM): a calendar month back. */
export function previousPeriodKey(key: string): string {
  const [year, month] = key.split('-').map(Number) as [number, number];
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/** The later of two period keys (they sort in time); null counts as none. */
export function laterPeriod(a: string | null, b: string): string {
  return a !== null && a > b ? a : b;
}

/**
 * What a plan's subscription, whose paid period is `paysFor`, does at its renewal: `renew` while
 * the account is on that plan, paid by it through that period, and stays on it; `wait` while
 * another plan is chosen for the reset (the user may still change their mind: nothing is charged,
 * nothing ends); `end` otherwise (another plan bought, an admin's contract, the reset passed) —
 * charging would buy a plan the account does not have.
 */
export function planRenewal(account: PlanState, planId: string, paysFor: string): 'renew' | 'wait' | 'end' {
  // Only the subscription that paid the account's plan up to now renews it: another one of the
  // same plan (bought again after a lapse), or an admin's contract (nothing to pay), ends.
  if (account.planId !== planId || account.planPaidThrough !== paysFor) return 'end';
  return account.nextPlanId === null ? 'renew' : 'wait';
}

/** Whether the plan may use the model. */
export function allowsModel(plan: PlanLimits, modelId: string): boolean {
  return plan.models === null || plan.models.includes(modelId);
}

/** A turn's completion limit: the model's, capped by the plan's. */
export function completionLimitOf(plan: PlanLimits, modelLimit: number): number {
  return Math.min(modelLimit, plan.completionLimit);
}

/** Whether one more turn may start, given the turns started in the last minute. (Turns at once: HoldsService, with the balances.) */
export function withinRate(plan: PlanLimits, startedLastMinute: number): boolean {
  return startedLastMinute < plan.turnsPerMinute;
}
