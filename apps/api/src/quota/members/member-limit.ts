/**
 * A member's monthly limit inside their organization's pool (pure): what the member has used of
 * the pool this period, what is held for their turns in flight, and how much more a turn may
 * hold or be charged. The limit is hard: no overage past it (the pool has its own 105 %).
 */
export interface MemberUsage {
  /** Tokens a month the member may use of the pool; null: no limit of their own. */
  monthlyLimitTokens: number | null;
  /** The period `consumedTokens` counts; null before the member's first turn. */
  periodKey: string | null;
  heldTokens: number;
  consumedTokens: number;
  openHolds: number;
}

/** The member's usage seen in `periodKey`: what an earlier period consumed no longer counts; holds still do. */
export function inPeriod<T extends MemberUsage>(usage: T, periodKey: string): T {
  return usage.periodKey === periodKey ? usage : { ...usage, periodKey, consumedTokens: 0 };
}

/** Tokens the member may still hold or be charged this period (Infinity without a limit). */
export function memberRoom(usage: MemberUsage): number {
  if (usage.monthlyLimitTokens === null) return Number.POSITIVE_INFINITY;
  return Math.max(0, usage.monthlyLimitTokens - usage.consumedTokens - usage.heldTokens);
}

/** Share of the limit used (consumed, not held), 0–100+ with one decimal; null without a limit. */
export function memberUsagePercent(usage: MemberUsage): number | null {
  const limit = usage.monthlyLimitTokens;
  if (limit === null) return null;
  if (limit === 0) return 100;
  return Math.floor((usage.consumedTokens * 1_000) / limit) / 10;
}

/**
 * How much a turn of the member may hold: up to `tokens`, at least `minimumTokens`, within the
 * limit. Refused (null) when even the minimum does not fit.
 */
export function memberReservation(usage: MemberUsage, tokens: number, minimumTokens: number = tokens): number | null {
  const granted = Math.min(tokens, memberRoom(usage));
  return granted >= Math.max(1, minimumTokens) ? granted : null;
}

/**
 * What the member may be charged for a hold of `releasedTokens` (0 when the hold already expired):
 * the hold itself, and beyond it only what is left under the limit — never past the limit.
 */
export function memberChargeCap(usage: MemberUsage, releasedTokens: number): number {
  return releasedTokens + memberRoom({ ...usage, heldTokens: usage.heldTokens - releasedTokens });
}

/** The member's usage after one of their holds is opened, settled (charged) or released. */
export function afterHold(usage: MemberUsage, change: { openedTokens?: number; releasedTokens?: number; closesOpenHold?: boolean; chargedTokens?: number }): MemberUsage {
  const opened = change.openedTokens ?? 0;
  const released = change.releasedTokens ?? 0;
  return {
    ...usage,
    heldTokens: usage.heldTokens + opened - released,
    consumedTokens: usage.consumedTokens + (change.chargedTokens ?? 0),
    openHolds: Math.max(0, usage.openHolds + (opened > 0 ? 1 : 0) - (change.closesOpenHold ? 1 : 0)),
  };
}

/** The thresholds of a member's limit that notify the member: 90 % and 100 %. */
export const MEMBER_LIMIT_THRESHOLDS = [90, 100] as const;

/** The highest threshold (90 or 100) the member's usage reached, or null below 90 % or without a limit. */
export function memberThreshold(usage: MemberUsage): 90 | 100 | null {
  const percent = memberUsagePercent(usage);
  if (percent === null) return null;
  if (percent >= 100) return 100;
  if (percent >= 90) return 90;
  return null;
}

/**
 * An API key's use of its account: the same level as a member's limit (the rules above apply to
 * it as they are), its monthly budget as `monthlyLimitTokens`, with an optional cap on its turns in flight.
 */
export interface KeyUsage extends MemberUsage {
  concurrentTurns: number | null;
}

/** What one change moves in a key's usage (the ledger statement applies the differences). */
export interface KeyUsageChange {
  id: string;
  heldDelta: number;
  consumedDelta: number;
  openHoldsDelta: number;
  /** Whether the change was decided on the key's row read under its lock; otherwise it may be written only while the key has no limits. */
  checked?: boolean;
}

/** The difference between two states of a key's usage, as the ledger statement writes it. */
export function keyUsageChange(id: string, before: MemberUsage, after: MemberUsage): KeyUsageChange {
  return { id, heldDelta: after.heldTokens - before.heldTokens, consumedDelta: after.consumedTokens - before.consumedTokens, openHoldsDelta: after.openHolds - before.openHolds };
}
