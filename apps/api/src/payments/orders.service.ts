import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { NotFoundError } from '../common/errors.js';
import type { Executor, Transaction } from '../database/database.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { AccountsService } from '../quota/accounts/accounts.service.js';
import { firstPaidPeriod, planOrderUpdate, statusAfterRefunds, tokensForRefundedAmount } from './order-rules.js';
import type { OrderView, RefundView, SubscriptionView } from './payments.dto.js';
import { PaymentsRepository, type OrderRow, type RefundRow, type SubscriptionRow } from './payments.repository.js';
import type { OrderRef, PaymentProvider, ProviderPayment } from './providers/payment-provider.js';
import { PAYMENT_PROVIDER } from './providers/provider.factory.js';
import type { Locale } from '@consult-on/quota-policy';
import { findProduct, planOfProduct, vatBreakdown } from './token-packages.js';
import { PlansService } from '../plans/plans.service.js';
import { periodOf, type QuotaPeriod } from '@consult-on/quota-policy';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One calendar month later, on the anchor day or the month's last when it has fewer days: a
 * subscription bought on Jan 31 renews on Feb 28, then Mar 31 (the anchor keeps it from drifting).
 */
export function addMonth(date: Date, anchorDay = date.getUTCDate()): Date {
  const next = new Date(date);
  next.setUTCDate(1);
  next.setUTCMonth(next.getUTCMonth() + 1);
  const lastDay = new Date(Date.UTC(next.getUTCFullYear(), next.getUTCMonth() + 1, 0)).getUTCDate();
  next.setUTCDate(Math.min(anchorDay, lastDay));
  return next;
}

/**
 * Where the period a subscription's order pays for starts, from its key: "<start ISO>#<attempt>"
 * (our renewals: the paid period's end is the next one's start), "<start ISO>#<invoice>" (a plan
 * Stripe renewed), "<start ISO>#first" (a plan's first month), "<paid at ISO>" (another product's first month).
 */
export function renewalPeriodStart(periodKey: string | null): Date | null {
  if (!periodKey) return null;
  const start = new Date(periodKey.split('#')[0]!);
  return Number.isNaN(start.getTime()) ? null : start;
}

/** The account an order's tokens go to (and come back from): an organization's pool for its bulk purchase, else the buyer's own. */
export function accountOf(order: Pick<OrderRow, 'userId' | 'organizationId'>): string {
  return order.organizationId ?? order.userId;
}

/** How long a failed order the provider may still be paid for (expired, abandoned) is asked about. */
export const RECHECK_FOR_MS = 24 * 3_600_000;

export function orderRef(order: OrderRow): OrderRef {
  return {
    orderId: order.id,
    amount: order.amount,
    currency: order.currency,
    providerPaymentId: order.providerPaymentId,
    providerSessionId: order.providerSessionId,
    customerKey: order.userId,
  };
}

/**
 * The one writer of orders: what a provider says about an order is applied here, and only here
 * are tokens granted for a payment or taken back for a refund the provider reports — in one
 * transaction with the order row locked, so a redirect, a webhook and the reconciler racing on
 * the same payment grant it once (the ledger's unique index on the payment is the second lock).
 */
