import type { AccountBalances } from './balances.js';
import type { QuotaPolicyConfig } from './config.js';

export type UsageLevel = 'NORMAL' | 'NOTICE' | 'WARNING' | 'CRITICAL' | 'BLOCKED';

export const USAGE_LEVELS: readonly UsageLevel[] = ['NORMAL', 'NOTICE', 'WARNING', 'CRITICAL', 'BLOCKED'];

/** Usage in basis points (1 % = 100 bp), rounded down so a level is never reached early. */
export function usageBasisPoints(consumedTokens: number, capacityTokens: number): number {
  if (capacityTokens <= 0) return consumedTokens > 0 ? 10_000 : 0;
  return Math.floor((consumedTokens * 10_000) / capacityTokens);
}

/** The level of a usage; each boundary belongs to the level above it (90.0 % is WARNING). */
export function levelOf(consumedTokens: number, capacityTokens: number, config: QuotaPolicyConfig): UsageLevel {
  if (capacityTokens <= 0) return 'BLOCKED';
  const scaled = consumedTokens * 10_000;
  if (scaled >= config.blockBasisPoints * capacityTokens) return 'BLOCKED';
  if (scaled >= config.criticalBasisPoints * capacityTokens) return 'CRITICAL';
  if (scaled >= config.warningBasisPoints * capacityTokens) return 'WARNING';
  if (scaled >= config.noticeBasisPoints * capacityTokens) return 'NOTICE';
  return 'NORMAL';
}

/** The most tokens a period may consume: capacity plus the grace zone, rounded down. */
export function hardLimitTokens(capacityTokens: number, config: QuotaPolicyConfig): number {
  return Math.floor((capacityTokens * config.blockBasisPoints) / 10_000);
}

export interface UsageEvaluation {
  level: UsageLevel;
  /** consumed / capacity × 100, rounded down to two decimals so it never shows a level early. */
  usagePercent: number;
  capacityTokens: number;
  consumedTokens: number;
  heldTokens: number;
  /** capacity − consumed; negative inside the grace zone. */
  remainingTokens: number;
  /** Tokens a new reservation may still take: hard limit − consumed − held, never negative. */
  reservableTokens: number;
  hardLimitTokens: number;
  graceInUse: boolean;
  estimatedTurns: number;
  averageTokensPerTurn: number;
}

/**
 * The usage state shown to people. `averageTokensPerTurn` is the user's recent average; when
 * there is no history the configured default stands in.
 */
export function evaluateUsage(
  balances: AccountBalances,
  config: QuotaPolicyConfig,
  averageTokensPerTurn?: number | null,
): UsageEvaluation {
  const capacityTokens = balances.periodCapacityTokens;
  const consumedTokens = balances.periodConsumedTokens;
  const limit = hardLimitTokens(capacityTokens, config);
  const remainingTokens = capacityTokens - consumedTokens;
  const perTurn =
    averageTokensPerTurn && averageTokensPerTurn > 0 ? Math.ceil(averageTokensPerTurn) : config.defaultTokensPerTurn;
  return {
    level: levelOf(consumedTokens, capacityTokens, config),
    usagePercent: usageBasisPoints(consumedTokens, capacityTokens) / 100,
    capacityTokens,
    consumedTokens,
    heldTokens: balances.heldTokens,
    remainingTokens,
    reservableTokens: Math.max(0, limit - consumedTokens - balances.heldTokens),
    hardLimitTokens: limit,
    graceInUse: consumedTokens > capacityTokens,
    estimatedTurns: Math.floor(Math.max(0, remainingTokens) / perTurn),
    averageTokensPerTurn: perTurn,
  };
}

export type ReservationDecision =
  | { allowed: true; tokens: number }
  | { allowed: false; reason: 'BLOCKED' | 'INSUFFICIENT_HEADROOM'; reservableTokens: number };

/**
 * Whether a hold of `requestedTokens` may be taken. Open holds count as consumed, so parallel
 * requests cannot jointly pass the hard limit. With `minimumTokens` set, a smaller hold down to
 * that minimum is granted instead of a refusal (a chat turn shortens its completion to fit).
 */
export function decideReservation(
  balances: AccountBalances,
  requestedTokens: number,
  config: QuotaPolicyConfig,
  minimumTokens: number = requestedTokens,
): ReservationDecision {
  const committed = balances.periodConsumedTokens + balances.heldTokens;
  const reservableTokens = Math.max(0, hardLimitTokens(balances.periodCapacityTokens, config) - committed);
  if (levelOf(committed, balances.periodCapacityTokens, config) === 'BLOCKED') {
    return { allowed: false, reason: 'BLOCKED', reservableTokens };
  }
  if (reservableTokens < Math.min(minimumTokens, requestedTokens)) {
    return { allowed: false, reason: 'INSUFFICIENT_HEADROOM', reservableTokens };
  }
  return { allowed: true, tokens: Math.min(requestedTokens, reservableTokens) };
}

/**
 * What a turn whose hold expired before it settled is charged. The expiry released its hold, and
 * other turns may have taken that room since, so the charge is capped at the room left under the
 * hard limit (after the holds still open) and the rest is written off: a slow stream never pushes
 * an account past 105 %. A hold settled in time needs no cap, since it was sized to fit.
 */
export function lateSettlement(balances: AccountBalances, consumedTokens: number, config: QuotaPolicyConfig): { chargedTokens: number; writtenOffTokens: number } {
  const room = Math.max(0, hardLimitTokens(balances.periodCapacityTokens, config) - balances.periodConsumedTokens - balances.heldTokens);
  const chargedTokens = Math.min(consumedTokens, room);
  return { chargedTokens, writtenOffTokens: consumedTokens - chargedTokens };
}
