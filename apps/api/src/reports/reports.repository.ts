import { Inject, Injectable } from '@nestjs/common';
import { eq, sql, type SQL } from 'drizzle-orm';
import { DATABASE, rowsOf, type Database, type DatabaseHandle } from '../database/database.js';
import { cohortReports } from '../database/schema.js';
import type { MonthlyUsage } from './usage-report.js';

/** A month as the reports compute it: its key and its bounds in the quota's time zone. */
export interface MonthSpan {
  month: string;
  start: Date;
  end: Date;
  timeZone: string;
}

export interface UsageRow {
  account_id: string;
  member_id: string;
  tokens: string;
  turns: number;
  active_days: number;
  avg_tokens: number;
  p90_tokens: number;
  by_day: Record<string, number>;
  by_hour: Record<string, number>;
  by_model: Record<string, number>;
}

/**
 * The month's turns per account and member, aggregated in the database: what a usage report
 * holds. The one rule for a month's figures, whether the job keeps them (a range of accounts) or a
 * page computes one account's (member's) month under way.
 */
export function usageSelect(span: MonthSpan, only: { accountId: string; memberId: string } | { from: string; to: string }): SQL {
  // One account: a person's own turns carry no member, a pool member's their id (ledger_entries_member_idx).
  const filter =
    'accountId' in only
      ? only.accountId === only.memberId
        ? sql`and user_id = ${only.accountId}::uuid and member_id is null`
        : sql`and user_id = ${only.accountId}::uuid and member_id = ${only.memberId}::uuid`
      : sql`and user_id >= ${only.from}::uuid and user_id <= ${only.to}::uuid`;
  const local = sql`created_at at time zone ${span.timeZone}`;
  // date_part (a double) rather than extract (a numeric since PostgreSQL 14): the cheaper on every entry.
  return sql`
    with e as materialized (
      select user_id as account_id, coalesce(member_id, user_id) as member_id, consumed_delta as tokens,
             date_part('day', ${local})::int as day,
             (date_part('isodow', ${local})::int - 1) * 24 + date_part('hour', ${local})::int as slot,
             coalesce(metadata->>'model', '') as model
      from ledger_entries
      where kind = 'CONSUMPTION' and consumed_delta > 0
        and created_at >= ${span.start.toISOString()}::timestamptz and created_at < ${span.end.toISOString()}::timestamptz
        ${filter}
    ),
    totals as (
      select account_id, member_id, sum(tokens) as tokens, count(*)::int as turns,
             count(distinct day)::int as active_days, round(avg(tokens))::int as avg_tokens,
             (percentile_disc(0.9) within group (order by tokens))::int as p90_tokens
      from e group by account_id, member_id
    ),
    days as (
      select account_id, member_id, jsonb_object_agg(day, tokens) as by_day
      from (select account_id, member_id, day, sum(tokens) as tokens from e group by 1, 2, 3) d
      group by account_id, member_id
    ),
    hours as (
      select account_id, member_id, jsonb_object_agg(slot, tokens) as by_hour
      from (select account_id, member_id, slot, sum(tokens) as tokens from e group by 1, 2, 3) h
      group by account_id, member_id
    ),
    models as (
      select account_id, member_id, jsonb_object_agg(model, tokens) as by_model
      from (select account_id, member_id, model, sum(tokens) as tokens from e group by 1, 2, 3) m
      group by account_id, member_id
    )
    select t.account_id, t.member_id, t.tokens, t.turns, t.active_days, t.avg_tokens, t.p90_tokens, d.by_day, h.by_hour, m.by_model
    from totals t
    join days d using (account_id, member_id)
    join hours h using (account_id, member_id)
    join models m using (account_id, member_id)`;
}

/** The account ids split into `parts` ranges of the uuid space (ids are random: the parts are about equal). */
export function accountRanges(parts: number): { from: string; to: string }[] {
  const size = 0x1_0000_0000 / parts;
  const hex = (value: number) => Math.min(0xffff_ffff, Math.floor(value)).toString(16).padStart(8, '0');
  return Array.from({ length: parts }, (_, index) => ({
    from: `${hex(index * size)}-0000-0000-0000-000000000000`,
    to: index === parts - 1 ? 'ffffffff-ffff-ffff-ffff-ffffffffffff' : `${hex((index + 1) * size - 1)}-ffff-ffff-ffff-ffffffffffff`,
  }));
}

export function toUsage(row: UsageRow): MonthlyUsage {
  return {
    tokens: Number(row.tokens),
    turns: row.turns,
    activeDays: row.active_days,
    avgTokensPerTurn: row.avg_tokens,
    p90TokensPerTurn: row.p90_tokens,
    byDay: row.by_day,
    byHour: row.by_hour,
    byModel: row.by_model,
  };
}

/**
 * The admins' cohort figures of a month: people's own accounts with their month's tokens — from
 * its kept usage reports (`kept`: the monthly job), or added up from the ledger now (a request, for
 * a month under way or one the job has not kept: nothing is written) — with their plans (as they
 * are when it is computed), the month's threshold notifications and the purchases within 30 days
 * after each. On `db`: the job's primary, or the requests' read pool.
 */
/** Whether the monthly job kept a month (its cohort report is written last): the job asks the primary, requests the read pool. */
export async function selectMonthKept(db: Database, month: string): Promise<boolean> {
  const [row] = await db.select({ month: cohortReports.month }).from(cohortReports).where(eq(cohortReports.month, month));
  return !!row;
}

