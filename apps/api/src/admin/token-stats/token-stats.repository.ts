import { Inject, Injectable } from '@nestjs/common';
import { containsPattern } from '../../common/text.js';
import { sql, type SQL } from 'drizzle-orm';
import { DATABASE, READ_DATABASE, rowsOf, type DatabaseHandle } from '../../database/database.js';
import { planAtResetSql } from '../../database/plan-at-reset.js';
import { usageLevelSql, usageTwentiethSql, type LevelThresholds } from '../../database/usage-level.js';
import { plans } from '../../database/schema.js';
import { FREE_PLAN_ID } from '../../config/plans-config.js';
import { bandOfTwentieth, DISTRIBUTION_BANDS, type DistributionBand } from './distribution.js';

export interface AccountUsageRow {
  userId: string;
  email: string;
  usedTokens: number;
  capacityTokens: number;
  purchasedTokens: number;
  lastActiveAt: Date | null;
}

/** Users, active users and tokens used on one plan in the period. */
export interface PlanUsage {
  planId: string;
  users: number;
  activeUsers: number;
  usedTokens: number;
}

export interface OrganizationUsageRow {
  organizationId: string;
  name: string;
  planId: string;
  usedTokens: number;
  capacityTokens: number;
  members: number;
}

export interface Aggregates {
  /** Per plan, most users first. */
  byPlan: PlanUsage[];
  totalUsers: number;
  activeUsers: number;
  totalUsedTokens: number;
  under50: number;
  under80: number;
  under90: number;
  under95: number;
  over95: number;
}

/** Plans' figures, most users first, and their sums. */
function planTotals(plans: PlanUsage[]): { users: number; activeUsers: number; usedTokens: number; byPlan: PlanUsage[] } {
  const byPlan = [...plans].sort((a, b) => b.users - a.users || a.planId.localeCompare(b.planId));
  const sum = (field: 'users' | 'activeUsers' | 'usedTokens') => byPlan.reduce((total, plan) => total + plan[field], 0);
  return { users: sum('users'), activeUsers: sum('activeUsers'), usedTokens: sum('usedTokens'), byPlan };
}

const RAW_ROW = (row: Record<string, unknown>): AccountUsageRow => ({
  userId: String(row.userId),
  email: String(row.email),
  usedTokens: Number(row.usedTokens),
  capacityTokens: Number(row.capacityTokens),
  purchasedTokens: Number(row.purchasedTokens),
  lastActiveAt: row.lastActiveAt ? new Date(row.lastActiveAt as string) : null,
});

/**
 * Aggregate SQL over token accounts: nothing here loads all users into Node. The current
 * period is read from the accounts themselves (an account nobody touched since the month
 * began counts as unused, with this month's allowance); a past period from the ledger.
 * The statistics read the read pool (a replica with DATABASE_READ_URL: figures a few seconds
 * behind); the two counts of the ledger's verification read the primary, as the verification does.
 */
@Injectable()
export class TokenStatsRepository {
  constructor(
    @Inject(READ_DATABASE) private readonly reads: DatabaseHandle,
    @Inject(DATABASE) private readonly primary: DatabaseHandle,
  ) {}

  private get db() {
    return this.reads.db;
  }

