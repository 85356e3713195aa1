import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { organizations } from './schema-organizations.js';
import { users } from './schema.js';

export const NOTIFICATION_KINDS = [
  'USAGE_WARNING',
  'USAGE_CRITICAL',
  'USAGE_BLOCKED',
  'USAGE_RECOVERED',
  // An organization's pool, to its owners and admins.
  'ORGANIZATION_WARNING',
  'ORGANIZATION_CRITICAL',
  'ORGANIZATION_BLOCKED',
  'ORGANIZATION_RECOVERED',
  // A member's own monthly limit in an organization's pool (90 % and 100 %), to the member.
  'MEMBER_LIMIT_WARNING',
  'MEMBER_LIMIT_REACHED',
  // A paid plan that ends at the next reset: its subscription cancelled, or its renewal declined.
  'PLAN_ENDING',
  'PLAN_RENEWAL_FAILED',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const notifications = pgTable(
  'notifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: NOTIFICATION_KINDS }).notNull(),
    periodKey: text('period_key').notNull(),
    /** The organization whose pool (or member limit) it is about; null for the reader's own account. */
    organizationId: uuid('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    /** The figures the message is rendered from, in the reader's language. */
    data: jsonb('data').$type<{ level: string; usagePercent: number; remainingTokens: number; organizationName?: string }>().notNull(),
    source: text('source', { enum: ['turn', 'sweep', 'credit', 'reset'] }).notNull(),
    readAt: timestamp('read_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (table) => [
    index('notifications_user_created_idx').on(table.userId, table.createdAt),
    index('notifications_user_unread_idx').on(table.userId).where(sql`${table.readAt} is null`),
  ],
);

/**
 * The last notification of each kind per user and scope (their own account, or an organization). A notification is only created by the upsert
 * that moves `last_sent_at` forward by 24 hours (or into a new period); concurrent writers
 * serialize on this row, so two sweeps — or a sweep racing a turn — create one.
 */
export const notificationThrottle = pgTable(
  'notification_throttle',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: NOTIFICATION_KINDS }).notNull(),
    /** Whose figures: '' for the reader's own account, else the organization's id (its pool, or the reader's limit in it). */
    scope: text('scope').notNull().default(''),
    periodKey: text('period_key').notNull(),
    lastSentAt: timestamp('last_sent_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.kind, table.scope] })],
);

/** The outbox of things a connected browser should hear about, read by every instance's poller. */
export const userEvents = pgTable(
  'user_events',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid('user_id').notNull(),
    type: text('type', { enum: ['notification', 'usage'] }).notNull(),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('user_events_created_idx').on(table.createdAt), index('user_events_user_seq_idx').on(table.userId, table.seq)],
);

/** Webhook deliveries of notifications, retried with backoff; never on the chat's path. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    notificationId: uuid('notification_id')
      .notNull()
      .references(() => notifications.id, { onDelete: 'cascade' }),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    failedAt: timestamp('failed_at', { withTimezone: true }),
    lastError: text('last_error'),
  },
  (table) => [index('webhook_deliveries_due_idx').on(table.nextAttemptAt).where(sql`${table.deliveredAt} is null and ${table.failedAt} is null`)],
);

/** One row per run of a scheduled job and tick: a tick claimed by one instance is not run by another. */
export const jobRuns = pgTable(
  'job_runs',
  {
    job: text('job').notNull(),
    tick: timestamp('tick', { withTimezone: true }).notNull(),
    instance: text('instance').notNull(),
    trigger: text('trigger', { enum: ['schedule', 'manual'] }).notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    result: jsonb('result').$type<Record<string, unknown>>(),
    error: text('error'),
  },
  (table) => [primaryKey({ columns: [table.job, table.tick] })],
);