export async function selectCohortFigures(db: Database, span: MonthSpan, kept: boolean): Promise<Record<string, unknown>> {
  const start = span.start.toISOString();
  const end = span.end.toISOString();
  const tokens = kept
    ? sql`select account_id, tokens from usage_reports where month = ${span.month} and member_id = account_id`
    : sql`select user_id as account_id, sum(consumed_delta) as tokens from ledger_entries
          where kind = 'CONSUMPTION' and consumed_delta > 0 and member_id is null
            and created_at >= ${start}::timestamptz and created_at < ${end}::timestamptz
          group by user_id`;
  const [row] = rowsOf<Record<string, unknown>>(
    await db.transaction(async (tx) => {
      // Every active person joined to their account and user row: hash joins (a million index lookups each took twice as long).
      // The purchase look-ups after a warning stay index look-ups (a subplan, not a join).
      await tx.execute(sql`set local enable_nestloop = off`);
      return tx.execute(sql`
      with month_tokens as (${tokens}),
      people as (
        select r.account_id, r.tokens, u.created_at >= ${start}::timestamptz and u.created_at < ${end}::timestamptz as is_new, a.plan_id as plan
        from month_tokens r
        join users u on u.id = r.account_id
        join token_accounts a on a.user_id = r.account_id and a.organization_id is null
      ),
      ranked as (select tokens, row_number() over (order by tokens desc) as rank, count(*) over () as people from people),
      warned as (
        select n.user_id, n.kind, min(n.created_at) as first_at
        from notifications n
        where n.kind in ('USAGE_WARNING', 'USAGE_CRITICAL', 'USAGE_BLOCKED')
          and n.created_at >= ${start}::timestamptz and n.created_at < ${end}::timestamptz
        group by n.user_id, n.kind
      ),
      converted as (
        select w.kind, count(*)::int as users,
               count(*) filter (where exists (
                 select 1 from ledger_entries l where l.user_id = w.user_id and l.kind = 'PURCHASE' and l.created_at >= w.first_at
                   and l.created_at < w.first_at + interval '30 days'))::int as bought
        from warned w group by w.kind
      )
      select
        (select count(*)::int from people) as active,
        (select count(*)::int from people where is_new) as new_users,
        (select coalesce(sum(tokens), 0)::bigint from people) as tokens,
        (select coalesce(jsonb_agg(p order by p.plan), '[]'::jsonb) from (
           select plan, count(*)::int as users, sum(tokens)::bigint as tokens,
                  (percentile_disc(0.5) within group (order by tokens))::bigint as p50,
                  (percentile_disc(0.9) within group (order by tokens))::bigint as p90,
                  (percentile_disc(0.99) within group (order by tokens))::bigint as p99
           from people group by plan) p) as plans,
        (select coalesce(jsonb_object_agg(kind, jsonb_build_object('users', users, 'bought', bought)), '{}'::jsonb) from converted) as warnings,
        (select coalesce(sum(tokens) filter (where rank <= ceil(people * 0.01)), 0)::bigint from ranked) as top1_tokens,
        (select coalesce(sum(tokens) filter (where rank <= ceil(people * 0.1)), 0)::bigint from ranked) as top10_tokens`);
    }),
  );
  return row ?? {};
}

/**
 * The monthly job's statements: it writes the month's usage and cohort reports, so it works on
 * the primary (`DATABASE`) only. What a request reads is in ReportReadsRepository.
 */
@Injectable()
export class ReportsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  /** Whether the monthly job kept a month (its cohort report is written last). */
  monthKept(month: string): Promise<boolean> {
    return selectMonthKept(this.db, month);
  }

  /**
   * The monthly job's step for one range of accounts: their month, from the ledger into
   * usage_reports, in one transaction that replaces what an earlier run wrote for them (a run
   * stopped half-way is simply run again). The work is the database's: nothing of the month passes
   * through this process. Returns the rows kept.
   */
  async keepMonthPart(span: MonthSpan, range: { from: string; to: string }): Promise<number> {
    return this.db.transaction(async (tx) => {
      // Runs of the same month and range wait for each other (a manual run during the scheduled one).
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`usage_reports:${span.month}:${range.from}`}))`);
      await tx.execute(sql`set local work_mem = '64MB'`);
      await tx.execute(sql`delete from usage_reports where month = ${span.month} and account_id >= ${range.from}::uuid and account_id <= ${range.to}::uuid`);
      const result = await tx.execute(sql`
        insert into usage_reports (account_id, member_id, month, tokens, turns, active_days, avg_tokens_per_turn, p90_tokens_per_turn, by_day, by_hour, by_model)
        select account_id, member_id, ${span.month}, tokens, turns, active_days, avg_tokens, p90_tokens, by_day, by_hour, by_model
        from (${usageSelect(span, range)}) computed`);
      return Number((result as { rowCount?: number | null }).rowCount ?? (result as { affectedRows?: number }).affectedRows ?? 0);
    });
  }

  /** The cohort figures of a month the job kept, from its usage reports. */
  cohortFigures(span: MonthSpan): Promise<Record<string, unknown>> {
    return selectCohortFigures(this.db, span, true);
  }

  /** Fresh statistics of usage_reports after the job wrote a month (the cohort report's plan depends on them). */
  async analyzeReports(): Promise<void> {
    await this.db.execute(sql`analyze usage_reports`);
  }

  async keepCohort(month: string, data: Record<string, unknown>): Promise<void> {
    await this.db
      .insert(cohortReports)
      .values({ month, data })
      .onConflictDoUpdate({ target: cohortReports.month, set: { data, computedAt: sql`now()` } });
  }
}
