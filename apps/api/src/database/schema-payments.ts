import { sql } from 'drizzle-orm';
import { bigint, check, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt } from './columns.js';
import { users } from './schema.js';

/** pending → paid → (partially) refunded; pending → failed (a failed order may still be paid: the provider retried). */
export const PAYMENT_STATUSES = ['PENDING', 'PAID', 'FAILED', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const ORDER_KINDS = ['package', 'subscription'] as const;

/**
 * An order: what a user buys (a token package, or a month of a monthly product), its price kept
 * here and never taken from the browser, and where it stands with its provider. `tokens` are
 * granted once, in the ledger, when the provider says paid and the amounts agree.
 */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ORDER_KINDS }).notNull().default('package'),
    /**
     * A bulk purchase for an organization's pool (bought by `userId`, one of its owners or admins):
     * the tokens go to the pool. Kept as it was when the organization is deleted (the record of a
     * payment outlives it), so no foreign key.
     */
    organizationId: uuid('organization_id'),
    /** The package or monthly product. */
    packageId: text('package_id').notNull(),
    /** Shown in the payment window and on the receipt, in the buyer's language at purchase. */
    orderName: text('order_name').notNull().default(''),
    tokens: bigint('tokens', { mode: 'number' }).notNull(),
    /** Integer minor units of `currency` (KRW has none), VAT included. */
    amount: integer('amount').notNull(),
    currency: text('currency').notNull().default('KRW'),
    provider: text('provider').notNull(),
    status: text('status', { enum: PAYMENT_STATUSES }).notNull().default('PENDING'),
    /** Toss paymentKey, Stripe PaymentIntent (or invoice) id. */
    providerPaymentId: text('provider_payment_id'),
    /** Stripe Checkout Session id. */
    providerSessionId: text('provider_session_id'),
    method: text('method'),
    failureCode: text('failure_code'),
    failureMessage: text('failure_message'),
    /** Money and tokens refunded so far (pending refunds included in refunded_tokens, not in refunded_amount). */
    refundedAmount: integer('refunded_amount').notNull().default(0),
    refundedTokens: bigint('refunded_tokens', { mode: 'number' }).notNull().default(0),
    /** Of the tokens granted, how many repaid overage (tokens already used past 100 %) instead of being added. */
    settledOverageTokens: bigint('settled_overage_tokens', { mode: 'number' }).notNull().default(0),
    /** A renewal's subscription and the period it pays for (one order per period). */
    subscriptionId: uuid('subscription_id'),
    periodKey: text('period_key'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    paidAt: timestamp('paid_at', { withTimezone: true }),
    /** When reconciliation last asked the provider about this order. */
    checkedAt: timestamp('checked_at', { withTimezone: true }),
    /** A failed order the provider may still be paid for (expired, abandoned in the window): asked about until then. */
    recheckUntil: timestamp('recheck_until', { withTimezone: true }),
  },
  (table) => [
    index('payments_user_idx').on(table.userId, table.createdAt),
    index('payments_organization_idx').on(table.organizationId, table.createdAt).where(sql`${table.organizationId} is not null`),
    // Reconciliation reads the oldest pending orders first.
    index('payments_pending_idx').on(table.createdAt).where(sql`${table.status} = 'PENDING'`),
    uniqueIndex('payments_provider_payment_idx').on(table.provider, table.providerPaymentId),
    uniqueIndex('payments_one_order_per_period').on(table.subscriptionId, table.periodKey),
    check('payments_amounts', sql`${table.amount} > 0 and ${table.refundedAmount} between 0 and ${table.amount} and ${table.refundedTokens} between 0 and ${table.tokens}`),
  ],
);

/** Provider events already applied, so a replayed delivery changes nothing. */
export const paymentEvents = pgTable('payment_events', {
  eventId: text('event_id').primaryKey(),
  paymentId: uuid('payment_id'),
  type: text('type').notNull(),
  receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
});

export const REFUND_STATUSES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/**
 * A refund of (part of) an order. Ours (an admin's) take the tokens back first, then ask the
 * provider; one the provider reports (made in its dashboard) is recorded as it comes.
 */
export const paymentRefunds = pgTable(
  'payment_refunds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    paymentId: uuid('payment_id')
      .notNull()
      .references(() => payments.id, { onDelete: 'cascade' }),
    amount: integer('amount').notNull(),
    tokens: bigint('tokens', { mode: 'number' }).notNull(),
    status: text('status', { enum: REFUND_STATUSES }).notNull().default('PENDING'),
    origin: text('origin', { enum: ['admin', 'provider'] }).notNull(),
    reason: text('reason').notNull(),
    actorId: uuid('actor_id'),
    providerRefundId: text('provider_refund_id'),
    failureMessage: text('failure_message'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    index('payment_refunds_payment_idx').on(table.paymentId),
    index('payment_refunds_pending_idx').on(table.createdAt).where(sql`${table.status} = 'PENDING'`),
    check('payment_refunds_amounts', sql`${table.amount} >= 0 and ${table.tokens} >= 0`),
  ],
);

export const SUBSCRIPTION_STATUSES = ['ACTIVE', 'PAST_DUE', 'CANCELED'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** A monthly product bought with a saved payment method, renewed each period. */
export const paymentSubscriptions = pgTable(
  'payment_subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    productId: text('product_id').notNull(),
    provider: text('provider').notNull(),
    /** Toss billingKey or Stripe subscription id: what charges the method again. */
    reference: text('reference').notNull(),
    customerKey: text('customer_key').notNull(),
    status: text('status', { enum: SUBSCRIPTION_STATUSES }).notNull().default('ACTIVE'),
    amount: integer('amount').notNull(),
    currency: text('currency').notNull(),
    tokens: bigint('tokens', { mode: 'number' }).notNull(),
    currentPeriodEnd: timestamp('current_period_end', { withTimezone: true }).notNull(),
    /** Renewal attempts that failed in a row; the subscription ends after too many. */
    failedAttempts: integer('failed_attempts').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    canceledAt: timestamp('canceled_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('payment_subscriptions_reference_idx').on(table.provider, table.reference),
    index('payment_subscriptions_due_idx').on(table.currentPeriodEnd).where(sql`${table.status} in ('ACTIVE', 'PAST_DUE')`),
  ],
);
