import type { ConsumptionOrder } from './config.js';

/**
 * The balances of one token account. Every field is a whole number of tokens and each is
 * the sum of the matching delta over the account's ledger.
 * - `freeTokens`, `purchasedTokens`: what is left in each bucket (never negative).
 * - `debtTokens`: consumption beyond both buckets (the grace zone), repaid by the next credit.
 * - `heldTokens`: open reservations.
 * - `periodCapacityTokens`, `periodConsumedTokens`: the figures the usage percent is made of;
 *   they are re-based at every monthly reset.
 */
export interface AccountBalances {
  freeTokens: number;
  purchasedTokens: number;
  debtTokens: number;
  heldTokens: number;
  periodCapacityTokens: number;
  periodConsumedTokens: number;
}

/** A change of balances: what one ledger entry records. */
export type BalanceDelta = AccountBalances;

export const ZERO_BALANCES: AccountBalances = Object.freeze({
  freeTokens: 0,
  purchasedTokens: 0,
  debtTokens: 0,
  heldTokens: 0,
  periodCapacityTokens: 0,
  periodConsumedTokens: 0,
});

const FIELDS = Object.keys(ZERO_BALANCES) as (keyof AccountBalances)[];

export function delta(partial: Partial<BalanceDelta>): BalanceDelta {
  return { ...ZERO_BALANCES, ...partial };
}

export function applyDelta(balances: AccountBalances, change: BalanceDelta): AccountBalances {
  const next = { ...balances };
  for (const field of FIELDS) next[field] = balances[field] + change[field];
  return next;
}

/** Problems with a set of balances; empty when they are sound. */
export function balanceProblems(balances: AccountBalances): string[] {
  const problems: string[] = [];
  for (const field of FIELDS) {
    if (!Number.isSafeInteger(balances[field])) problems.push(`${field} is not an integer`);
    else if (balances[field] < 0) problems.push(`${field} is negative (${balances[field]})`);
  }
  if (balances.debtTokens > 0 && balances.freeTokens + balances.purchasedTokens > 0) {
    problems.push('debt is open while a bucket still holds tokens');
  }
  const remaining = balances.periodCapacityTokens - balances.periodConsumedTokens;
  const bucketRemaining = balances.freeTokens + balances.purchasedTokens - balances.debtTokens;
  if (remaining !== bucketRemaining) {
    problems.push(`capacity − consumed (${remaining}) ≠ free + purchased − debt (${bucketRemaining})`);
  }
  return problems;
}

export function assertPositiveTokens(tokens: number, what: string): void {
  if (!Number.isSafeInteger(tokens) || tokens <= 0) {
    throw new RangeError(`${what} must be a positive integer number of tokens, got ${tokens}`);
  }
}

/** How a consumption was paid for; the receipt of a turn. */
export interface ConsumptionSplit {
  purchasedTokens: number;
  freeTokens: number;
  overageTokens: number;
}

/** Draws `tokens` from the buckets in the configured order; what they cannot cover becomes debt. */
export function planConsumption(
  balances: AccountBalances,
  tokens: number,
  order: ConsumptionOrder,
): { delta: BalanceDelta; split: ConsumptionSplit } {
  if (!Number.isSafeInteger(tokens) || tokens < 0) throw new RangeError(`bad consumption ${tokens}`);
  let left = tokens;
  const take = (available: number) => {
    const taken = Math.min(available, left);
    left -= taken;
    return taken;
  };
  let purchasedTokens: number;
  let freeTokens: number;
  if (order === 'purchased-first') {
    purchasedTokens = take(balances.purchasedTokens);
    freeTokens = take(balances.freeTokens);
  } else {
    freeTokens = take(balances.freeTokens);
    purchasedTokens = take(balances.purchasedTokens);
  }
  const overageTokens = left;
  return {
    split: { purchasedTokens, freeTokens, overageTokens },
    delta: delta({
      purchasedTokens: -purchasedTokens,
      freeTokens: -freeTokens,
      debtTokens: overageTokens,
      periodConsumedTokens: tokens,
    }),
  };
}