@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);
  private readonly outcomes: Counter<'provider' | 'outcome'>;
  private readonly mismatches: Gauge;

  constructor(
    private readonly repository: PaymentsRepository,
    private readonly accounts: AccountsService,
    private readonly plans: PlansService,
    metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
  ) {
    this.outcomes = new Counter({
      name: 'consult_on_payment_orders_total',
      help: 'Order outcomes applied, by provider: paid, failed, amount_mismatch, provider_refund',
      labelNames: ['provider', 'outcome'],
      registers: [metrics.registry],
    });
    // Set by each check (the reconciler's pass, /api/admin/ledger/verify), not on every scrape: the check reads every order.
    this.mismatches = new Gauge({
      name: 'consult_on_payment_grant_mismatches',
      help: 'Paid orders without exactly one grant plus purchase grants without a paid order, at the last check (0 in a sound ledger)',
      registers: [metrics.registry],
      // In cluster mode, the worse of the workers' last checks.
      aggregator: 'max',
    });
  }

  /** Paid orders without exactly one grant, and purchase grants without a paid order: none in a sound ledger. */
  async grantMismatches(): Promise<{ orderId: string; problem: string }[]> {
    const mismatches = await this.repository.grantMismatches(this.repository.db);
    this.mismatches.set(mismatches.length);
    for (const mismatch of mismatches) this.logger.error(`ledger and orders disagree: order ${mismatch.orderId}: ${mismatch.problem}`);
    return mismatches;
  }

  countOutcome(provider: string, outcome: string): void {
    this.outcomes.inc({ provider, outcome });
  }

  /**
   * Applies the provider's truth about an order: grants it once paid (and opens or renews its
   * subscription), fails it, refuses a mismatched amount, takes back tokens of a refund made at
   * the provider. `eventId`, when given, is recorded in the same transaction; a repeat changes nothing.
   */
  async applyProviderTruth(orderId: string, truth: ProviderPayment, eventId: string | null = null): Promise<OrderRow> {
    return this.repository.db.transaction(async (tx) => {
      const order = await this.repository.lockOrder(tx, orderId);
      if (!order) throw new Error(`order ${orderId} vanished`);
      if (eventId && !(await this.repository.recordEvent(tx, { eventId, paymentId: order.id, type: truth.status }))) return order;
      const update = planOrderUpdate(order, truth, await this.repository.pendingRefundAmount(tx, order.id));
      const now = this.clock.now();
      let current = order;
      if (update.mismatch) {
        this.logger.error(`payment amount mismatch on order ${order.id}: ${update.mismatch}; not granted`);
        this.countOutcome(order.provider, 'amount_mismatch');
        return this.repository.updateOrder(tx, order.id, { status: 'FAILED', failureCode: 'AMOUNT_MISMATCH', failureMessage: update.mismatch }, now);
      }
      if (update.fail) {
        this.countOutcome(order.provider, 'failed');
        return this.repository.updateOrder(tx, order.id, { status: 'FAILED', failureCode: update.fail.code, failureMessage: update.fail.message }, now);
      }
      if (update.grant) current = await this.grant(tx, current, truth, now);
      else if (current.kind === 'subscription' && !current.subscriptionId && current.paidAt && truth.savedMethod) {
        // Granted from a webhook or a look-up that carries no saved method; the confirmation that does comes after.
        const subscription = await this.startOrRenew(tx, current, truth, current.paidAt, now);
        if (subscription) current = await this.repository.updateOrder(tx, current.id, { subscriptionId: subscription.id }, now);
      }
      if (update.providerRefundAmount > 0) current = await this.recordProviderRefund(tx, current, update.providerRefundAmount, now);
      return current;
    });
  }

  /**
   * Marks an order failed, unless it was paid meanwhile. `recheckForMs`: the provider may still
   * take the payment (the window expired or was abandoned, not declined), so the reconciler keeps
   * asking about it that long.
   */
  async fail(orderId: string, failure: { code: string; message: string }, recheckForMs = 0): Promise<OrderRow> {
    return this.repository.db.transaction(async (tx) => {
      const order = await this.repository.lockOrder(tx, orderId);
      if (!order) throw new Error(`order ${orderId} vanished`);
      if (order.status !== 'PENDING') return order;
      this.countOutcome(order.provider, 'failed');
      const now = this.clock.now();
      return this.repository.updateOrder(
        tx,
        order.id,
        { status: 'FAILED', failureCode: failure.code, failureMessage: failure.message.slice(0, 500), recheckUntil: recheckForMs > 0 ? new Date(now.getTime() + recheckForMs) : null },
        now,
      );
    });
  }

  private async grant(tx: Transaction, order: OrderRow, truth: ProviderPayment, now: Date): Promise<OrderRow> {
    const paidAt = truth.paidAt ?? now;
    let subscriptionId = order.subscriptionId;
    let periodKey = order.periodKey;
    const planId = planOfProduct(order.packageId);
    const paysFor = planId !== null ? this.paidPeriod(order, truth.renewsAt, now) : null;
    if (order.kind === 'subscription') {
      const subscription = await this.startOrRenew(tx, order, truth, paidAt, now);
      subscriptionId = subscription?.id ?? null;
      // A plan's first month is keyed by the period it pays through, as its renewals are (a refund
      // steps that period back); another product's by when it was paid (its months run from then).
      periodKey ??= paysFor ? `${paysFor.start.toISOString()}#first` : paidAt.toISOString();
    }
    let settledOverageTokens = 0;
    if (planId !== null) {
      // A plan's month: no tokens, the account is on the plan through the period it pays for.
      await this.plans.applyPayment(tx, order.userId, planId, paysFor!.key, order.subscriptionId !== null);
    } else {
      ({ settledOverageTokens } = await this.accounts.credit(tx, accountOf(order), { kind: 'PURCHASE', tokens: order.tokens, bucket: 'purchased', paymentId: order.id }));
    }
    const paid = await this.repository.updateOrder(
      tx,
      order.id,
      {
        status: 'PAID',
        settledOverageTokens,
        paidAt,
        // The paid payment's id, never an earlier failed attempt's: refunds and look-ups go to it.
        providerPaymentId: truth.providerPaymentId ?? order.providerPaymentId,
        method: truth.method ?? order.method,
        failureCode: null,
        failureMessage: null,
        recheckUntil: null,
        subscriptionId,
        periodKey,
      },
      now,
    );
    this.countOutcome(order.provider, 'paid');
    this.logger.log(`order ${order.id} paid: ${order.tokens} tokens granted to ${accountOf(order)}`);
    return paid;
  }

  /**
   * The quota period a plan's payment is for: a renewal's is the one starting where the paid
   * period ended (its key says when); a first month's, the period it is paid in.
   */
  private paidPeriod(order: OrderRow, renewsAt: Date | null | undefined, now: Date): QuotaPeriod {
    const zone = this.config.quota.timeZone;
    const renewalStart = renewalPeriodStart(order.subscriptionId ? order.periodKey : null);
    if (renewalStart) return periodOf(renewalStart, zone);
    // A provider that renews by itself says when it first bills (its anchor, set at checkout):
    // the first payment pays the months up to it, whenever we hear of the payment.
    if (renewsAt) return periodOf(renewsAt, zone);
    return firstPaidPeriod(now, this.provider.renewals, this.config.payments.planRenewalLeadMs, zone);
  }

  /** A subscription's first payment opens it; a renewal's moves its period on. */
  private async startOrRenew(tx: Transaction, order: OrderRow, truth: ProviderPayment, paidAt: Date, now: Date): Promise<SubscriptionRow | null> {
    if (order.subscriptionId) {
      const subscription = await this.repository.lockSubscription(tx, order.subscriptionId);
      if (!subscription) return null;
      if (subscription.status === 'CANCELED') {
        // A renewal charged before the cancel and confirmed after it: the tokens are the buyer's; a canceled subscription stays canceled.
        this.logger.warn(`renewal order ${order.id} of canceled subscription ${subscription.id} was paid; granted, the subscription stays canceled`);
        return subscription;
      }
      const from = renewalPeriodStart(order.periodKey) ?? paidAt;
      // A plan renews at each reset; another monthly product on the day it was bought.
      const next = planOfProduct(subscription.productId) !== null ? this.paidPeriod(order, truth.renewsAt, now).end : addMonth(from, subscription.createdAt.getUTCDate());
      await this.repository.updateSubscription(
        tx,
        subscription.id,
        { status: 'ACTIVE', failedAttempts: 0, currentPeriodEnd: next > subscription.currentPeriodEnd ? next : subscription.currentPeriodEnd },
        now,
      );
      return subscription;
    }
    if (!truth.savedMethod) {
      this.logger.error(`subscription order ${order.id} paid without a saved method: it will not renew`);
      return null;
    }
    // One paid plan at a time: a new plan's subscription ends the user's others (a plan bought again
    // after a lapse, or another plan bought instead), so nothing else renews them.
    if (planOfProduct(order.packageId) !== null) {
      for (const other of await this.repository.openSubscriptions(tx, order.userId)) {
        if (planOfProduct(other.productId) === null) continue;
        if (await this.endSubscription(tx, other, now)) this.logger.log(`plan subscription ${other.id} ended: order ${order.id} starts another`);
      }
    }
    return this.repository.insertSubscription(tx, {
      userId: order.userId,
      productId: order.packageId,
      provider: order.provider,
      reference: truth.savedMethod.reference,
      customerKey: truth.savedMethod.customerKey,
      amount: order.amount,
      currency: order.currency,
      tokens: order.tokens,
      // From our clock, like createdAt: its day is the anchor of every later period (a plan's: the reset).
      currentPeriodEnd: planOfProduct(order.packageId) !== null ? this.paidPeriod(order, truth.renewsAt, now).end : addMonth(now),
      createdAt: now,
      updatedAt: now,
    });
  }

  /**
   * Ends a subscription. One a provider renews by itself (Stripe) is canceled there first — marked
   * ended only once the provider said so, or it would go on billing a subscription we think is over;
   * when the provider does not answer it stays open, and `payments-renew` ends it before it bills
   * (SubscriptionsService.endProviderPlans). One we renew ourselves just stops being charged.
   */
  async endSubscription(executor: Executor, subscription: SubscriptionRow, now: Date): Promise<boolean> {
    if (this.provider.renewals === 'provider' && subscription.provider === this.provider.name) {
      try {
        await this.provider.cancelSaved({ reference: subscription.reference, customerKey: subscription.customerKey });
      } catch (error) {
        this.logger.warn(`subscription ${subscription.id}: ${this.provider.name} did not cancel it (${(error as Error).message}); left to payments-renew`);
        return false;
      }
    }
    await this.repository.updateSubscription(executor, subscription.id, { status: 'CANCELED', canceledAt: now }, now);
    return true;
  }

  /**
   * A plan's payment refunded at the provider: its subscription ends (no more renewals) and the
   * period it paid for is no longer paid — the plan ends at the first reset it is not paid for.
   */
  private async revokePlanPayment(tx: Transaction, order: OrderRow, planId: string, now: Date): Promise<void> {
    if (order.subscriptionId) {
      const subscription = await this.repository.lockSubscription(tx, order.subscriptionId);
      if (subscription && subscription.status !== 'CANCELED') await this.endSubscription(tx, subscription, now);
    }
    await this.plans.revokePayment(tx, order.userId, planId, this.paidPeriod(order, null, now).key);
    this.logger.warn(`plan order ${order.id} refunded at the provider: its subscription ended, ${planId} no longer paid for its period`);
  }

  /** Money the provider refunded outside our refunds (its dashboard): the same share of tokens comes back, as far as they are unspent. */
  private async recordProviderRefund(tx: Transaction, order: OrderRow, amount: number, now: Date): Promise<OrderRow> {
    const tokens = tokensForRefundedAmount(order, amount);
    const refundId = randomUUID();
    const planId = planOfProduct(order.packageId);
    if (planId !== null) await this.revokePlanPayment(tx, order, planId, now);
    const { recoveredTokens } =
      tokens > 0 ? await this.accounts.refundPayment(tx, accountOf(order), { paymentId: order.id, refundId, tokens, exact: false }) : { recoveredTokens: 0 };
    await this.repository.insertRefund(tx, {
      id: refundId,
      paymentId: order.id,
      amount,
      tokens,
      status: 'SUCCEEDED',
      origin: 'provider',
      reason: 'refunded at the provider',
      metadata: { recoveredTokens, unrecoveredTokens: tokens - recoveredTokens },
      createdAt: now,
      updatedAt: now,
    });
    const refundedAmount = order.refundedAmount + amount;
    this.countOutcome(order.provider, 'provider_refund');
    this.logger.warn(`order ${order.id}: the provider refunded ${amount} ${order.currency}; ${recoveredTokens} of ${tokens} tokens taken back`);
    return this.repository.updateOrder(tx, order.id, { refundedAmount, refundedTokens: order.refundedTokens + tokens, status: statusAfterRefunds(order, refundedAmount) }, now);
  }

  async views(orders: OrderRow[]): Promise<OrderView[]> {
    const refunds = await this.repository.refundsOf(this.repository.db, orders.map((order) => order.id));
    return orders.map((order) => this.toView(order, refunds.filter((refund) => refund.paymentId === order.id)));
  }

  /** The caller's own order; anyone else's, or none, is 404 (not 403: an order id says nothing about who owns it). */
  async ownOrder(userId: string, orderId: string): Promise<OrderRow> {
    const order = UUID.test(orderId) ? await this.repository.findOrder(this.repository.db, orderId) : null;
    if (!order || order.userId !== userId) throw new NotFoundError();
    return order;
  }

  async view(order: OrderRow): Promise<OrderView> {
    return (await this.views([order]))[0]!;
  }

  private toView(order: OrderRow, refunds: RefundRow[]): OrderView {
    const paid = order.paidAt !== null && order.status !== 'PENDING' && order.status !== 'FAILED';
    return {
      id: order.id,
      kind: order.kind,
      productId: order.packageId,
      organizationId: order.organizationId,
      orderName: order.orderName,
      tokens: order.tokens,
      amount: order.amount,
      currency: order.currency,
      provider: order.provider,
      status: order.status,
      method: order.method,
      failure: order.failureCode ? { code: order.failureCode, message: order.failureMessage ?? '' } : null,
      refundedAmount: order.refundedAmount,
      refundedTokens: order.refundedTokens,
      settledOverageTokens: order.settledOverageTokens,
      createdAt: order.createdAt.toISOString(),
      paidAt: order.paidAt?.toISOString() ?? null,
      receipt: paid
        ? {
            orderNumber: orderNumber(order),
            ...vatBreakdown(order.amount),
            sellerName: this.config.payments.seller.name,
            sellerRegistrationNumber: this.config.payments.seller.registrationNumber,
          }
        : null,
      refunds: refunds.map(refundView),
    };
  }
}

