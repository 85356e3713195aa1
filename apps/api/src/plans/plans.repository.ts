import { Inject, Injectable } from '@nestjs/common';
import { asc, eq, sql } from 'drizzle-orm';
import { DATABASE, rowsOf, type DatabaseHandle, type Executor } from '../database/database.js';
import { plans } from '../database/schema.js';
import type { PlanConfig } from '../config/plans-config.js';

export type PlanRow = typeof plans.$inferSelect;
export type PlanFigures = Omit<PlanConfig, 'id'>;

/** Every column of a whole plan. */
function rowOf(plan: PlanFigures) {
  return {
    nameKo: plan.name.ko,
    nameEn: plan.name.en,
    monthlyTokens: plan.monthlyTokens,
    models: plan.models,
    completionLimit: plan.completionLimit,
    turnsPerMinute: plan.turnsPerMinute,
    concurrentTurns: plan.concurrentTurns,
    priceKrw: plan.priceKrw,
    forSale: plan.forSale,
  };
}

/** The columns of the figures given. */
function columnsOf(plan: Partial<PlanFigures>) {
  return {
    ...(plan.name ? { nameKo: plan.name.ko, nameEn: plan.name.en } : {}),
    ...(plan.monthlyTokens !== undefined ? { monthlyTokens: plan.monthlyTokens } : {}),
    ...(plan.models !== undefined ? { models: plan.models } : {}),
    ...(plan.completionLimit !== undefined ? { completionLimit: plan.completionLimit } : {}),
    ...(plan.turnsPerMinute !== undefined ? { turnsPerMinute: plan.turnsPerMinute } : {}),
    ...(plan.concurrentTurns !== undefined ? { concurrentTurns: plan.concurrentTurns } : {}),
    ...(plan.priceKrw !== undefined ? { priceKrw: plan.priceKrw } : {}),
    ...(plan.forSale !== undefined ? { forSale: plan.forSale } : {}),
  };
}

/** The plans table. */
@Injectable()
export class PlansRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  all(executor: Executor = this.db): Promise<PlanRow[]> {
    return executor.select().from(plans).orderBy(asc(plans.priceKrw), asc(plans.id));
  }

  async find(executor: Executor, id: string): Promise<PlanRow | null> {
    const [row] = await executor.select().from(plans).where(eq(plans.id, id));
    return row ?? null;
  }

  /**
   * Writes config's plans: new ones are inserted, and rows config still manages take config's
   * figures; a row an admin changed is left as the admin left it. Safe to run on every start, by
   * every instance at once.
   */
  async seed(configured: PlanConfig[], now: Date): Promise<void> {
    for (const plan of configured) {
      await this.db
        .insert(plans)
        .values({ id: plan.id, ...rowOf(plan), createdAt: now, updatedAt: now })
        .onConflictDoUpdate({ target: plans.id, set: { ...rowOf(plan), updatedAt: now }, setWhere: sql`${plans.managedBy} = 'config'` });
    }
  }

  async insert(executor: Executor, id: string, plan: PlanFigures, now: Date): Promise<PlanRow | null> {
    const [row] = await executor
      .insert(plans)
      .values({ id, ...rowOf(plan), managedBy: 'admin', createdAt: now, updatedAt: now })
      .onConflictDoNothing()
      .returning();
    return row ?? null;
  }

  async update(executor: Executor, id: string, changes: Partial<PlanFigures> & { retiredAt?: Date | null }, now: Date): Promise<PlanRow | null> {
    const [row] = await executor
      .update(plans)
      .set({ ...columnsOf(changes), ...(changes.retiredAt !== undefined ? { retiredAt: changes.retiredAt } : {}), managedBy: 'admin', updatedAt: now })
      .where(eq(plans.id, id))
      .returning();
    return row ?? null;
  }

  /** Accounts per plan (and those moving to each at the next reset). */
  async subscribers(executor: Executor = this.db): Promise<{ planId: string; accounts: number; joining: number }[]> {
    const rows = rowsOf<{ plan_id: string; accounts: string | number; joining: string | number }>(
      await executor.execute(sql`
        select p.id as plan_id,
               (select count(*) from token_accounts a where a.plan_id = p.id) as accounts,
               (select count(*) from token_accounts a where a.next_plan_id = p.id) as joining
        from plans p order by p.id`),
    );
    return rows.map((row) => ({ planId: row.plan_id, accounts: Number(row.accounts), joining: Number(row.joining) }));
  }

  /** Turns the user started since `since` (their holds: on their account, or as a member in the organization's pool), for the plan's turns-per-minute. */
  async turnsStartedSince(userId: string, since: Date, organizationId: string | null = null): Promise<number> {
    const holds = organizationId
      ? sql`member_id = ${userId} and user_id = ${organizationId}`
      : sql`user_id = ${userId}`;
    const rows = rowsOf<{ count: string | number }>(
      await this.db.execute(sql`select count(*) as count from token_holds where ${holds} and created_at > ${since.toISOString()}::timestamptz`),
    );
    return Number(rows[0]?.count ?? 0);
  }
}
