import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planAtReset, type PlanState } from '../plans/plan-rules.js';
import { rowsOf, type DatabaseHandle } from './database.js';
import { planAtResetSql } from './plan-at-reset.js';
import { createTestDatabase } from '../../testing/test-database.js';

let database: DatabaseHandle;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

const PERIOD = '2026-12';

/** Every shape an account's plan can have at a reset: paid through before, at and after the period, or not paid; a move chosen or not. */
function cases(): PlanState[] {
  const all: PlanState[] = [];
  for (const planId of ['free', 'plus', 'pro'])
    for (const nextPlanId of [null, 'free', 'plus'])
      for (const planPaidThrough of [null, '2026-10', '2026-11', PERIOD, '2027-01', '2027-12']) all.push({ planId, nextPlanId, planPaidThrough });
  return all;
}

describe('planAtResetSql', () => {
  it('starts every account on the plan planAtReset starts it on', async () => {
    const states = cases();
    const rows = rowsOf<{ plan: string }>(
      await database.db.execute(sql`
        select ${planAtResetSql(sql`a`, PERIOD)} as plan
        from jsonb_to_recordset(${JSON.stringify(states.map((state, ord) => ({ ord, plan_id: state.planId, next_plan_id: state.nextPlanId, plan_paid_through: state.planPaidThrough })))}::jsonb)
          as a(ord int, plan_id text, next_plan_id text, plan_paid_through text)
        order by a.ord`),
    );
    expect(rows.map((row) => row.plan)).toEqual(states.map((state) => planAtReset(state, PERIOD).planId));
    // The cases reach every branch of the rule.
    expect(new Set(states.map((state) => planAtReset(state, PERIOD).planId))).toEqual(new Set(['free', 'plus', 'pro']));
  });
});
