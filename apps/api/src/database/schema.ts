import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

import { bytea, createdAt, tokens } from './columns.js';

/* Notifications, their outbox and throttle, webhook deliveries and job runs: schema-notifications.ts. */
export * from './schema-notifications.js';
/* Orders, their refunds, provider events and saved payment methods: schema-payments.ts. */
export * from './schema-payments.js';
/* Organizations, their members and invitations: schema-organizations.ts. */
export * from './schema-organizations.js';
/* API keys: schema-api-keys.ts. */
export * from './schema-api-keys.js';
/* Monthly usage reports: schema-reports.ts. */
export * from './schema-reports.js';
/* Subscription plans: schema-plans.ts. */
export * from './schema-plans.js';
import { plans } from './schema-plans.js';
import { organizations } from './schema-organizations.js';

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    /** One account per mailbox (see auth/email-address.ts); null only for rows made before it existed, until the start fills it in. */
    emailCanonical: text('email_canonical'),
    passwordHash: text('password_hash').notNull(),
    /** In every session token; bumping it ends the account's sessions (its owner changed: admin promotion). */
    sessionVersion: integer('session_version').notNull().default(0),
    role: text('role', { enum: ['USER', 'ADMIN'] }).notNull().default('USER'),
    locale: text('locale', { enum: ['ko', 'en'] }).notNull().default('ko'),
    /** When the owner proved the address (a link mailed to it); null: not yet (limited to a small allowance while mail is configured). */
    emailVerifiedAt: timestamp('email_verified_at', { withTimezone: true }),
    /** Set by an admin: the account's sessions and API keys are refused until it is cleared. */
    suspendedAt: timestamp('suspended_at', { withTimezone: true }),
    /**
     * The owner deleted the account: its personal data is gone (address, password, conversations)
     * and the row stays, anonymized, because the ledger and payments it owns are kept.
     */
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('users_email_key').on(table.email), uniqueIndex('users_email_canonical_key').on(table.emailCanonical), check('users_role_check', sql`${table.role} in ('USER', 'ADMIN')`)],
);

/**
 * One row per user: the balances of the ledger, kept beside it for fast reads. Every column
 * here equals the sum of the matching delta column of `ledger_entries`; only the ledger
 * service writes it, always in the same transaction as the entries.
 */
export const tokenAccounts = pgTable(
  'token_accounts',
  {
    /**
     * The account's id: its user's id, or for an organization's pool its organization's id
     * (`organization_id` then says so). No foreign key: it names a row of either table.
     */
    userId: uuid('user_id').primaryKey(),
    /** Set on an organization's pool (equal to `user_id`); null on a person's account. */
    organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    periodKey: text('period_key').notNull(),
    freeTokens: tokens('free_tokens'),
    purchasedTokens: tokens('purchased_tokens'),
    debtTokens: tokens('debt_tokens'),
    heldTokens: tokens('held_tokens'),
    periodCapacityTokens: tokens('period_capacity_tokens'),
    periodConsumedTokens: tokens('period_consumed_tokens'),
    /** The plan whose allowance, models and limits apply now. */
    planId: text('plan_id')
      .notNull()
      .default('free')
      .references(() => plans.id),
    /** A plan chosen to start at the next reset (a downgrade, or the end of a paid plan); null: the same plan goes on. */
    nextPlanId: text('next_plan_id').references(() => plans.id),
    /**
     * The last period (its key) a paid plan's payment covers; at a reset into a later period the
     * account drops to the free plan. Null: the plan does not depend on payments (free, or put on
     * by an admin under a contract).
     */
    planPaidThrough: text('plan_paid_through'),
    /** Holds in status OPEN (turns in flight), kept with the balances so that a plan's cap on them holds under any concurrency. */
    openHolds: integer('open_holds').notNull().default(0),
    /** Bumped by every change: the compare-and-swap of a change written without the row lock. */
    version: bigint('version', { mode: 'number' }).notNull().default(0),
    lastActiveAt: timestamp('last_active_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    check(
      'token_accounts_non_negative',
      sql`${table.freeTokens} >= 0 and ${table.purchasedTokens} >= 0 and ${table.debtTokens} >= 0 and ${table.heldTokens} >= 0 and ${table.periodCapacityTokens} >= 0 and ${table.periodConsumedTokens} >= 0 and ${table.openHolds} >= 0`,
    ),
    check('token_accounts_organization_check', sql`${table.organizationId} is null or ${table.organizationId} = ${table.userId}`),
    // The pools alone (the statistics' organizations), without scanning every person's account (a person's row is never in it).
    index('token_accounts_pools_idx').on(table.userId).where(sql`${table.organizationId} is not null`),
    // The statistics' top users of a period, in order, without reading every account. The price: a
    // turn's settlement changes the consumption, so it is no longer a HOT update — for every row,
    // pools included (a partial index's columns count whatever the predicate) — measured in
    // BENCHMARKS.md (bench:chat, PostgreSQL CPU per turn, with and without it).
    index('token_accounts_top_usage_idx')
      .on(table.periodKey, sql`${table.periodConsumedTokens} desc`, table.userId)
      .where(sql`${table.organizationId} is null`),
  ],
);

