import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { organizations } from './schema-organizations.js';
import { users } from './schema.js';

/**
 * API keys for other clients (`/v1`, OpenAI's wire format). A key is shown once; only the SHA-256
 * of the whole key is kept, found by its public prefix. A personal key spends its creator's tokens,
 * an organization's key the organization's pool.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Who made it; a personal key's tokens are theirs. */
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The organization whose pool it spends (made by one of its owners or admins); null for a personal key. */
    organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** `co_live_` and the key's next 12 characters: listed, and how the key is found (the rest is secret). */
    prefix: text('prefix').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: createdAt(),
    /** Updated at most once a minute per key. */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** Tokens a month the key may spend (one more level reserved with the account's); null: no budget of its own. */
    monthlyBudgetTokens: bigint('monthly_budget_tokens', { mode: 'number' }),
    /** The models it may use, within its account's plan; null: all the plan's. */
    models: text('models').array(),
    /** Turns a minute, counted on every instance's shared counters; null: the plan's alone. */
    turnsPerMinute: integer('turns_per_minute'),
    /** Its turns in flight at once; null: the plan's alone. */
    concurrentTurns: integer('concurrent_turns'),
    /** Whether its turns are kept as conversations of its creator (otherwise only the ledger entry). */
    keepConversations: boolean('keep_conversations').notNull().default(false),
    /**
     * The key's use of its account, written only by the account's ledger statement (like a member's):
     * the period `consumedTokens` counts, tokens held by its turns in flight and how many they are.
     */
    periodKey: text('period_key'),
    heldTokens: bigint('held_tokens', { mode: 'number' }).notNull().default(0),
    consumedTokens: bigint('consumed_tokens', { mode: 'number' }).notNull().default(0),
    openHolds: integer('open_holds').notNull().default(0),
  },
  (table) => [
    uniqueIndex('api_keys_prefix_key').on(table.prefix),
    index('api_keys_user_idx').on(table.userId),
    index('api_keys_organization_idx').on(table.organizationId),
    check('api_keys_budget_non_negative', sql`${table.monthlyBudgetTokens} is null or ${table.monthlyBudgetTokens} >= 0`),
    check('api_keys_usage_non_negative', sql`${table.heldTokens} >= 0 and ${table.openHolds} >= 0`),
  ],
);
