import { usageBasisPoints } from '@consult-on/quota-policy';

/** The bands of the admin statistics' usage distribution (SPEC section 6). */
export const DISTRIBUTION_BANDS = ['under50', 'under80', 'under90', 'under95', 'over95'] as const;
export type DistributionBand = (typeof DISTRIBUTION_BANDS)[number];

/** A usage's band: under 50 %, 80 %, 90 %, 95 %, or 95 % and more (nothing to use and something used: 100 %). */
export function distributionBand(consumedTokens: number, capacityTokens: number): DistributionBand {
  return bandOfTwentieth(Math.floor(usageBasisPoints(consumedTokens, capacityTokens) / 500));
}

/** The band of a usage counted in twentieths (5 % steps, what the SQL groups by): 0–9, 10–15, 16–17, 18, 19 and more. */
export function bandOfTwentieth(twentieth: number): DistributionBand {
  if (twentieth < 10) return 'under50';
  if (twentieth < 16) return 'under80';
  if (twentieth < 18) return 'under90';
  if (twentieth < 19) return 'under95';
  return 'over95';
}
