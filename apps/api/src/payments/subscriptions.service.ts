import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { NotFoundError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { OrdersService, subscriptionView } from './orders.service.js';
import type { SubscriptionView } from './payments.dto.js';
import { PaymentsRepository, type OrderRow, type SubscriptionRow } from './payments.repository.js';
import { PAYMENT_PROVIDER } from './providers/provider.factory.js';
import { ProviderDeclinedError, ProviderUnavailableError, type PaymentProvider, type ProviderPayment } from './providers/payment-provider.js';
import { findProduct } from './token-packages.js';

/** A past-due subscription is charged again this long after its last failed attempt. */
const RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Monthly products. Toss (and instant) renew by charging the saved billing key here, once per
 * period (a renewal is an order with the subscription and its period, unique); Stripe renews by
 * itself and reports each invoice. Either way a renewal's tokens are granted by OrdersService.
 */
@Injectable()
export class SubscriptionsService {
  private readonly logger = new Logger(SubscriptionsService.name);

  constructor(
    private readonly repository: PaymentsRepository,
    private readonly orders: OrdersService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(userId: string): Promise<SubscriptionView[]> {
    return (await this.repository.listSubscriptions(this.repository.db, userId)).map(subscriptionView);
  }

  /** Stops renewing; the period already paid for is kept. */
  async cancel(userId: string, subscriptionId: string): Promise<SubscriptionView> {
    const subscription = await this.repository.db.transaction(async (tx) => {
      const row = await this.repository.lockSubscription(tx, subscriptionId);
      if (!row || row.userId !== userId) throw new NotFoundError();
      if (row.status === 'CANCELED') return row;
      if (row.provider === this.provider.name) await this.provider.cancelSaved({ reference: row.reference, customerKey: row.customerKey });
      const now = this.clock.now();
      await this.repository.updateSubscription(tx, row.id, { status: 'CANCELED', canceledAt: now }, now);
      return { ...row, status: 'CANCELED' as const, canceledAt: now };
    });
    return subscriptionView(subscription);
  }

  /** Charges every merchant-renewed subscription whose period ended (the renewal job). */
  async renewDue(limit = 100): Promise<{ due: number; paid: number; failed: number; pending: number; canceled: number }> {
    const counts = { due: 0, paid: 0, failed: 0, pending: 0, canceled: 0 };
    if (this.provider.renewals !== 'merchant') return counts;
    const now = this.clock.now();
    const due = await this.repository.dueSubscriptions(this.repository.db, this.provider.name, now, limit);
    for (const subscription of due) {
      if (subscription.status === 'PAST_DUE' && now.getTime() - subscription.updatedAt.getTime() < RETRY_AFTER_MS) continue;
      counts.due += 1;
      const outcome = await this.renew(subscription);
      counts[outcome] += 1;
    }
    return counts;
  }

  /** One renewal: its order (one per period, found again on a retry), the charge, the outcome. */
  async renew(subscription: SubscriptionRow): Promise<'paid' | 'failed' | 'pending' | 'canceled'> {
    const order = await this.renewalOrder(subscription);
    if (order.status !== 'PENDING' && order.status !== 'FAILED') return 'paid';
    let truth: ProviderPayment;
    try {
      truth = await this.provider.chargeSaved(
        { reference: subscription.reference, customerKey: subscription.customerKey },
        {
          orderId: order.id,
          orderName: order.orderName,
          amount: order.amount,
          currency: order.currency,
          // A new attempt after a decline is a new charge; a retry of an unanswered one is the same.
          idempotencyKey: `${order.id}:${subscription.failedAttempts}`,
          customerEmail: null,
        },
      );
    } catch (error) {
      if (error instanceof ProviderUnavailableError) {
        this.logger.warn(`renewal of subscription ${subscription.id}: ${this.provider.name} did not answer; order ${order.id} left for the reconciler`);
        return 'pending';
      }
      if (!(error instanceof ProviderDeclinedError)) throw error;
      await this.orders.fail(order.id, { code: error.code, message: error.message });
      return this.recordFailure(subscription, { code: error.code, message: error.message });
    }
    const applied = await this.orders.applyProviderTruth(order.id, truth);
    if (applied.status === 'FAILED') return this.recordFailure(subscription, { code: applied.failureCode ?? 'FAILED', message: applied.failureMessage ?? '' });
    return applied.status === 'PENDING' ? 'pending' : 'paid';
  }

  /**
   * The order of one renewal, made once: the period's key is the period end we charge for
   * (merchant renewals) or the provider's invoice (provider renewals), unique per subscription.
   */
  private async renewalOrder(subscription: SubscriptionRow, periodKey = subscription.currentPeriodEnd.toISOString()): Promise<OrderRow> {
    const product = findProduct(subscription.productId);
    const now = this.clock.now();
    return this.repository.db.transaction(async (tx) => {
      const existing = await this.repository.findRenewalOrder(tx, subscription.id, periodKey);
      if (existing) return existing;
      return this.repository.insertOrder(tx, {
        userId: subscription.userId,
        kind: 'subscription',
        packageId: subscription.productId,
        orderName: product ? product.name.ko : subscription.productId,
        tokens: subscription.tokens,
        amount: subscription.amount,
        currency: subscription.currency,
        provider: subscription.provider,
        status: 'PENDING',
        subscriptionId: subscription.id,
        periodKey,
        createdAt: now,
      });
    });
  }

  private async recordFailure(subscription: SubscriptionRow, failure: { code: string; message: string }): Promise<'failed' | 'canceled'> {
    const attempts = subscription.failedAttempts + 1;
    const canceled = attempts >= this.config.payments.renewalMaxAttempts;
    const now = this.clock.now();
    await this.repository.updateSubscription(this.repository.db, subscription.id, { status: canceled ? 'CANCELED' : 'PAST_DUE', failedAttempts: attempts, ...(canceled ? { canceledAt: now } : {}) }, now);
    this.logger.warn(`renewal of subscription ${subscription.id} failed (${failure.code}: ${failure.message}); attempt ${attempts}${canceled ? ', canceled' : ''}`);
    return canceled ? 'canceled' : 'failed';
  }

  /** A renewal the provider charged by itself (Stripe invoice.paid): its own order, granted once. */
  async renewedByProvider(reference: string, payment: ProviderPayment, periodEnd: Date | null, eventId: string): Promise<boolean> {
    const subscription = await this.repository.findSubscriptionByReference(this.repository.db, this.provider.name, reference);
    if (!subscription) {
      this.logger.warn(`${this.provider.name} renewal ${eventId} for an unknown subscription ${reference}; ignored`);
      return false;
    }
    // One order per invoice: a redelivered invoice.paid finds it again and changes nothing.
    const order = await this.renewalOrder(subscription, payment.providerPaymentId ?? eventId);
    const before = order.status;
    const after = await this.orders.applyProviderTruth(order.id, { ...payment, orderId: order.id }, eventId);
    if (periodEnd && after.status === 'PAID') {
      await this.repository.updateSubscription(this.repository.db, subscription.id, { currentPeriodEnd: periodEnd, status: 'ACTIVE', failedAttempts: 0 }, this.clock.now());
    }
    return after.status !== before;
  }

  async renewalFailed(reference: string, failure: { code: string; message: string }, eventId: string): Promise<boolean> {
    const subscription = await this.repository.findSubscriptionByReference(this.repository.db, this.provider.name, reference);
    if (!subscription || !(await this.repository.recordEvent(this.repository.db, { eventId, paymentId: null, type: 'renewal-failed' }))) return false;
    await this.recordFailure(subscription, failure);
    return true;
  }

  async ended(reference: string, eventId: string): Promise<boolean> {
    const subscription = await this.repository.findSubscriptionByReference(this.repository.db, this.provider.name, reference);
    if (!subscription || subscription.status === 'CANCELED') return false;
    const now = this.clock.now();
    await this.repository.updateSubscription(this.repository.db, subscription.id, { status: 'CANCELED', canceledAt: now }, now);
    this.logger.log(`subscription ${subscription.id} ended at the provider (${eventId})`);
    return true;
  }
}