  /** Per-account usage of a period, as a subquery (user_id, plan_id, used, capacity, purchased, last_active_at). */
  private async usageOf(period: string, current: boolean, accounts: 'people' | 'organizations' = 'people'): Promise<SQL> {
    const pools = accounts === 'organizations';
    if (current) {
      // An account nobody touched since the month began, as the reset will leave it
      // (LedgerWriter.resetIntoPeriod): the allowance of the plan it starts the period on. The
      // allowances are written into the statement (a CASE, evaluated only for such accounts), not
      // joined or looked up per row: the scan stays parallel and cheap.
      const allowances = await this.db.select({ id: plans.id, monthlyTokens: plans.monthlyTokens }).from(plans);
      // The plan an untouched account starts the period on: the reset's own rule (a paid plan not paid for it ends).
      const startsOn = planAtResetSql(sql`t`, period);
      const plan = this.planInPeriod(period);
      const allowance = sql`case ${startsOn} ${sql.join(
        allowances.map((plan) => sql`when ${plan.id} then ${plan.monthlyTokens}::bigint`),
        sql` `,
      )} end`;
      return sql`select t.user_id,
          ${plan} as plan_id,
          case when t.period_key = ${period} then t.period_consumed_tokens else 0 end as used,
          case when t.period_key = ${period} then t.period_capacity_tokens else ${allowance} + t.purchased_tokens end as capacity,
          t.purchased_tokens as purchased, t.last_active_at
        from token_accounts t where t.organization_id is ${pools ? sql`not null` : sql`null`}`;
    }
    // Balances are running sums: at the end of a past period they are the sums of every delta up to it.
    // The plan of a past period: its last upgrade's, else the one its grant was made for (free before plans were recorded).
    return sql`select user_id,
          coalesce((array_agg(metadata->>'toPlanId' order by id desc) filter (where kind = 'PLAN_CHANGE' and period_key = ${period}))[1],
                   (array_agg(metadata->>'planId') filter (where kind = 'MONTHLY_GRANT' and period_key = ${period}))[1],
                   ${FREE_PLAN_ID}) as plan_id,
          sum(consumed_delta) as used, sum(capacity_delta) as capacity, sum(purchased_delta) as purchased,
          max(created_at) filter (where kind = 'CONSUMPTION') as last_active_at
        from ledger_entries where period_key <= ${period} and user_id ${pools ? sql`in` : sql`not in`} (select id from organizations)
        group by user_id having max(period_key) = ${period}`;
  }

  async aggregates(period: string, current: boolean): Promise<Aggregates> {
    // One scan grouped by plan and usage in twentieths (a few dozen groups, aggregated in
    // parallel), folded into the bands and totals here. In the current period the
    // accounts are read as they are, without the per-row expressions of `usageOf`: an account not
    // touched since the period began has used nothing (the first band), whatever its capacity.
    const query = current
      ? sql`select ${this.planInPeriod(period)} as "planId",
            case when t.period_key = ${period} then ${usageTwentiethSql(sql`t.period_consumed_tokens`, sql`t.period_capacity_tokens`)} else 0 end as twentieth,
            count(*) as users,
            count(*) filter (where t.period_key = ${period} and t.period_consumed_tokens > 0) as active,
            coalesce(sum(t.period_consumed_tokens) filter (where t.period_key = ${period}), 0) as used
          from token_accounts t where t.organization_id is null
          group by 1, 2`
      : // The ledger's sums are numeric: whole numbers, divided as bigints (a numeric division would give fractions, one group per account).
        sql`with a as (${await this.usageOf(period, false)})
          select plan_id as "planId", ${usageTwentiethSql(sql`used::bigint`, sql`capacity::bigint`)} as twentieth,
            count(*) as users, count(*) filter (where used > 0) as active, coalesce(sum(used), 0) as used
          from a group by 1, 2`;
    // Hashed, never sorted: the planner cannot estimate how few groups the expressions make, and
    // for a million rows it would sort them all (on disk) to group them — two to three times slower.
    // (A past period's sums come from the ledger per account, which needs its sort: left as planned.)
    const result = current
      ? await this.db.transaction(async (tx) => {
          await tx.execute(sql`set local enable_sort = off`);
          return tx.execute(query);
        })
      : await this.db.execute(query);
    const rows = rowsOf<{ planId: string; twentieth: string | number; users: string | number; active: string | number; used: string | number }>(result);
    const distribution = Object.fromEntries(DISTRIBUTION_BANDS.map((band) => [band, 0])) as Record<DistributionBand, number>;
    const plans = new Map<string, PlanUsage>();
    for (const row of rows) {
      distribution[bandOfTwentieth(Number(row.twentieth))] += Number(row.users);
      const plan = plans.get(row.planId) ?? { planId: row.planId, users: 0, activeUsers: 0, usedTokens: 0 };
      plan.users += Number(row.users);
      plan.activeUsers += Number(row.active);
      plan.usedTokens += Number(row.used);
      plans.set(row.planId, plan);
    }
    const { users, activeUsers, usedTokens, byPlan } = planTotals([...plans.values()]);
    return { totalUsers: users, activeUsers, totalUsedTokens: usedTokens, ...distribution, byPlan };
  }

