import { Inject, Injectable } from '@nestjs/common';
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { DATABASE, rowsOf, type DatabaseHandle, type Executor } from '../database/database.js';
import { paymentEvents, paymentRefunds, payments, paymentSubscriptions, ledgerEntries, type PaymentStatus, type RefundStatus, type SubscriptionStatus } from '../database/schema.js';

export type OrderRow = typeof payments.$inferSelect;
export type NewOrder = typeof payments.$inferInsert;
export type RefundRow = typeof paymentRefunds.$inferSelect;
export type SubscriptionRow = typeof paymentSubscriptions.$inferSelect;

/** Orders whose status holds a grant: each must have exactly one PURCHASE entry in the ledger. */
export const GRANTED_STATUSES: readonly PaymentStatus[] = ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'];

/** The failure code of an order the reconciler expired (the provider never saw it paid in time). */
export const EXPIRED = 'EXPIRED';

@Injectable()
export class PaymentsRepository {
  constructor(@Inject(DATABASE) private readonly database: DatabaseHandle) {}

  get db() {
    return this.database.db;
  }

  async insertOrder(executor: Executor, order: NewOrder): Promise<OrderRow> {
    const [row] = await executor.insert(payments).values(order).returning();
    return row!;
  }

  async findOrder(executor: Executor, orderId: string): Promise<OrderRow | null> {
    const [row] = await executor.select().from(payments).where(eq(payments.id, orderId));
    return row ?? null;
  }

  async lockOrder(executor: Executor, orderId: string): Promise<OrderRow | null> {
    const [row] = await executor.select().from(payments).where(eq(payments.id, orderId)).for('update');
    return row ?? null;
  }

  /** Inserts a renewal's order unless its (subscription, period) has one already; returns the one that is there. */
  async insertRenewalOrder(executor: Executor, order: NewOrder & { subscriptionId: string; periodKey: string }): Promise<{ order: OrderRow; inserted: boolean }> {
    const [inserted] = await executor.insert(payments).values(order).onConflictDoNothing({ target: [payments.subscriptionId, payments.periodKey] }).returning();
    if (inserted) return { order: inserted, inserted: true };
    return { order: (await this.findRenewalOrder(executor, order.subscriptionId, order.periodKey))!, inserted: false };
  }

  async findSubscription(executor: Executor, subscriptionId: string): Promise<SubscriptionRow | null> {
    const [row] = await executor.select().from(paymentSubscriptions).where(eq(paymentSubscriptions.id, subscriptionId));
    return row ?? null;
  }

  async findRenewalOrder(executor: Executor, subscriptionId: string, periodKey: string): Promise<OrderRow | null> {
    const [row] = await executor
      .select()
      .from(payments)
      .where(and(eq(payments.subscriptionId, subscriptionId), eq(payments.periodKey, periodKey)));
    return row ?? null;
  }

  async findOrderBySession(executor: Executor, provider: string, sessionId: string): Promise<OrderRow | null> {
    const [row] = await executor
      .select()
      .from(payments)
      .where(and(eq(payments.provider, provider), eq(payments.providerSessionId, sessionId)));
    return row ?? null;
  }

  async findOrderByProviderPayment(executor: Executor, provider: string, providerPaymentId: string): Promise<OrderRow | null> {
    const [row] = await executor
      .select()
      .from(payments)
      .where(and(eq(payments.provider, provider), eq(payments.providerPaymentId, providerPaymentId)));
    return row ?? null;
  }

  async updateOrder(executor: Executor, orderId: string, changes: Partial<NewOrder>, now: Date): Promise<OrderRow> {
    const [row] = await executor
      .update(payments)
      .set({ ...changes, updatedAt: now })
      .where(eq(payments.id, orderId))
      .returning();
    return row!;
  }

  /** A user's orders, newest first. */
  listOrders(executor: Executor, userId: string, limit: number, before: Date | null): Promise<OrderRow[]> {
    return executor
      .select()
      .from(payments)
      .where(and(eq(payments.userId, userId), before ? lt(payments.createdAt, before) : undefined))
      .orderBy(desc(payments.createdAt), desc(payments.id))
      .limit(limit);
  }

  /** An organization's bulk purchases, newest first (whoever of its owners and admins bought them). */
  listOrganizationOrders(executor: Executor, organizationId: string, limit: number): Promise<OrderRow[]> {
    return executor
      .select()
      .from(payments)
      .where(and(isNotNull(payments.organizationId), eq(payments.organizationId, organizationId)))
      .orderBy(desc(payments.createdAt), desc(payments.id))
      .limit(limit);
  }

