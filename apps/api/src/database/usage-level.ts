import type { QuotaPolicyConfig } from '@consult-on/quota-policy';
import { sql, type SQL } from 'drizzle-orm';

/** The thresholds a usage level is decided by, in basis points (1 % = 100). */
export type LevelThresholds = Pick<QuotaPolicyConfig, 'noticeBasisPoints' | 'warningBasisPoints' | 'criticalBasisPoints' | 'blockBasisPoints'>;

/**
 * The usage level of `consumed` out of `capacity` tokens, in SQL: the database function
 * `usage_level` (migration 0008), the same rule as the policy's `levelOf` — a property test
 * (`usage-level.test.ts`) holds the two to the same answer. Every query that needs a level uses
 * this, so the boundaries are written once in TypeScript and once in SQL, and nowhere else.
 */
export function usageLevelSql(consumed: SQL, capacity: SQL, thresholds: LevelThresholds): SQL {
  return sql`usage_level(${consumed}, ${capacity}, ${thresholds.noticeBasisPoints}::int, ${thresholds.warningBasisPoints}::int, ${thresholds.criticalBasisPoints}::int, ${thresholds.blockBasisPoints}::int)`;
}

/**
 * A usage in twentieths of its capacity, in SQL (one multiplication and one division a row, and a
 * small grouping key): `distributionBand` (admin/token-stats/distribution.ts) in TypeScript — `distribution.test.ts` holds the two to
 * the same band for every usage. Capped at 20 (over 100 % is one band).
 */
export function usageTwentiethSql(consumed: SQL, capacity: SQL): SQL {
  return sql`case when ${capacity} <= 0 then (case when ${consumed} > 0 then 20 else 0 end) else least(${consumed} * 20 / ${capacity}, 20) end`;
}