  /** The plan of the account `t` in the current period: its own once touched in it, else the one the reset starts it on. */
  private planInPeriod(period: string): SQL {
    return sql`case when t.period_key = ${period} then t.plan_id else ${planAtResetSql(sql`t`, period)} end`;
  }

  /** Organizations' pools in the period: how many, how many used tokens, the tokens used, per plan. */
  async organizationAggregates(period: string, current: boolean): Promise<{ total: number; active: number; usedTokens: number; byPlan: PlanUsage[] }> {
    const rows = rowsOf<{ planId: string; total: string | number; active: string | number; used: string | number | null }>(
      await this.db.execute(sql`
        with a as (${await this.usageOf(period, current, 'organizations')})
        select plan_id as "planId", count(*) as total, count(*) filter (where used > 0) as active, coalesce(sum(used), 0) as used
        from a group by plan_id`),
    );
    const { users, activeUsers, usedTokens, byPlan } = planTotals(
      rows.map((row) => ({ planId: String(row.planId), users: Number(row.total), activeUsers: Number(row.active), usedTokens: Number(row.used ?? 0) })),
    );
    return { total: users, active: activeUsers, usedTokens, byPlan };
  }

  /** The organizations whose pools used the most tokens in the period, with their plan and number of members. */
  async topOrganizations(period: string, current: boolean, limit: number): Promise<OrganizationUsageRow[]> {
    return rowsOf<Record<string, string | number | null>>(
      await this.db.execute(sql`
        with a as (${await this.usageOf(period, current, 'organizations')}),
        top as (select * from a where used > 0 order by used desc, user_id limit ${limit})
        select top.user_id as "organizationId", o.name, top.plan_id as "planId", top.used as "usedTokens", top.capacity as "capacityTokens",
               (select count(*) from organization_members m where m.organization_id = top.user_id) as members
        from top join organizations o on o.id = top.user_id
        order by top.used desc, top.user_id`),
    ).map((row) => ({
      organizationId: String(row.organizationId),
      name: String(row.name),
      planId: String(row.planId),
      usedTokens: Number(row.usedTokens),
      capacityTokens: Number(row.capacityTokens),
      members: Number(row.members),
    }));
  }

  async purchasedInPeriod(period: string): Promise<number> {
    const [row] = rowsOf<{ total: string }>(
      // People's purchases: an organization's bulk purchases go to its pool, counted with the organizations.
      await this.db.execute(sql`select coalesce(sum(e.amount_tokens), 0) as total from ledger_entries e
        where e.kind = 'PURCHASE' and e.period_key = ${period} and not exists (select 1 from organizations o where o.id = e.user_id)`),
    );
    return Number(row?.total ?? 0);
  }

  async topUsers(period: string, current: boolean, limit: number): Promise<AccountUsageRow[]> {
    // In the current period only accounts touched in it have used anything: read as they are.
    const top = current
      ? sql`select t.user_id, t.period_consumed_tokens as used, t.period_capacity_tokens as capacity, t.purchased_tokens as purchased, t.last_active_at
          from token_accounts t
          where t.organization_id is null and t.period_key = ${period} and t.period_consumed_tokens > 0
          order by t.period_consumed_tokens desc, t.user_id limit ${limit}`
      : sql`select * from (${await this.usageOf(period, false)}) a where used > 0 order by used desc, user_id limit ${limit}`;
    return rowsOf<Record<string, unknown>>(
      await this.db.execute(sql`
        with top as (${top})
        select top.user_id as "userId", u.email, top.used as "usedTokens", top.capacity as "capacityTokens",
               top.purchased as "purchasedTokens", top.last_active_at as "lastActiveAt"
        from top join users u on u.id = top.user_id
        order by top.used desc, top.user_id`),
    ).map(RAW_ROW);
  }