/** The short number printed on a receipt and said on the phone (the full id is printed under it), e.g. CO-3F2A91C0. */
export function orderNumber(order: { id: string }): string {
  return `CO-${order.id.slice(0, 8).toUpperCase()}`;
}

export function refundView(refund: RefundRow): RefundView {
  return {
    id: refund.id,
    amount: refund.amount,
    tokens: refund.tokens,
    status: refund.status,
    origin: refund.origin,
    reason: refund.reason,
    failureMessage: refund.failureMessage,
    createdAt: refund.createdAt.toISOString(),
  };
}

/** A subscription as its owner sees it; `productName` given for a plan (its name is the plan table's), else the product's. */
export function subscriptionView(subscription: SubscriptionRow, locale: Locale, renewsAt: Date | null, productName?: string): SubscriptionView {
  return {
    id: subscription.id,
    productId: subscription.productId,
    planId: planOfProduct(subscription.productId),
    productName: productName ?? findProduct(subscription.productId)?.name[locale] ?? subscription.productId,
    provider: subscription.provider,
    status: subscription.status,
    amount: subscription.amount,
    currency: subscription.currency,
    tokens: subscription.tokens,
    currentPeriodEnd: subscription.currentPeriodEnd.toISOString(),
    renewsAt: subscription.status === 'CANCELED' ? null : renewsAt?.toISOString() ?? null,
    canceledAt: subscription.canceledAt?.toISOString() ?? null,
  };
}
