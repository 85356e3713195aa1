/** When an account is expected to reach 100 % and 105 % of its capacity at its recent burn rate. */
export interface ExhaustionForecast {
  /** Mean tokens consumed per day over the sampled days. */
  burnRatePerDay: number;
  /** Standard deviation of the daily figures: the spread behind the range below. */
  dailySpread: number;
  reach100At: string | null;
  reach105At: string | null;
  /** Earliest (burning at mean + spread) and latest (mean − spread) dates for 100 %. */
  reach100Range: { earliest: string | null; latest: string | null };
  /** True when the monthly reset comes before 100 % would be reached (or nothing is being used). */
  resetComesFirst: boolean;
  sampleDays: number;
}

const DAY_MS = 86_400_000;

function dateAfter(now: Date, tokensLeft: number, perDay: number, resetAt: Date): string | null {
  if (tokensLeft <= 0) return now.toISOString();
  if (!(perDay > 0)) return null;
  const at = new Date(now.getTime() + (tokensLeft / perDay) * DAY_MS);
  // Beyond the reset the period's figures start again: there is no such date in this period.
  return at.getTime() >= resetAt.getTime() ? null : at.toISOString();
}

/**
 * Projects the period's consumption forward from the daily usage of recent days (oldest first,
 * zeros included). Pure: the caller supplies the figures and the clock.
 */
export function forecastExhaustion(input: {
  consumedTokens: number;
  capacityTokens: number;
  hardLimitTokens: number;
  dailyTokens: readonly number[];
  now: Date;
  resetAt: Date;
}): ExhaustionForecast {
  const days = input.dailyTokens.length;
  const mean = days > 0 ? input.dailyTokens.reduce((sum, value) => sum + value, 0) / days : 0;
  const variance = days > 1 ? input.dailyTokens.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (days - 1) : 0;
  const spread = Math.sqrt(variance);
  const to100 = input.capacityTokens - input.consumedTokens;
  const to105 = input.hardLimitTokens - input.consumedTokens;
  const reach100At = dateAfter(input.now, to100, mean, input.resetAt);
  return {
    burnRatePerDay: Math.round(mean),
    dailySpread: Math.round(spread),
    reach100At,
    reach105At: dateAfter(input.now, to105, mean, input.resetAt),
    reach100Range: {
      earliest: dateAfter(input.now, to100, mean + spread, input.resetAt),
      latest: dateAfter(input.now, to100, Math.max(0, mean - spread), input.resetAt),
    },
    resetComesFirst: reach100At === null,
    sampleDays: days,
  };
}