  /** Finds users by part of their email and level, sorted and paged. */
  async searchUsers(
    filter: { query?: string; level?: string; sort: string; offset: number; limit: number },
    period: string,
    thresholds: LevelThresholds,
  ): Promise<{ rows: AccountUsageRow[]; total: number }> {
    const conditions: SQL[] = [sql`true`];
    if (filter.query) conditions.push(sql`u.email ilike ${containsPattern(filter.query)}`);
    if (filter.level) conditions.push(sql`${usageLevelSql(sql`a.used`, sql`a.capacity`, thresholds)} = ${filter.level}`);
    const where = sql.join(conditions, sql` and `);
    const order: Record<string, SQL> = {
      usage: sql`a.used desc, u.id`,
      email: sql`u.email asc`,
      lastActive: sql`a.last_active_at desc nulls last, u.id`,
      created: sql`u.created_at desc, u.id`,
    };
    const usage = await this.usageOf(period, true);
    const rows = rowsOf<Record<string, unknown>>(
      await this.db.execute(sql`
        with a as (${usage})
        select u.id as "userId", u.email, a.used as "usedTokens", a.capacity as "capacityTokens", a.purchased as "purchasedTokens",
               a.last_active_at as "lastActiveAt", count(*) over () as total
        from a join users u on u.id = a.user_id
        where ${where}
        order by ${order[filter.sort]!}
        limit ${filter.limit} offset ${filter.offset}`),
    );
    let total = rows.length > 0 ? Number(rows[0]!.total) : 0;
    if (rows.length === 0 && filter.offset > 0) {
      const [count] = rowsOf<{ total: string }>(
        await this.db.execute(sql`with a as (${usage}) select count(*) as total from a join users u on u.id = a.user_id where ${where}`),
      );
      total = Number(count?.total ?? 0);
    }
    return { rows: rows.map(RAW_ROW), total };
  }

  /** Every account's usage in pages of `batch`, by user id: for the streamed CSV export. */
  async *allUsers(period: string, batch = 5_000): AsyncGenerator<AccountUsageRow[]> {
    let after = '00000000-0000-0000-0000-000000000000';
    // The plans' allowances read once for the whole export, not once per batch.
    const usage = await this.usageOf(period, true);
    for (;;) {
      const rows = rowsOf<Record<string, unknown>>(
        await this.db.execute(sql`
          with a as (${usage})
          select u.id as "userId", u.email, a.used as "usedTokens", a.capacity as "capacityTokens", a.purchased as "purchasedTokens", a.last_active_at as "lastActiveAt"
          from a join users u on u.id = a.user_id
          where u.id > ${after}::uuid order by u.id limit ${batch}`),
      ).map(RAW_ROW);
      if (rows.length === 0) return;
      yield rows;
      after = rows[rows.length - 1]!.userId;
    }
  }

  async counts(userId: string): Promise<{ conversations: number; notificationsSent: number; lastActiveAt: string | null }> {
    const [row] = rowsOf<{ conversations: string; notifications: string; lastActiveAt: string | null }>(
      await this.db.execute(sql`
        select (select count(*) from conversations where user_id = ${userId}) as conversations,
               (select count(*) from notifications where user_id = ${userId}) as notifications,
               (select last_active_at from token_accounts where user_id = ${userId}) as "lastActiveAt"`),
    );
    return {
      conversations: Number(row?.conversations ?? 0),
      notificationsSent: Number(row?.notifications ?? 0),
      lastActiveAt: row?.lastActiveAt ? new Date(row.lastActiveAt).toISOString() : null,
    };
  }

  async expiredOpenHolds(now: Date): Promise<number> {
    const [row] = rowsOf<{ count: string }>(
      await this.primary.db.execute(sql`select count(*) as count from token_holds where status = 'OPEN' and expires_at < ${now.toISOString()}::timestamptz`),
    );
    return Number(row?.count ?? 0);
  }

  async accountCount(): Promise<number> {
    const [row] = rowsOf<{ count: string }>(await this.primary.db.execute(sql`select count(*) as count from token_accounts`));
    return Number(row?.count ?? 0);
  }
}
