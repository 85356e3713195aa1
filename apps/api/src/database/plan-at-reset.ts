import { sql, type SQL } from 'drizzle-orm';
import { FREE_PLAN_ID } from '../config/plans-config.js';

/**
 * The plan an account starts the period `periodKey` on, in SQL, from its columns (`plan_id`,
 * `next_plan_id`, `plan_paid_through` of the row `account`): the same rule as `planAtReset`
 * (plans/plan-rules.ts), which the ledger applies at the reset — `plan-at-reset.test.ts` holds the
 * two to the same answer for every case. For a query over accounts nobody touched since the
 * period began (the statistics), which must not rewrite the rule on its own.
 */
export function planAtResetSql(account: SQL, periodKey: string): SQL {
  return sql`case
    when ${account}.plan_paid_through is not null and ${account}.plan_paid_through >= ${periodKey}::text then ${account}.plan_id
    when ${account}.next_plan_id is not null then ${account}.next_plan_id
    when ${account}.plan_paid_through is not null then ${FREE_PLAN_ID}::text
    else ${account}.plan_id
  end`;
}