/** Settles a hold: releases all of it and consumes what the turn really cost. */
export function planSettlement(
  balances: AccountBalances,
  heldTokens: number,
  consumedTokens: number,
  order: ConsumptionOrder,
): { delta: BalanceDelta; split: ConsumptionSplit } {
  const consumption = planConsumption(balances, consumedTokens, order);
  return { split: consumption.split, delta: { ...consumption.delta, heldTokens: -heldTokens } };
}

export type CreditBucket = 'purchased' | 'free';

/** Adds tokens (purchase, grant, positive correction): open debt is repaid first. */
export function planCredit(balances: AccountBalances, tokens: number, bucket: CreditBucket): BalanceDelta {
  assertPositiveTokens(tokens, 'credit');
  const repaid = Math.min(balances.debtTokens, tokens);
  const added = tokens - repaid;
  return delta({
    debtTokens: -repaid,
    purchasedTokens: bucket === 'purchased' ? added : 0,
    freeTokens: bucket === 'free' ? added : 0,
    periodCapacityTokens: tokens,
  });
}

export class InsufficientBalanceError extends Error {
  constructor(
    readonly requestedTokens: number,
    readonly availableTokens: number,
  ) {
    super(`cannot remove ${requestedTokens} tokens: only ${availableTokens} are left`);
  }
}

/** Removes tokens that were credited (refund of a purchase, negative correction): purchased first. */
export function planDebit(balances: AccountBalances, tokens: number): BalanceDelta {
  assertPositiveTokens(tokens, 'debit');
  const available = balances.purchasedTokens + balances.freeTokens;
  if (tokens > available) throw new InsufficientBalanceError(tokens, available);
  const fromPurchased = Math.min(balances.purchasedTokens, tokens);
  return delta({
    purchasedTokens: -fromPurchased,
    freeTokens: -(tokens - fromPurchased),
    periodCapacityTokens: -tokens,
  });
}

/** Gives back consumed tokens (test scenarios, goodwill): debt first, the rest to the free bucket. */
export function planConsumptionReversal(balances: AccountBalances, tokens: number): BalanceDelta {
  assertPositiveTokens(tokens, 'reversal');
  if (tokens > balances.periodConsumedTokens) {
    throw new InsufficientBalanceError(tokens, balances.periodConsumedTokens);
  }
  const repaid = Math.min(balances.debtTokens, tokens);
  return delta({ debtTokens: -repaid, freeTokens: tokens - repaid, periodConsumedTokens: -tokens });
}

/** The two entries of a monthly reset: unused free tokens expire, then the new grant. */
export interface ResetPlan {
  expiry: BalanceDelta | null;
  grant: BalanceDelta;
  carriedDebtTokens: number;
}

/**
 * Moves an account into a new period `periodsElapsed` periods after its current one.
 * Debt is a consumption the new period already owes: each elapsed period's grant repays it,
 * and whatever is still owed counts as consumed in the new period.
 */
export function planReset(balances: AccountBalances, freeMonthlyTokens: number, periodsElapsed: number): ResetPlan {
  if (!Number.isSafeInteger(periodsElapsed) || periodsElapsed < 1) {
    throw new RangeError(`a reset needs at least one elapsed period, got ${periodsElapsed}`);
  }
  const expiry = balances.freeTokens > 0 ? delta({ freeTokens: -balances.freeTokens }) : null;
  const repaidBySkippedPeriods = Math.min(balances.debtTokens, freeMonthlyTokens * (periodsElapsed - 1));
  const carriedDebtTokens = balances.debtTokens - repaidBySkippedPeriods;
  const repaidNow = Math.min(carriedDebtTokens, freeMonthlyTokens);
  const capacity = freeMonthlyTokens + balances.purchasedTokens;
  const grant = delta({
    freeTokens: freeMonthlyTokens - repaidNow,
    debtTokens: -(repaidBySkippedPeriods + repaidNow),
    periodCapacityTokens: capacity - balances.periodCapacityTokens,
    periodConsumedTokens: carriedDebtTokens - balances.periodConsumedTokens,
  });
  return { expiry, grant, carriedDebtTokens };
}
