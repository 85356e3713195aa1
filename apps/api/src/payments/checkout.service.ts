import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Locale } from '@consult-on/quota-policy';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { CLOCK, type Clock } from '../common/clock.js';
import {
  AmountMismatchError,
  IdempotencyKeyRequiredError,
  InvalidPaymentReturnError,
  InvalidSignatureError,
  NotFoundError,
  PaymentProviderUnavailableError,
  PlanCheckoutPausedError,
  PlanNotOfferedError,
} from '../common/errors.js';
import { IdempotencyService } from '../common/idempotency.js';
import { UsageService } from '../quota/usage/usage.service.js';
import { orderRef, OrdersService, RECHECK_FOR_MS, UUID } from './orders.service.js';
import type { AbandonOrderDto, CheckoutResultView, CheckoutView, ConfirmOrderDto, OrderResultView, OrderView, TokenPackageView, WebhookResultView } from './payments.dto.js';
import { PaymentsRepository, type OrderRow } from './payments.repository.js';
import { PAYMENT_PROVIDER } from './providers/provider.factory.js';
import {
  InvalidWebhookError,
  ProviderDeclinedError,
  ProviderUnavailableError,
  type PaymentProvider,
  type ProviderPayment,
  type VerifiedEvent,
} from './providers/payment-provider.js';
import { SubscriptionsService } from './subscriptions.service.js';
import { firstPaidPeriod, planRenewalDue } from './order-rules.js';
import { findProduct, MONTHLY_PRODUCTS, ORGANIZATION_PACKAGES, planOfProduct, planProduct, TOKEN_PACKAGES, type Product } from './token-packages.js';
import { OrganizationsService } from '../organizations/organizations.service.js';
import { PlansService } from '../plans/plans.service.js';

/** Adapter codes for a return that is not this order's (tampered, another customer's, empty). */
const RETURN_MISMATCHES = new Set(['ORDER_MISMATCH', 'SESSION_MISMATCH', 'CUSTOMER_MISMATCH', 'INVALID_REQUEST']);


/**
 * Buying: an order is created here with its price (never taken from the browser), the browser is
 * sent to the provider's payment window, and the payment is confirmed from the success return,
 * from the provider's webhook, or by the reconciler — whichever comes first; the others change nothing.
 */
@Injectable()
export class CheckoutService {
  private readonly logger = new Logger(CheckoutService.name);

