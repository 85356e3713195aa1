import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Locale } from '@consult-on/quota-policy';
import { CLOCK, type Clock } from '../common/clock.js';
import { NotFoundError, PaymentProviderUnavailableError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { orderRef, OrdersService, subscriptionView, UUID } from './orders.service.js';
import type { SubscriptionView } from './payments.dto.js';
import { PaymentsRepository, type OrderRow, type SubscriptionRow } from './payments.repository.js';
import { PAYMENT_PROVIDER } from './providers/provider.factory.js';
import { ProviderDeclinedError, ProviderUnavailableError, type PaymentProvider, type ProviderPayment } from './providers/payment-provider.js';
import { findProduct, planOfProduct, planProductName } from './token-packages.js';
import { periodEndingAt, renewalDueAt } from './order-rules.js';
import { AccountsService } from '../quota/accounts/accounts.service.js';
import { PlanCatalog } from '../plans/plan-catalog.js';
import { planRenewal } from '../plans/plan-rules.js';
import { NotificationsService } from '../notifications/notifications.service.js';

/** A past-due subscription is charged again this long after its last failed attempt. */
const RETRY_AFTER_MS = 24 * 60 * 60 * 1000;
/** How far ahead of a period's end provider-renewed plans are looked at: their renewal day is 3–6 days before it, so every hourly run of the 4 days before that day sees them. */
const PROVIDER_PLAN_LOOKAHEAD_MS = 10 * 24 * 60 * 60 * 1000;
/** A plan another plan is chosen over for the reset is canceled at its provider this long before its renewal day (until then the choice may change). */
const PROVIDER_WAIT_CANCEL_MS = 24 * 60 * 60 * 1000;

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
    private readonly accounts: AccountsService,
    private readonly catalog: PlanCatalog,
    private readonly notifications: NotificationsService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(userId: string, locale: Locale): Promise<SubscriptionView[]> {
    const rows = await this.repository.listSubscriptions(this.repository.db, userId);
    return Promise.all(rows.map(async (row) => subscriptionView(row, locale, this.renewsAt(row), await this.planName(row.productId, locale))));
  }

  /** When the next renewal is charged: a plan's ahead of its reset (by us, or on the 26th by a provider that renews by itself), another product's at its period's end. */
  private renewsAt(row: SubscriptionRow): Date {
    return renewalDueAt(row, this.provider.renewals, this.config.payments.planRenewalLeadMs, this.config.quota.timeZone);
  }

  /** A plan's product is named by the plan table (in the reader's language); other products by their own. */
  private async planName(productId: string, locale: Locale): Promise<string | undefined> {
    const planId = planOfProduct(productId);
    if (planId === null) return undefined;
    return planProductName({ nameKo: await this.catalog.name(planId, 'ko'), nameEn: await this.catalog.name(planId, 'en') })[locale];
  }

  /** Stops renewing; the period already paid for is kept. A provider that renews by itself is told first. */
  async cancel(userId: string, subscriptionId: string, locale: Locale): Promise<SubscriptionView> {
    const row = await this.repository.findSubscription(this.repository.db, subscriptionId);
    if (!row || row.userId !== userId) throw new NotFoundError();
    if (row.status === 'CANCELED') return subscriptionView(row, locale, this.renewsAt(row), await this.planName(row.productId, locale));
    if (row.provider === this.provider.name) {
      try {
        await this.provider.cancelSaved({ reference: row.reference, customerKey: row.customerKey });
      } catch (error) {
        this.logger.warn(`cancel of subscription ${row.id}: ${this.provider.name} said ${(error as Error).message}`);
        throw new PaymentProviderUnavailableError();
      }
    }
    const now = this.clock.now();
    await this.repository.updateSubscription(this.repository.db, row.id, { status: 'CANCELED', canceledAt: now }, now);
    await this.notifyPlanEnding(row, 'PLAN_ENDING');
    return subscriptionView({ ...row, status: 'CANCELED', canceledAt: now }, locale, null, await this.planName(row.productId, locale));
  }

  /** Charges every merchant-renewed subscription whose period ended (the renewal job). */
  async renewDue(limit = 100): Promise<{ due: number; paid: number; failed: number; pending: number; canceled: number }> {
    const counts = { due: 0, paid: 0, failed: 0, pending: 0, canceled: 0 };
    if (this.provider.renewals !== 'merchant') return { ...counts, canceled: await this.endProviderPlans(limit) };
    const now = this.clock.now();
    // A plan's renewal falls due ahead of its period's end: look that far ahead, keep what is due.
    // Page by page, so that subscriptions skipped (waiting, retried later) never hide the ones after them.
    const lead = this.config.payments.planRenewalLeadMs;
    let after: { end: Date; id: string } | null = null;
    for (;;) {
      const page = await this.repository.dueSubscriptions(this.repository.db, this.provider.name, new Date(now.getTime() + lead), limit, after);
      for (const subscription of page) {
        if (this.renewsAt(subscription) > now) continue;
        if (subscription.status === 'PAST_DUE' && now.getTime() - subscription.updatedAt.getTime() < RETRY_AFTER_MS) continue;
        try {
          // A plan's subscription while another plan is chosen for the reset: not charged, not ended (yet).
          const decision = await this.planRenewal(subscription);
          if (decision === 'wait') continue;
          counts.due += 1;
          counts[decision === 'end' ? 'canceled' : await this.renew(subscription)] += 1;
        } catch (error) {
          this.logger.error(`renewal of subscription ${subscription.id}: ${(error as Error).stack ?? String(error)}`);
        }
      }
      if (page.length < limit) return counts;
      const last = page[page.length - 1]!;
      after = { end: last.currentPeriodEnd, id: last.id };
    }
  }

  /**
   * Plans renewed by their provider (Stripe bills on the renewal day by itself): a subscription that
   * would buy a plan the account is not going to have — another plan bought, an admin's contract,
   * the reset passed unpaid, another plan chosen for the reset — is canceled at the provider before
   * that day (the periods already paid stay paid). Returns how many ended.
   */
  private async endProviderPlans(limit: number): Promise<number> {
    const now = this.clock.now();
    let ended = 0;
    let after: { end: Date; id: string } | null = null;
    for (;;) {
      const page = await this.repository.dueSubscriptions(this.repository.db, this.provider.name, new Date(now.getTime() + PROVIDER_PLAN_LOOKAHEAD_MS), limit, after);
      for (const subscription of page) {
        const planId = planOfProduct(subscription.productId);
        if (planId === null) continue;
        try {
          const decision = await this.providerPlanDecision(subscription, planId, now);
          // Canceled at the provider first (OrdersService.endSubscription); when it does not answer, tried again at the next run.
          if (decision === 'renew' || !(await this.orders.endSubscription(this.repository.db, subscription, now))) continue;
          this.logger.log(`plan subscription ${subscription.id} canceled at ${this.provider.name}: ${decision === 'wait' ? 'another plan is chosen for the reset' : 'the account is no longer on the plan it pays for'}`);
          ended += 1;
        } catch (error) {
          // Tried again at the next run, still ahead of the renewal day.
          this.logger.error(`ending plan subscription ${subscription.id} at ${this.provider.name}: ${(error as Error).message}`);
        }
      }
      if (page.length < limit) return ended;
      const last = page[page.length - 1]!;
      after = { end: last.currentPeriodEnd, id: last.id };
    }
  }

  /**
   * What `payments-renew` does with a plan's subscription at a provider that renews by itself:
   * `end` when a newer subscription renews the account's plan (two windows paid, a plan bought again
   * while the provider did not answer the old one's cancel) or the account left the plan (another
   * plan, an admin's contract); `wait` (ended too, but only within a day of the renewal day, so a
   * mind changed before then still renews) when another plan is chosen for the reset; else `renew`.
   * Once the reset passed, the provider decides: its retries may still pay the month (given back to
   * the account, PlansService), or it ends the subscription (`ended`).
   */
  private async providerPlanDecision(subscription: SubscriptionRow, planId: string, now: Date): Promise<'renew' | 'wait' | 'end'> {
    if (subscription.currentPeriodEnd <= now) return 'renew';
    const account = await this.accounts.current(subscription.userId);
    const open = await this.repository.openSubscriptions(this.repository.db, subscription.userId);
    const newer = open.some(
      (other) =>
        other.id !== subscription.id &&
        planOfProduct(other.productId) === account.planId &&
        (other.createdAt > subscription.createdAt || (other.createdAt.getTime() === subscription.createdAt.getTime() && other.id > subscription.id)),
    );
    if (newer) return 'end';
    const paysFor = periodEndingAt(subscription.currentPeriodEnd, this.config.quota.timeZone).key;
    const decision = planRenewal(account, planId, paysFor);
    if (decision === 'wait' && now.getTime() < this.renewsAt(subscription).getTime() - PROVIDER_WAIT_CANCEL_MS) return 'renew';
    return decision;
  }

  /**
   * One attempt at a renewal: its own order (one per period and attempt, found again when the
   * job runs twice), the charge, the outcome. An attempt whose charge went unanswered is left to
   * the reconciler; once it is settled, paid moves the period on and failed counts as a failure.
   */
  private async renew(subscription: SubscriptionRow): Promise<'paid' | 'failed' | 'pending' | 'canceled'> {
    const attempt = await this.renewalAttempt(subscription);
    if (attempt === 'canceled' || attempt === 'renewed') return attempt === 'renewed' ? 'paid' : 'canceled';
    const { order, fresh } = attempt;
    if (order.status === 'FAILED') return this.recordFailure(subscription, { code: order.failureCode ?? 'FAILED', message: order.failureMessage ?? '' });
    if (order.status !== 'PENDING') return 'paid';
    if (!fresh) return 'pending';
    let truth: ProviderPayment;
    try {
      truth = await this.provider.chargeSaved(
        { reference: subscription.reference, customerKey: subscription.customerKey },
        { orderId: order.id, orderName: order.orderName, amount: order.amount, currency: order.currency, idempotencyKey: order.id, customerEmail: null },
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
   * The order of this attempt, under the subscription's lock so a cancel (or another run's
   * renewal) in between is seen. `fresh` when it was made now, not found from an earlier run.
   */
  private async renewalAttempt(subscription: SubscriptionRow): Promise<{ order: OrderRow; fresh: boolean } | 'canceled' | 'renewed'> {
    const now = this.clock.now();
    return this.repository.db.transaction(async (tx) => {
      const current = await this.repository.lockSubscription(tx, subscription.id);
      if (!current || current.status === 'CANCELED') return 'canceled';
      if (this.renewsAt(current) > now) return 'renewed';
      const periodKey = `${current.currentPeriodEnd.toISOString()}#${current.failedAttempts}`;
      const { order, inserted } = await this.repository.insertRenewalOrder(tx, await this.renewalOrderValues(current, periodKey, now));
      return { order, fresh: inserted };
    });
  }

  /**
   * Whether a plan's subscription is charged now (`renew`, and always for another product), left
   * alone while another plan is chosen for the reset (`wait`), or ended uncharged (`end`): the
   * account moved off the plan (another plan bought, an admin's contract), or the reset passed with
   * its renewal unpaid (the account started the new month on free).
   */
  private async planRenewal(subscription: SubscriptionRow): Promise<'renew' | 'wait' | 'end'> {
    const planId = planOfProduct(subscription.productId);
    if (planId === null) return 'renew';
    const now = this.clock.now();
    const account = await this.accounts.current(subscription.userId);
    // The period it paid for: the one its period end closes.
    const paysFor = periodEndingAt(subscription.currentPeriodEnd, this.config.quota.timeZone).key;
    // The reset it renews at passed unpaid: the account started the new month on free; a late charge would buy nothing.
    const pastReset = subscription.currentPeriodEnd <= now;
    const decision = pastReset ? 'end' : planRenewal(account, planId, paysFor);
    if (decision !== 'end') return decision;
    // Under the subscription's lock, and not while a renewal charge waits for its answer (the reconciler settles it first).
    const ended = await this.repository.db.transaction(async (tx) => {
      const current = await this.repository.lockSubscription(tx, subscription.id);
      if (!current || current.status === 'CANCELED') return true;
      if (await this.repository.hasPendingRenewal(tx, subscription.id)) return false;
      await this.repository.updateSubscription(tx, subscription.id, { status: 'CANCELED', canceledAt: now }, now);
      return true;
    });
    if (!ended) return 'wait';
    this.logger.log(`plan subscription ${subscription.id} ended: ${pastReset ? 'the reset passed unpaid' : `the account is no longer on ${planId} paid by it`}`);
    return 'end';
  }

  /** Tells a plan's subscriber, before the reset, that the plan ends there (cancelled, or its renewal declined). */
  private async notifyPlanEnding(subscription: SubscriptionRow, kind: 'PLAN_ENDING' | 'PLAN_RENEWAL_FAILED'): Promise<void> {
    const planId = planOfProduct(subscription.productId);
    if (planId === null) return;
    const now = this.clock.now();
    const account = await this.accounts.current(subscription.userId);
    if (account.planId !== planId) return;
    await this.notifications.notifyPlan({ userId: subscription.userId, kind, planName: await this.catalog.name(planId, 'ko'), planNameEn: await this.catalog.name(planId, 'en'), endsAt: subscription.currentPeriodEnd, now });
  }

  private async renewalOrderValues(subscription: SubscriptionRow, periodKey: string, now: Date) {
    const product = findProduct(subscription.productId);
    return {
      userId: subscription.userId,
      kind: 'subscription' as const,
      packageId: subscription.productId,
      orderName: (await this.planName(subscription.productId, 'ko')) ?? (product ? product.name.ko : subscription.productId),
      tokens: subscription.tokens,
      amount: subscription.amount,
      currency: subscription.currency,
      provider: subscription.provider,
      status: 'PENDING' as const,
      subscriptionId: subscription.id,
      periodKey,
      createdAt: now,
    };
  }

  /**
   * A failed renewal: past due, tried again a day later. A merchant renewal ends after
   * PAYMENT_RENEWAL_MAX_ATTEMPTS; a provider renewal ends only when the provider says so
   * (it is still retrying the card).
   */
  private async recordFailure(subscription: SubscriptionRow, failure: { code: string; message: string }): Promise<'failed' | 'canceled'> {
    const attempts = subscription.failedAttempts + 1;
    const canceled = this.provider.renewals === 'merchant' && attempts >= this.config.payments.renewalMaxAttempts;
    const now = this.clock.now();
    await this.repository.updateSubscription(this.repository.db, subscription.id, { status: canceled ? 'CANCELED' : 'PAST_DUE', failedAttempts: attempts, ...(canceled ? { canceledAt: now } : {}) }, now);
    // Tried again tomorrow: "check your card"; the last attempt: the plan ends at the reset.
    await this.notifyPlanEnding(subscription, canceled ? 'PLAN_ENDING' : 'PLAN_RENEWAL_FAILED');
    this.logger.warn(`renewal of subscription ${subscription.id} failed (${failure.code}: ${failure.message}); attempt ${attempts}${canceled ? ', canceled' : ''}`);
    return canceled ? 'canceled' : 'failed';
  }

  /** A renewal the provider charged by itself (Stripe invoice.paid): its own order, granted once. */
  async renewedByProvider(reference: string, payment: ProviderPayment, periodEnd: Date | null, eventId: string): Promise<boolean> {
    const subscription =
      (await this.repository.findSubscriptionByReference(this.repository.db, this.provider.name, reference)) ?? (await this.startedBy(reference, payment.orderId, eventId));
    if (!subscription) {
      this.logger.warn(`${this.provider.name} renewal ${eventId} for an unknown subscription ${reference}; ignored`);
      return false;
    }
    // One order per invoice: a redelivered invoice.paid finds it again and changes nothing.
    const now = this.clock.now();
    const invoice = payment.providerPaymentId ?? eventId;
    const plan = planOfProduct(subscription.productId) !== null;
    // A plan's renewal pays the quota period its service period ends in (billed on the 26th for the
    // month after): keyed like our own renewals, "<that period's start>#<invoice>".
    const periodKey = plan && periodEnd ? `${periodEndingAt(periodEnd, this.config.quota.timeZone).start.toISOString()}#${invoice}` : invoice;
    const { order } = await this.repository.insertRenewalOrder(this.repository.db, await this.renewalOrderValues(subscription, periodKey, now));
    const before = order.status;
    const after = await this.orders.applyProviderTruth(order.id, { ...payment, orderId: order.id }, eventId);
    // The provider's period end, never moved backwards by an invoice that arrives late. (A plan's
    // period ends at the reset its payment reaches: moved by the grant itself.)
    if (!plan && periodEnd && after.status === 'PAID' && periodEnd > subscription.currentPeriodEnd && subscription.status !== 'CANCELED') {
      await this.repository.updateSubscription(this.repository.db, subscription.id, { currentPeriodEnd: periodEnd, status: 'ACTIVE', failedAttempts: 0 }, now);
    }
    return after.status !== before;
  }

  /**
   * A renewal of a subscription we have not recorded yet: its first payment (the order in its
   * metadata) is still pending here — its webhook late, the buyer gone before the return page. That
   * order is settled from the provider now; if the subscription is still unknown, 503 makes the
   * provider deliver the renewal again later, so the month paid is never dropped. Null when the
   * order is not ours (nothing to wait for).
   */
  private async startedBy(reference: string, orderId: string | null, eventId: string): Promise<SubscriptionRow | null> {
    const order = orderId && UUID.test(orderId) ? await this.repository.findOrder(this.repository.db, orderId) : null;
    if (!order || order.kind !== 'subscription' || order.provider !== this.provider.name) return null;
    // Still payable: pending, or failed but asked about again (an abandoned window paid later).
    const open = (row: OrderRow) => row.status === 'PENDING' || (row.status === 'FAILED' && row.recheckUntil !== null && row.recheckUntil > this.clock.now());
    if (open(order)) {
      try {
        const truth = await this.provider.lookup(orderRef(order));
        if (truth) await this.orders.applyProviderTruth(order.id, truth);
      } catch (error) {
        this.logger.warn(`renewal ${eventId}: its first order ${order.id} could not be settled (${(error as Error).message})`);
      }
    }
    const subscription = await this.repository.findSubscriptionByReference(this.repository.db, this.provider.name, reference);
    if (subscription) return subscription;
    const settled = (await this.repository.findOrder(this.repository.db, order.id))!;
    if (!open(settled)) {
      // Its first payment will never be granted here (a mismatch, say): nothing to wait for; for an admin to look at.
      this.logger.error(`renewal ${eventId} of ${reference}: its first order ${order.id} is ${settled.status} here; not applied`);
      return null;
    }
    this.logger.warn(`renewal ${eventId} of ${reference} arrived before its first order ${order.id} was paid here; asking for it again later`);
    throw new PaymentProviderUnavailableError();
  }

  async renewalFailed(reference: string, failure: { code: string; message: string }, eventId: string): Promise<boolean> {
    const subscription = await this.repository.findSubscriptionByReference(this.repository.db, this.provider.name, reference);
    // One we ended (and canceled at the provider) stays ended: a late failure of its last invoice changes nothing.
    if (!subscription || subscription.status === 'CANCELED' || !(await this.repository.recordEvent(this.repository.db, { eventId, paymentId: null, type: 'renewal-failed' }))) return false;
    await this.recordFailure(subscription, failure);
    return true;
  }

  async ended(reference: string, eventId: string): Promise<boolean> {
    const subscription = await this.repository.findSubscriptionByReference(this.repository.db, this.provider.name, reference);
    if (!subscription || subscription.status === 'CANCELED') return false;
    const now = this.clock.now();
    await this.repository.updateSubscription(this.repository.db, subscription.id, { status: 'CANCELED', canceledAt: now }, now);
    this.logger.log(`subscription ${subscription.id} ended at the provider (${eventId})`);
    // Its retries given up (or ended in the provider's dashboard): a plan ends at the reset it is not paid for.
    await this.notifyPlanEnding(subscription, 'PLAN_ENDING');
    return true;
  }
}
