import { bigint, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * A month's usage pattern of one account's turns (the monthly report job, once per cluster): for
 * a person's own account `member_id` = `account_id`; for an organization's pool, one row per
 * member. Past months are read from here; the current month is computed on demand.
 */
export const usageReports = pgTable(
  'usage_reports',
  {
    accountId: uuid('account_id').notNull(),
    memberId: uuid('member_id').notNull(),
    /** YYYY-MM in the quota's time zone. */
    month: text('month').notNull(),
    tokens: bigint('tokens', { mode: 'number' }).notNull(),
    turns: integer('turns').notNull(),
    activeDays: integer('active_days').notNull(),
    avgTokensPerTurn: integer('avg_tokens_per_turn').notNull(),
    p90TokensPerTurn: integer('p90_tokens_per_turn').notNull(),
    /** Tokens by day of the month: {"1": 1200, …} (days without use are absent). */
    byDay: jsonb('by_day').$type<Record<string, number>>().notNull(),
    /** Tokens by weekday and hour, (ISO weekday − 1) × 24 + hour: {"0": …, "167": …}. */
    byHour: jsonb('by_hour').$type<Record<string, number>>().notNull(),
    /** Tokens by model id. */
    byModel: jsonb('by_model').$type<Record<string, number>>().notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.month, table.accountId, table.memberId] })],
);

/** The admins' cohort report of a month (computed with the month's usage reports). */
export const cohortReports = pgTable('cohort_reports', {
  month: text('month').primaryKey(),
  data: jsonb('data').$type<Record<string, unknown>>().notNull(),
  computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
});