  constructor(
    private readonly repository: PaymentsRepository,
    private readonly orders: OrdersService,
    private readonly subscriptions: SubscriptionsService,
    private readonly usage: UsageService,
    private readonly idempotency: IdempotencyService,
    private readonly plans: PlansService,
    private readonly organizations: OrganizationsService,
    @Inject(PAYMENT_PROVIDER) private readonly provider: PaymentProvider,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** The products on sale with this provider (a product without a price in its currency is not). */
  catalog(kind: 'package' | 'subscription' | 'organization', locale: Locale): TokenPackageView[] {
    const currency = this.provider.currency;
    return (kind === 'package' ? TOKEN_PACKAGES : kind === 'organization' ? ORGANIZATION_PACKAGES : MONTHLY_PRODUCTS)
      .filter((item) => item.prices[currency] !== undefined)
      .map((item) => {
        const price = item.prices[currency]!;
        return { id: item.id, kind: item.kind, name: item.name[locale], tokens: item.tokens, price, currency, pricePer1kTokens: Math.round((price * 1_000) / item.tokens) };
      });
  }

  /**
   * Creates an order for a product and what the browser needs to pay it. One order per
   * Idempotency-Key: a double click or a retried request opens the same order and checkout.
   * The instant provider (development) pays it at once.
   */
  async checkout(
    user: { id: string; email: string },
    productId: string,
    kind: 'package' | 'subscription',
    idempotencyKey: string | null,
    origin: string,
    locale: Locale,
  ): Promise<CheckoutResultView> {
    if (!idempotencyKey) throw new IdempotencyKeyRequiredError();
    const product = findProduct(productId);
    if (!product || product.kind !== kind || product.audience !== undefined || product.prices[this.provider.currency] === undefined) throw new NotFoundError();
    return this.checkoutProduct(user, product, idempotencyKey, origin, locale);
  }

  /**
   * A bulk package for an organization's pool, bought by one of its owners or admins (404 to
   * strangers, 403 to plain members): the order is the buyer's, its tokens the pool's.
   */
  async checkoutOrganization(
    user: { id: string; email: string },
    organizationId: string,
    packageId: string,
    idempotencyKey: string | null,
    origin: string,
    locale: Locale,
  ): Promise<CheckoutResultView> {
    if (!idempotencyKey) throw new IdempotencyKeyRequiredError();
    await this.organizations.assertManager(user.id, organizationId);
    const product = findProduct(packageId);
    if (!product || product.audience !== 'organization' || product.prices[this.provider.currency] === undefined) throw new NotFoundError();
    return this.checkoutProduct(user, product, idempotencyKey, origin, locale, organizationId);
  }

  /**
   * A paid plan's first month: a monthly product renewed at each reset with the card saved now.
   * Paid, the plan applies at once (PlansService.applyPayment). Priced in KRW only.
   */
  async checkoutPlan(user: { id: string; email: string }, planId: string, idempotencyKey: string | null, origin: string, locale: Locale): Promise<CheckoutResultView> {
    if (!idempotencyKey) throw new IdempotencyKeyRequiredError();
    const plan = await this.plans.assertPurchasable(user.id, planId);
    const product = planProduct(plan);
    if (product.prices[this.provider.currency] === undefined) throw new PlanNotOfferedError();
    // Refused before any order exists in the 35 minutes before the renewal day (the window opens with the same rule).
    if (this.provider.renewals === 'provider') this.providerPlanRenewal();
    return this.checkoutProduct(user, product, idempotencyKey, origin, locale);
  }

  /** An organization's bulk purchases, the last 100 (its owners and admins). */
  async organizationOrders(userId: string, organizationId: string): Promise<OrderView[]> {
    await this.organizations.assertManager(userId, organizationId);
    return this.orders.views(await this.repository.listOrganizationOrders(this.repository.db, organizationId, 100));
  }

  private async checkoutProduct(
    user: { id: string; email: string },
    product: Product,
    idempotencyKey: string,
    origin: string,
    locale: Locale,
    organizationId: string | null = null,
  ): Promise<CheckoutResultView> {
    const kind = product.kind;
    const price = product.prices[this.provider.currency]!;
    // Each way of buying keeps its own keys: the same key sent to two of them is two requests.
    const scope = organizationId ? 'checkout-organization' : planOfProduct(product.id) !== null ? 'checkout-plan' : `checkout-${kind}`;
    const orderId = await this.repository.db.transaction((tx) =>
      this.idempotency.run(tx, { ownerId: user.id, scope, key: idempotencyKey, request: { productId: product.id, organizationId } }, async () => {
        const order = await this.repository.insertOrder(tx, {
          userId: user.id,
          organizationId,
          kind,
          packageId: product.id,
          orderName: product.name[locale],
          tokens: product.tokens,
          amount: price,
          currency: this.provider.currency,
          provider: this.provider.name,
          status: 'PENDING',
          createdAt: this.clock.now(),
        });
        return order.id;
      }),
    );
    let order = (await this.repository.findOrder(this.repository.db, orderId))!;
    // A replayed request for an order no longer pending gets no new payment window: it would take a second payment.
    const checkout: CheckoutView =
      order.status === 'PENDING' || this.provider.name === 'instant' ? await this.openCheckout(order, product, user.email, origin) : { type: 'none' };
    if (checkout.type === 'instant' && order.status === 'PENDING') {
      order = await this.orders.applyProviderTruth(order.id, await this.provider.confirm({ ...orderRef(order), kind: order.kind, orderName: order.orderName }, {}));
    }
    return { order: await this.orders.view(order), checkout, usage: await this.usage.usage(user.id, locale) };
  }

  /** The provider's checkout for an order; Stripe's session is created once (idempotent at Stripe) and kept on the order. */
  private async openCheckout(order: OrderRow, product: Product, email: string, origin: string): Promise<CheckoutView> {
    const base = `${this.config.publicUrl ?? origin}/purchase/result/?order=${order.id}`;
    // On the provider's clock (real time): 30 minutes to a day ahead, as Stripe takes it.
    let openForMs = Math.min(Math.max(this.config.payments.orderExpireMinutes, 31), 24 * 60 - 1) * 60_000;
    const renewsAt = this.provider.renewals === 'provider' && planOfProduct(product.id) !== null ? this.providerPlanRenewal() : undefined;
    // The window closes before the plan's first renewal: paid after it, Stripe would charge a whole month on top.
    if (renewsAt) openForMs = Math.min(openForMs, renewsAt.getTime() - this.clock.now().getTime() - 60_000);
    try {
      const checkout = await this.provider.createCheckout({
        orderId: order.id,
        orderName: order.orderName,
        amount: order.amount,
        currency: order.currency,
        kind: order.kind,
        productId: product.id,
        customerKey: order.userId,
        customerEmail: email,
        successUrl: this.provider.name === 'stripe' ? `${base}&sessionId={CHECKOUT_SESSION_ID}` : base,
        failUrl: `${base}&failed=1`,
        expiresAt: new Date(Date.now() + openForMs),
        ...(renewsAt ? { renewsAt } : {}),
      });
      if (checkout.type === 'redirect' && order.providerSessionId !== checkout.sessionId) {
        await this.repository.updateOrder(this.repository.db, order.id, { providerSessionId: checkout.sessionId }, this.clock.now());
      }
      return checkout;
    } catch (error) {
      throw this.providerError(error, order);
    }
  }

  /**
   * A plan's first renewal at a provider that renews by itself: its renewal day after the month(s)
   * a payment now buys. Within 35 minutes of that day no window is opened (Stripe keeps one open
   * at least 30 minutes, and a window open across the day would be charged a whole month on top).
   */
  private providerPlanRenewal(): Date {
    const zone = this.config.quota.timeZone;
    const lead = this.config.payments.planRenewalLeadMs;
    const now = this.clock.now();
    const renewsAt = planRenewalDue(firstPaidPeriod(now, 'provider', lead, zone), 'provider', lead, zone);
    // 35, not 30: Stripe counts the window from its own clock, and a second or two may pass before it does.
    if (renewsAt.getTime() - now.getTime() < 35 * 60_000) throw new PlanCheckoutPausedError();
    return renewsAt;
  }

  /**
   * Confirms an order from the success return page. Only the order's owner may (anyone else gets
   * 404); a tampered amount is refused before the provider is asked; a repeat returns the order as
   * it stands. A declined payment marks the order failed; a provider that does not answer leaves it
   * pending (the page polls, the reconciler asks again).
   */
  async confirm(userId: string, orderId: string, returned: ConfirmOrderDto, locale: Locale): Promise<OrderResultView> {
    let order = await this.orders.ownOrder(userId, orderId);
    if (order.status === 'PENDING' || order.status === 'FAILED') {
      if ((returned.amount !== undefined && Number(returned.amount) !== order.amount) || (returned.orderId !== undefined && returned.orderId !== order.id)) {
        this.logger.warn(`refused a confirmation of order ${order.id} by ${userId}: amount ${returned.amount ?? '-'} / order ${returned.orderId ?? '-'} returned, ${order.amount} expected`);
        this.orders.countOutcome(order.provider, 'tampered_return');
        throw new AmountMismatchError();
      }
      // A bulk purchase is confirmed (and, with Toss, captured) only by someone who still manages the organization.
      if (order.organizationId) await this.organizations.assertManager(userId, order.organizationId);
      order = await this.confirmWithProvider(order, returned);
    }
    return { order: await this.orders.view(order), usage: await this.usage.usage(userId, locale) };
  }

  /**
   * The customer came back through the fail return (left the window, or the provider refused the
   * card there). The order fails with the provider's reason unless the provider says it was paid
   * after all; the reconciler keeps asking about it for a day, so a payment made later (Stripe's
   * window stays open) is still credited.
   */
  async abandon(userId: string, orderId: string, returned: AbandonOrderDto, locale: Locale): Promise<OrderResultView> {
    let order = await this.orders.ownOrder(userId, orderId);
    if (order.status === 'PENDING') {
      const known = await this.lookup(order);
      if (known && known !== 'unknown' && known.status !== 'pending') order = await this.orders.applyProviderTruth(order.id, known);
      if (order.status === 'PENDING') {
        order = await this.orders.fail(order.id, { code: returned.code ?? 'USER_CANCELED', message: returned.message ?? 'The payment window was left without paying.' }, RECHECK_FOR_MS);
      }
    }
    return { order: await this.orders.view(order), usage: await this.usage.usage(userId, locale) };
  }

  private async confirmWithProvider(order: OrderRow, returned: ConfirmOrderDto): Promise<OrderRow> {
    const query: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...returned, session_id: returned.sessionId })) if (typeof value === 'string') query[name] = value;
    let truth: ProviderPayment;
    try {
      truth = await this.provider.confirm({ ...orderRef(order), kind: order.kind, orderName: order.orderName }, query);
    } catch (error) {
      if (error instanceof ProviderDeclinedError) {
        // A return that does not belong to this order is refused without touching the order.
        if (error.code === 'AMOUNT_MISMATCH') throw new AmountMismatchError();
        if (RETURN_MISMATCHES.has(error.code)) throw new InvalidPaymentReturnError();
        // A payment already approved elsewhere is no decline: ask for the truth first, and fail the
        // order only when the provider answered that too (unanswered, the reconciler decides later).
        const known = await this.lookup(order);
        if (known === 'unknown') return order;
        if (known && known.status !== 'pending' && known.status !== 'failed') return this.orders.applyProviderTruth(order.id, known);
        return this.orders.fail(order.id, { code: error.code, message: error.message });
      }
      if (error instanceof ProviderUnavailableError) {
        this.logger.warn(`order ${order.id}: ${this.provider.name} did not answer the confirmation (${error.message}); left pending`);
        return order;
      }
      throw error;
    }
    return this.orders.applyProviderTruth(order.id, truth);
  }

  private async lookup(order: OrderRow): Promise<ProviderPayment | null | 'unknown'> {
    try {
      return await this.provider.lookup(orderRef(order));
    } catch (error) {
      if (error instanceof ProviderDeclinedError) return null;
      return 'unknown';
    }
  }

  /** A provider's webhook: verified by the adapter (signature, or a re-read from the provider), applied once per event. */
  async handleWebhook(providerName: string, rawBody: Buffer | undefined, headers: Record<string, string | undefined>): Promise<WebhookResultView> {
    if (providerName !== this.provider.name || this.provider.name === 'instant') throw new NotFoundError();
    if (!rawBody) throw new InvalidSignatureError();
    let events: VerifiedEvent[];
    try {
      events = await this.verifiedEvents(rawBody, headers);
    } catch (error) {
      if (error instanceof InvalidWebhookError) {
        this.logger.warn(`refused a ${providerName} webhook: ${error.message}`);
        this.orders.countOutcome(providerName, 'webhook_refused');
        throw new InvalidSignatureError();
      }
      // The re-read failed: answering 503 makes the provider deliver it again.
      if (error instanceof ProviderUnavailableError) throw new PaymentProviderUnavailableError();
      throw error;
    }
    let applied = 0;
    for (const event of events) if (await this.applyEvent(event)) applied += 1;
    return { received: events.length, applied };
  }

  /** Verifies and reads a delivery; the provider's "no" about what it names makes it an event we ignore. */
  private async verifiedEvents(rawBody: Buffer, headers: Record<string, string | undefined>): Promise<VerifiedEvent[]> {
    try {
      return await this.provider.parseWebhook(rawBody, headers);
    } catch (error) {
      if (!(error instanceof ProviderDeclinedError)) throw error;
      this.logger.warn(`${this.provider.name} webhook names something the provider refuses to read (${error.code}); ignored`);
      return [];
    }
  }

  private async applyEvent(event: VerifiedEvent): Promise<boolean> {
    switch (event.type) {
      case 'payment': {
        const order = await this.findOrderFor(event.payment);
        if (!order) {
          this.logger.warn(`${this.provider.name} webhook ${event.eventId} names no order of ours; ignored`);
          return false;
        }
        const before = order.status;
        const after = await this.orders.applyProviderTruth(order.id, event.payment, event.eventId);
        return after.status !== before || after.refundedAmount !== order.refundedAmount;
      }
      case 'renewal-paid':
        return this.subscriptions.renewedByProvider(event.subscriptionReference, event.payment, event.periodEnd, event.eventId);
      case 'renewal-failed':
        return this.subscriptions.renewalFailed(event.subscriptionReference, event.failure, event.eventId);
      case 'subscription-ended':
        return this.subscriptions.ended(event.subscriptionReference, event.eventId);
      case 'ignored':
        return false;
    }
  }

  private async findOrderFor(payment: ProviderPayment): Promise<OrderRow | null> {
    if (payment.orderId && UUID.test(payment.orderId)) {
      const order = await this.repository.findOrder(this.repository.db, payment.orderId);
      if (order && order.provider === this.provider.name) return order;
    }
    if (payment.providerPaymentId) return this.repository.findOrderByProviderPayment(this.repository.db, this.provider.name, payment.providerPaymentId);
    return null;
  }

  private providerError(error: unknown, order: OrderRow): Error {
    if (error instanceof ProviderUnavailableError || error instanceof ProviderDeclinedError) {
      this.logger.warn(`order ${order.id}: ${this.provider.name} refused or did not answer the checkout: ${error.message}`);
      return new PaymentProviderUnavailableError();
    }
    return error as Error;
  }
}
