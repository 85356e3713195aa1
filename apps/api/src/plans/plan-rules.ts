/**
 * The plan rules, pure: what a plan change does to an account, and what a plan lets a turn do.
 * The services apply them; nothing here reads or writes.
 */

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