  /**
   * Orders of this provider the reconciler asks about, oldest first: pending ones created before
   * `olderThan`, and failed ones it should still look at (`recheck_until`: expired or abandoned in
   * the payment window, so a late payment is still credited), none asked about since `checkedBefore`.
   */
  ordersToReconcile(executor: Executor, provider: string, window: { olderThan: Date; checkedBefore: Date; now: Date }, limit: number): Promise<OrderRow[]> {
    return executor
      .select()
      .from(payments)
      .where(
        and(
          eq(payments.provider, provider),
          lt(payments.createdAt, window.olderThan),
          or(
            eq(payments.status, 'PENDING'),
            and(eq(payments.status, 'FAILED'), gt(payments.recheckUntil, window.now)),
          ),
          or(isNull(payments.checkedAt), lt(payments.checkedAt, window.checkedBefore)),
        ),
      )
      .orderBy(asc(payments.createdAt))
      .limit(limit);
  }

  /**
   * Tokens of the paid orders granted to the same account (the buyer's own, or the organization's
   * pool: `accountOf`) after this one and not refunded: purchased tokens are spent oldest order
   * first, so these are kept.
   */
  async unspentOfLaterOrders(executor: Executor, order: OrderRow): Promise<number> {
    const sameAccount = order.organizationId ? eq(payments.organizationId, order.organizationId) : and(eq(payments.userId, order.userId), isNull(payments.organizationId));
    const [row] = await executor
      .select({ tokens: sql<string>`coalesce(sum(${payments.tokens} - ${payments.refundedTokens}), 0)` })
      .from(payments)
      .where(
        and(
          sameAccount,
          inArray(payments.status, [...GRANTED_STATUSES]),
          sql`(${payments.createdAt}, ${payments.id}) > (select created_at, id from payments where id = ${order.id})`,
        ),
      );
    return Number(row?.tokens ?? 0);
  }

  /** Records a provider event; false when it was seen before. */
  async recordEvent(executor: Executor, event: { eventId: string; paymentId: string | null; type: string }): Promise<boolean> {
    const inserted = await executor.insert(paymentEvents).values(event).onConflictDoNothing().returning({ eventId: paymentEvents.eventId });
    return inserted.length > 0;
  }

  async insertRefund(executor: Executor, refund: typeof paymentRefunds.$inferInsert): Promise<RefundRow> {
    const [row] = await executor.insert(paymentRefunds).values(refund).returning();
    return row!;
  }

  async lockRefund(executor: Executor, refundId: string): Promise<RefundRow | null> {
    const [row] = await executor.select().from(paymentRefunds).where(eq(paymentRefunds.id, refundId)).for('update');
    return row ?? null;
  }

  async setRefund(executor: Executor, refundId: string, changes: { status: RefundStatus; providerRefundId?: string | null; failureMessage?: string | null }, now: Date): Promise<void> {
    await executor
      .update(paymentRefunds)
      .set({ ...changes, updatedAt: now })
      .where(eq(paymentRefunds.id, refundId));
  }

  refundsOf(executor: Executor, orderIds: readonly string[]): Promise<RefundRow[]> {
    if (orderIds.length === 0) return Promise.resolve([]);
    return executor.select().from(paymentRefunds).where(inArray(paymentRefunds.paymentId, [...orderIds])).orderBy(asc(paymentRefunds.createdAt));
  }

  /** Money of an order's refunds not yet confirmed by the provider: already accounted for when the provider reports them. */
  async pendingRefundAmount(executor: Executor, orderId: string): Promise<number> {
    const [row] = await executor
      .select({ amount: sql<string>`coalesce(sum(${paymentRefunds.amount}), 0)` })
      .from(paymentRefunds)
      .where(and(eq(paymentRefunds.paymentId, orderId), eq(paymentRefunds.status, 'PENDING')));
    return Number(row?.amount ?? 0);
  }

  /** Our refunds the provider has not answered for sure, oldest first. */
  pendingRefunds(executor: Executor, olderThan: Date, limit: number): Promise<RefundRow[]> {
    return executor
      .select()
      .from(paymentRefunds)
      .where(and(eq(paymentRefunds.status, 'PENDING'), eq(paymentRefunds.origin, 'admin'), lt(paymentRefunds.updatedAt, olderThan)))
      .orderBy(asc(paymentRefunds.createdAt))
      .limit(limit);
  }

  async insertSubscription(executor: Executor, subscription: typeof paymentSubscriptions.$inferInsert): Promise<SubscriptionRow> {
    const [row] = await executor
      .insert(paymentSubscriptions)
      .values(subscription)
      .onConflictDoUpdate({ target: [paymentSubscriptions.provider, paymentSubscriptions.reference], set: { updatedAt: subscription.createdAt } })
      .returning();
    return row!;
  }

  async findSubscriptionByReference(executor: Executor, provider: string, reference: string): Promise<SubscriptionRow | null> {
    const [row] = await executor
      .select()
      .from(paymentSubscriptions)
      .where(and(eq(paymentSubscriptions.provider, provider), eq(paymentSubscriptions.reference, reference)));
    return row ?? null;
  }

