import { sql } from 'drizzle-orm';
import { bigint, boolean, check, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';

/**
 * What an account is subscribed to: its monthly allowance (granted at each reset), the models it
 * may use, its per-turn completion limit, how many turns a minute and at once, and its monthly
 * price in KRW (VAT included). Seeded from config (PLANS); a row an admin changed is theirs from
 * then on (`managed_by = 'admin'`) and config no longer overwrites it.
 */
export const plans = pgTable(
  'plans',
  {
    id: text('id').primaryKey(),
    nameKo: text('name_ko').notNull(),
    nameEn: text('name_en').notNull(),
    monthlyTokens: bigint('monthly_tokens', { mode: 'number' }).notNull(),
    /** The model ids the plan may use; null: every model the service offers. */
    models: jsonb('models').$type<string[] | null>(),
    completionLimit: integer('completion_limit').notNull(),
    turnsPerMinute: integer('turns_per_minute').notNull(),
    concurrentTurns: integer('concurrent_turns').notNull(),
    priceKrw: integer('price_krw').notNull(),
    forSale: boolean('for_sale').notNull().default(false),
    /** Set when retired: not offered any more; its subscribers keep it until they move. */
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    managedBy: text('managed_by', { enum: ['config', 'admin'] }).notNull().default('config'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    check(
      'plans_figures_valid',
      sql`${table.monthlyTokens} >= 0 and ${table.completionLimit} > 0 and ${table.turnsPerMinute} > 0 and ${table.concurrentTurns} > 0 and ${table.priceKrw} >= 0`,
    ),
    check('plans_managed_by_check', sql`${table.managedBy} in ('config', 'admin')`),
  ],
);
