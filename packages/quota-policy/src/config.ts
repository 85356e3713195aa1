/** Which bucket a consumption draws from first. The report's policy is purchased-first. */
export type ConsumptionOrder = 'purchased-first' | 'free-first';

/**
 * Every number of the quota policy. Percent thresholds are kept in basis points
 * (1 % = 100 bp) so that level boundaries are decided with integer arithmetic only.
 */
export interface QuotaPolicyConfig {
  freeMonthlyTokens: number;
  timeZone: string;
  consumptionOrder: ConsumptionOrder;
  noticeBasisPoints: number;
  warningBasisPoints: number;
  criticalBasisPoints: number;
  blockBasisPoints: number;
  defaultTokensPerTurn: number;
}

export const DEFAULT_QUOTA_POLICY: QuotaPolicyConfig = {
  freeMonthlyTokens: 100_000,
  timeZone: 'Asia/Seoul',
  consumptionOrder: 'purchased-first',
  noticeBasisPoints: 8_000,
  warningBasisPoints: 9_000,
  criticalBasisPoints: 9_500,
  blockBasisPoints: 10_500,
  defaultTokensPerTurn: 900,
};

export function percentToBasisPoints(percent: number): number {
  return Math.round(percent * 100);
}

/** Throws when the configuration cannot describe a sane policy (thresholds out of order, …). */
export function assertValidPolicy(config: QuotaPolicyConfig): void {
  const problems: string[] = [];
  if (!Number.isSafeInteger(config.freeMonthlyTokens) || config.freeMonthlyTokens < 0) {
    problems.push('freeMonthlyTokens must be a non-negative integer');
  }
  const ordered = [
    config.noticeBasisPoints,
    config.warningBasisPoints,
    config.criticalBasisPoints,
    config.blockBasisPoints,
  ];
  if (!ordered.every((value, index) => index === 0 || value > ordered[index - 1]!)) {
    problems.push('thresholds must increase: notice < warning < critical < block');
  }
  if (config.blockBasisPoints < 10_000) problems.push('the block threshold must be at least 100 %');
  if (!Number.isSafeInteger(config.defaultTokensPerTurn) || config.defaultTokensPerTurn <= 0) {
    problems.push('defaultTokensPerTurn must be a positive integer');
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: config.timeZone });
  } catch {
    problems.push(`unknown time zone ${config.timeZone}`);
  }
  if (problems.length > 0) throw new Error(`Invalid quota policy: ${problems.join('; ')}`);
}