export const LEDGER_ENTRY_KINDS = [
  'MONTHLY_GRANT',
  'FREE_EXPIRY',
  'PURCHASE',
  'CONSUMPTION',
  'HOLD',
  'HOLD_VOID',
  'HOLD_EXPIRY',
  'REFUND',
  'REFUND_REVERSAL',
  'PLAN_CHANGE',
  'ADJUSTMENT',
  'TEST_USAGE',
] as const;
export type LedgerEntryKind = (typeof LEDGER_ENTRY_KINDS)[number];

/** Append-only: rows are inserted, never updated or deleted. */
export const ledgerEntries = pgTable(
  'ledger_entries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The account (see `token_accounts.user_id`: a user's, or an organization's pool). */
    userId: uuid('user_id').notNull(),
    /** On a pool's entries for a member's turn: the member, whose monthly limit the entry counts against. */
    memberId: uuid('member_id'),
    /** On the entries of a turn made with an API key: the key (its budget counts them). */
    apiKeyId: uuid('api_key_id'),
    kind: text('kind', { enum: LEDGER_ENTRY_KINDS }).notNull(),
    periodKey: text('period_key').notNull(),
    amountTokens: bigint('amount_tokens', { mode: 'number' }).notNull(),
    freeDelta: tokens('free_delta'),
    purchasedDelta: tokens('purchased_delta'),
    debtDelta: tokens('debt_delta'),
    heldDelta: tokens('held_delta'),
    capacityDelta: tokens('capacity_delta'),
    consumedDelta: tokens('consumed_delta'),
    holdId: uuid('hold_id'),
    paymentId: uuid('payment_id'),
    actorId: uuid('actor_id'),
    reason: text('reason'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (table) => [
    index('ledger_entries_user_id_idx').on(table.userId, table.id),
    // A period is granted once per account, however many requests race into it.
    uniqueIndex('ledger_entries_one_grant_per_period').on(table.userId, table.periodKey).where(sql`${table.kind} = 'MONTHLY_GRANT'`),
    // A payment is credited once, whether it arrives from the purchase call or the webhook.
    uniqueIndex('ledger_entries_one_purchase_per_payment').on(table.paymentId).where(sql`${table.kind} = 'PURCHASE'`),
    // A refund (or its reversal) takes tokens back once, however often it is retried.
    uniqueIndex('ledger_entries_one_entry_per_refund')
      .on(table.kind, sql`(${table.metadata}->>'refundId')`)
      .where(sql`${table.kind} in ('REFUND', 'REFUND_REVERSAL') and ${table.metadata} ? 'refundId'`),
    // A period's upgrades, for the allowance the next one tops up to (with the period's grant, found by the index above).
    index('ledger_entries_plan_changes_idx').on(table.userId, table.periodKey).where(sql`${table.kind} = 'PLAN_CHANGE'`),
    // Tokens bought in a period, for the admin statistics.
    index('ledger_entries_purchases_by_period_idx').on(table.periodKey).where(sql`${table.kind} = 'PURCHASE'`),
    // A pool's entries per member: the member's usage, and the books of their limit.
    index('ledger_entries_member_idx').on(table.userId, table.memberId, table.periodKey).where(sql`${table.memberId} is not null`),
    // A member's own history in a pool, newest first, a page at a time.
    index('ledger_entries_member_history_idx').on(table.userId, table.memberId, table.id).where(sql`${table.memberId} is not null`),
    // A key's entries by day: its usage chart, and the books of its budget.
    index('ledger_entries_api_key_idx').on(table.apiKeyId, table.createdAt).where(sql`${table.apiKeyId} is not null`),
    // A month's entries (the monthly reports): the table is appended to in time order, so a block range index is small and cheap to keep.
    index('ledger_entries_created_brin').using('brin', table.createdAt),
    check('ledger_entries_amount_non_negative', sql`${table.amountTokens} >= 0`),
  ],
);

export const HOLD_STATUSES = ['OPEN', 'SETTLED', 'VOIDED', 'EXPIRED'] as const;
export type HoldStatus = (typeof HOLD_STATUSES)[number];

/** A reservation of tokens for work in flight (a chat turn): reserve → settle / void / expire. */
export const tokenHolds = pgTable(
  'token_holds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** The account holding the tokens (a user's, or an organization's pool). */
    userId: uuid('user_id').notNull(),
    /** On a pool's hold: the member whose turn it is (their limit holds the same tokens). */
    memberId: uuid('member_id'),
    /** The API key whose turn it is (its budget holds the same tokens). */
    apiKeyId: uuid('api_key_id'),
    tokens: bigint('tokens', { mode: 'number' }).notNull(),
    status: text('status', { enum: HOLD_STATUSES }).notNull().default('OPEN'),
    periodKey: text('period_key').notNull(),
    purpose: text('purpose').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: createdAt(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (table) => [
    index('token_holds_open_expiry_idx').on(table.expiresAt).where(sql`${table.status} = 'OPEN'`),
    // A user's holds, newest last: the plan's turns-per-minute counts those of the last minute.
    index('token_holds_user_created_idx').on(table.userId, table.createdAt),
    // A member's holds in their organization's pool, newest last: their turns per minute, and those a removal voids.
    index('token_holds_member_created_idx').on(table.memberId, table.createdAt).where(sql`${table.memberId} is not null`),
    check('token_holds_tokens_positive', sql`${table.tokens} > 0`),
  ],
);

export const ACCOUNT_TOKEN_PURPOSES = ['PASSWORD_RESET', 'EMAIL_VERIFICATION'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/**
 * One-time links mailed to an account's owner (a password reset, an address to verify): only
 * the token's hash is kept; a token is used once, before it expires.
 */
export const accountTokens = pgTable(
  'account_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ACCOUNT_TOKEN_PURPOSES }).notNull(),
    tokenHash: text('token_hash').notNull(),
    /** The address the link was sent to: a verification holds only while the account still has it. */
    email: text('email').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('account_tokens_hash_key').on(table.tokenHash), index('account_tokens_user_idx').on(table.userId, table.purpose, table.createdAt)],
);

/** The first result of every request made with an Idempotency-Key. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    ownerId: text('owner_id').notNull(),
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    response: jsonb('response').$type<unknown>(),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.ownerId, table.scope, table.key] })],
);

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The workspace the conversation's turns are charged to: an organization's pool, or (null) the user's own account. */
    organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    model: text('model').notNull(),
    turnCount: integer('turn_count').notNull().default(0),
    chargedTokens: tokens('charged_tokens'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    /** Its messages moved to `conversation_archives` (idle past ARCHIVE_AFTER_DAYS); null while they are in `messages`. */
    archivedAt: timestamp('archived_at', { withTimezone: true }),
  },
  (table) => [
    index('conversations_user_updated_idx').on(table.userId, table.updatedAt),
    // The archive job's next conversations: idle the longest, not archived yet.
    index('conversations_archive_due_idx').on(table.updatedAt).where(sql`${table.archivedAt} is null`),
  ],
);

/**
 * A conversation's messages out of the hot tables: their JSON, gzip-compressed, with its SHA-256
 * (checked on every read). One row per archived conversation; a restore moves them back.
 */
export const conversationArchives = pgTable('conversation_archives', {
  conversationId: uuid('conversation_id')
    .primaryKey()
    .references(() => conversations.id, { onDelete: 'cascade' }),
  /** Where the compressed JSON is: 'postgres' (in `payload`) or 's3' (the object `object_key` of ARCHIVE_S3_URL's bucket). */
  storage: text('storage').notNull().default('postgres'),
  payload: bytea('payload'),
  objectKey: text('object_key'),
  sha256: text('sha256').notNull(),
  messageCount: integer('message_count').notNull(),
  bytesRaw: integer('bytes_raw').notNull(),
  bytesStored: integer('bytes_stored').notNull(),
  archivedAt: timestamp('archived_at', { withTimezone: true }).notNull(),
});

export const MESSAGE_ROLES = ['user', 'assistant'] as const;

/** Messages are written with the settlement of their turn, in the same statement (or transaction): never half a turn. */
export const messages = pgTable(
  'messages',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    role: text('role', { enum: MESSAGE_ROLES }).notNull(),
    content: text('content').notNull(),
    contentTokens: integer('content_tokens').notNull(),
    model: text('model'),
    promptTokens: integer('prompt_tokens'),
    completionTokens: integer('completion_tokens'),
    chargedTokens: bigint('charged_tokens', { mode: 'number' }),
    purchasedTokens: bigint('purchased_tokens', { mode: 'number' }),
    freeTokens: bigint('free_tokens', { mode: 'number' }),
    overageTokens: bigint('overage_tokens', { mode: 'number' }),
    ledgerEntryId: bigint('ledger_entry_id', { mode: 'number' }),
    usageEstimated: boolean('usage_estimated').notNull().default(false),
    createdAt: createdAt(),
  },
  (table) => [index('messages_conversation_idx').on(table.conversationId, table.id)],
);