  async lockSubscription(executor: Executor, subscriptionId: string): Promise<SubscriptionRow | null> {
    const [row] = await executor.select().from(paymentSubscriptions).where(eq(paymentSubscriptions.id, subscriptionId)).for('update');
    return row ?? null;
  }

  listSubscriptions(executor: Executor, userId: string): Promise<SubscriptionRow[]> {
    return executor.select().from(paymentSubscriptions).where(eq(paymentSubscriptions.userId, userId)).orderBy(desc(paymentSubscriptions.createdAt));
  }

  async updateSubscription(
    executor: Executor,
    subscriptionId: string,
    changes: { status?: SubscriptionStatus; currentPeriodEnd?: Date; failedAttempts?: number; canceledAt?: Date | null },
    now: Date,
  ): Promise<void> {
    await executor
      .update(paymentSubscriptions)
      .set({ ...changes, updatedAt: now })
      .where(eq(paymentSubscriptions.id, subscriptionId));
  }

  /** Merchant-renewed subscriptions whose period has ended, oldest first. */
  /** Open subscriptions whose period ends by `until`, a page at a time in (period end, id) order after `after`. */
  dueSubscriptions(executor: Executor, provider: string, until: Date, limit: number, after: { end: Date; id: string } | null = null): Promise<SubscriptionRow[]> {
    return executor
      .select()
      .from(paymentSubscriptions)
      .where(
        and(
          eq(paymentSubscriptions.provider, provider),
          inArray(paymentSubscriptions.status, ['ACTIVE', 'PAST_DUE']),
          lte(paymentSubscriptions.currentPeriodEnd, until),
          after
            ? or(gt(paymentSubscriptions.currentPeriodEnd, after.end), and(eq(paymentSubscriptions.currentPeriodEnd, after.end), gt(paymentSubscriptions.id, after.id)))
            : undefined,
        ),
      )
      .orderBy(asc(paymentSubscriptions.currentPeriodEnd), asc(paymentSubscriptions.id))
      .limit(limit);
  }

  /** Whether a renewal of the subscription is still waiting for its provider's answer. */
  async hasPendingRenewal(executor: Executor, subscriptionId: string): Promise<boolean> {
    const [row] = await executor
      .select({ id: payments.id })
      .from(payments)
      .where(and(eq(payments.subscriptionId, subscriptionId), eq(payments.status, 'PENDING')))
      .limit(1);
    return row !== undefined;
  }

  /** A user's subscriptions that are not cancelled (a handful at most). */
  openSubscriptions(executor: Executor, userId: string): Promise<SubscriptionRow[]> {
    return executor
      .select()
      .from(paymentSubscriptions)
      .where(and(eq(paymentSubscriptions.userId, userId), inArray(paymentSubscriptions.status, ['ACTIVE', 'PAST_DUE'])));
  }

  /**
   * Orders and purchase grants that disagree: a paid order without exactly one PURCHASE entry,
   * and a PURCHASE entry whose order is missing or not paid. Both lists are empty in a sound ledger.
   */
  async grantMismatches(executor: Executor, limit = 100): Promise<{ orderId: string; problem: string }[]> {
    const granted = sql.join(
      GRANTED_STATUSES.map((status) => sql`${status}`),
      sql`, `,
    );
    const result = await executor.execute(sql`
      select o.id as "orderId", 'paid order with ' || count(e.id) || ' grants' as problem
        from ${payments} o
        left join ${ledgerEntries} e on e.payment_id = o.id and e.kind = 'PURCHASE'
       where o.status in (${granted})
         -- A paid plan's order grants no tokens (its payment keeps the account on the plan): none to find.
         and o.tokens > 0
       group by o.id
      having count(e.id) <> 1
      union all
      -- The grant is on the account the order pays for: the buyer's own, or the organization's pool (accountOf).
      select o.id as "orderId", 'grant on another account' as problem
        from ${ledgerEntries} e
        join ${payments} o on o.id = e.payment_id
       where e.kind = 'PURCHASE' and e.user_id <> coalesce(o.organization_id, o.user_id)
      union all
      select e.payment_id as "orderId", 'grant without a paid order' as problem
        from ${ledgerEntries} e
        left join ${payments} o on o.id = e.payment_id
       where e.kind = 'PURCHASE' and e.payment_id is not null
         and (o.id is null or o.status not in (${granted}))
      limit ${limit}`);
    return rowsOf<{ orderId: string; problem: string }>(result);
  }

  async ordersByStatus(executor: Executor): Promise<{ provider: string; status: string; count: number }[]> {
    const rows = await executor
      .select({ provider: payments.provider, status: payments.status, count: sql<string>`count(*)` })
      .from(payments)
      .groupBy(payments.provider, payments.status);
    return rows.map((row) => ({ ...row, count: Number(row.count) }));
  }
}
