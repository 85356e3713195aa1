import Stripe from 'stripe';
import {
  InvalidWebhookError,
  ProviderDeclinedError,
  ProviderUnavailableError,
  type Checkout,
  type CheckoutOrder,
  type OrderKind,
  type OrderRef,
  type PaymentProvider,
  type ProviderPayment,
  type ProviderPaymentStatus,
  type ProviderRefund,
  type SavedMethod,
  type VerifiedEvent,
} from './payment-provider.js';

export interface StripeOptions {
  secretKey: string;
  webhookSecret: string;
  /** ISO 4217, upper case ("KRW"). Stripe itself wants it lower case. */
  currency: string;
  /** How old a signed webhook may be (Stripe's default is 300 s). Must be positive: 0 would switch the check off. */
  webhookToleranceSeconds: number;
  timeoutMs: number;
  /** Another API address, e.g. http://127.0.0.1:1234 for the fake server; parsed into the SDK's host/port/protocol. */
  apiBaseUrl?: string;
}

type Session = Stripe.Checkout.Session;

/**
 * One read of a Checkout Session gives everything the mapping needs: the PaymentIntent and its
 * charge (payment mode), the first invoice and its payments (subscription mode; `payments` is an
 * includable list, absent unless expanded). Four levels at most, Stripe's limit.
 */
const SESSION_EXPAND = ['payment_intent.latest_charge', 'invoice.payments', 'subscription.latest_invoice.payments'];

/** Stripe metadata values are at most 500 characters. */
const METADATA_VALUE_LIMIT = 500;

/**
 * Stripe Checkout behind the PaymentProvider interface, through the official SDK.
 *
 * Identifiers: `providerSessionId` is the Checkout Session (cs_…). `providerPaymentId` is the
 * PaymentIntent (pi_…) of a one-off payment or of a subscription's first invoice — what refunds
 * take — and, for a renewal reported by `invoice.paid`, the invoice (in_…), whose PaymentIntent
 * `refund` looks up when asked to refund it.
 */
export class StripeProvider implements PaymentProvider {
  readonly name = 'stripe' as const;
  readonly renewals = 'provider' as const;
  readonly currency: string;
  private readonly stripe: Stripe;

  constructor(private readonly options: StripeOptions) {
    if (!(options.webhookToleranceSeconds > 0)) {
      // The SDK reads a tolerance of 0 as "do not check the age", which would accept replays forever.
      throw new Error('StripeOptions.webhookToleranceSeconds must be positive');
    }
    this.currency = options.currency.toUpperCase();
    this.stripe = new Stripe(options.secretKey, {
      // Our reconciliation asks again later; an SDK retry would only hold the caller longer.
      maxNetworkRetries: 0,
      timeout: options.timeoutMs,
      ...apiAddress(options.apiBaseUrl),
    });
  }

  async createCheckout(order: CheckoutOrder): Promise<Checkout> {
    if (order.currency.toUpperCase() !== this.currency) {
      throw new ProviderDeclinedError('CURRENCY_MISMATCH', `Stripe is set up for ${this.currency}, not ${order.currency}`);
    }
    // The key makes a retried call return the same session instead of opening a second one.
    const session = await this.call(() => this.stripe.checkout.sessions.create(sessionParams(order), { idempotencyKey: `checkout-${order.orderId}` }));
    if (!session.url) throw new ProviderDeclinedError('NO_CHECKOUT_URL', `Checkout Session ${session.id} has no URL (status ${session.status})`);
    return { type: 'redirect', url: session.url, sessionId: session.id };
  }

  async confirm(order: OrderRef & { kind: OrderKind; orderName: string }, returned: Readonly<Record<string, string>>): Promise<ProviderPayment> {
    // A return page can be opened with any session_id; only the one we created belongs to this order.
    if (!order.providerSessionId || returned.session_id !== order.providerSessionId) {
      throw new ProviderDeclinedError('SESSION_MISMATCH', `session_id ${returned.session_id ?? '(none)'} is not this order's Checkout Session`);
    }
    return this.readOrderSession(order, order.providerSessionId);
  }

  async lookup(order: OrderRef): Promise<ProviderPayment | null> {
    if (!order.providerSessionId) return null;
    try {
      return await this.readOrderSession(order, order.providerSessionId);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async parseWebhook(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>): Promise<VerifiedEvent[]> {
    const event = this.verifiedEvent(rawBody, headers);
    return [await this.interpret(event)];
  }

  async refund(order: OrderRef, refund: { amount: number; reason: string; idempotencyKey: string }): Promise<ProviderRefund> {
    const paymentIntent = await this.refundablePaymentIntent(order);
    const created = await this.call(() =>
      this.stripe.refunds.create(
        // Stripe's own `reason` is an enumeration (duplicate, fraudulent, requested_by_customer): ours goes to metadata.
        { payment_intent: paymentIntent, amount: refund.amount, metadata: { reason: refund.reason.slice(0, METADATA_VALUE_LIMIT), orderId: order.orderId } },
        { idempotencyKey: refund.idempotencyKey },
      ),
    );
    return { refundId: created.id, amount: created.amount, status: refundStatus(created.status) };
  }

  async refundStatus(_order: OrderRef, refund: { refundId: string; amount: number }): Promise<ProviderRefund | null> {
    try {
      const found = await this.call(() => this.stripe.refunds.retrieve(refund.refundId));
      return { refundId: found.id, amount: found.amount, status: refundStatus(found.status) };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  chargeSaved(): Promise<ProviderPayment> {
    // Stripe charges a subscription's renewals itself and tells us with invoice.paid; a charge of
    // our own would bill the customer twice for the period.
    return Promise.reject(new Error('StripeProvider.chargeSaved: Stripe renews subscriptions itself (renewals = provider)'));
  }

  async cancelSaved(saved: SavedMethod): Promise<void> {
    try {
      await this.call(() => this.stripe.subscriptions.cancel(saved.reference));
    } catch (error) {
      // Stripe refuses to cancel twice; a subscription that is already canceled is what we wanted.
      if (error instanceof ProviderDeclinedError && (await this.isCanceled(saved.reference))) return;
      throw error;
    }
  }

  /** Reads an order's session and checks it is that order's: same reference, amount and currency. */
  private async readOrderSession(order: OrderRef, sessionId: string): Promise<ProviderPayment> {
    const session = await this.call(() => this.stripe.checkout.sessions.retrieve(sessionId, { expand: SESSION_EXPAND }));
    assertSessionMatches(order, session);
    return paymentFromSession(session, await this.sessionPaymentIntent(session), order.customerKey);
  }

  /** The PaymentIntent that paid (or tries to pay) a session, with its latest charge expanded. */
  private async sessionPaymentIntent(session: Session): Promise<Stripe.PaymentIntent | null> {
    const field = session.mode === 'subscription' ? await this.firstInvoicePaymentIntent(session) : session.payment_intent;
    if (field === null) return null;
    if (typeof field !== 'string' && typeof field.latest_charge !== 'string') return field;
    return this.call(() => this.stripe.paymentIntents.retrieve(idOf(field), { expand: ['latest_charge'] }));
  }

  /** A subscription session is paid by its first invoice's PaymentIntent. */
  private async firstInvoicePaymentIntent(session: Session): Promise<string | Stripe.PaymentIntent | null> {
    const subscription = session.subscription;
    const invoice = session.invoice ?? (subscription && typeof subscription !== 'string' ? subscription.latest_invoice : null);
    if (invoice === null) return null;
    if (typeof invoice !== 'string') return invoicePaymentIntent(invoice);
    return invoicePaymentIntent(await this.call(() => this.stripe.invoices.retrieve(invoice, { expand: ['payments'] })));
  }

  /** What `refunds.create` takes: a PaymentIntent id, looked up through the invoice for a renewal. */
  private async refundablePaymentIntent(order: OrderRef): Promise<string> {
    const id = order.providerPaymentId;
    if (!id) throw new ProviderDeclinedError('NOT_PAID', `Order ${order.orderId} has no Stripe payment to refund`);
    if (!id.startsWith('in_')) return id;
    const invoice = await this.call(() => this.stripe.invoices.retrieve(id, { expand: ['payments'] }));
    const paymentIntent = invoicePaymentIntent(invoice);
    if (!paymentIntent) throw new ProviderDeclinedError('NOT_PAID', `Invoice ${id} has no PaymentIntent to refund`);
    return idOf(paymentIntent);
  }

  private async isCanceled(subscriptionId: string): Promise<boolean> {
    const subscription = await this.call(() => this.stripe.subscriptions.retrieve(subscriptionId));
    return subscription.status === 'canceled';
  }

  /** Checks the signature and age with the SDK; anything it refuses is a forged or stale delivery. */
  private verifiedEvent(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>): Stripe.Event {
    const signature = headerValue(headers, 'stripe-signature');
    if (!signature) throw new InvalidWebhookError('Missing Stripe-Signature header');
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature, this.options.webhookSecret, this.options.webhookToleranceSeconds);
    } catch (error) {
      throw new InvalidWebhookError(`Stripe webhook refused: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Signed but not an event (Stripe never sends one): nothing in it can be used.
    if (typeof event?.id !== 'string' || typeof event.type !== 'string' || typeof event.data?.object !== 'object') {
      throw new InvalidWebhookError('Stripe webhook body is not an event');
    }
    return event;
  }

  private async interpret(event: Stripe.Event): Promise<VerifiedEvent> {
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
      case 'checkout.session.async_payment_failed':
      case 'checkout.session.expired':
        return this.sessionEvent(event.id, event.data.object);
      case 'invoice.paid':
        return renewalPaid(event.id, event.data.object, event.created);
      case 'invoice.payment_failed':
        return renewalFailed(event.id, event.data.object);
      case 'customer.subscription.deleted':
        return { eventId: event.id, type: 'subscription-ended', subscriptionReference: event.data.object.id };
      case 'charge.refunded':
        return this.refundEvent(event.id, event.data.object);
      default:
        return ignored(event.id, `Stripe event ${event.type} is not used`);
    }
  }

  /**
   * A Checkout Session changed. The event's copy is signed, but it is a snapshot without the
   * subscription's PaymentIntent or any refund; reading the session again (as Stripe's fulfilment
   * guide does) gives the same answer `confirm` and `lookup` give, and the latest one.
   */
  private async sessionEvent(eventId: string, snapshot: Session): Promise<VerifiedEvent> {
    if (!snapshot.client_reference_id) return ignored(eventId, `Checkout Session ${snapshot.id} has no client_reference_id: not one of our orders`);
    let session: Session;
    try {
      session = await this.call(() => this.stripe.checkout.sessions.retrieve(snapshot.id, { expand: SESSION_EXPAND }));
    } catch (error) {
      if (isMissing(error)) return ignored(eventId, `Checkout Session ${snapshot.id} is unknown to Stripe`);
      throw error;
    }
    const payment = paymentFromSession(session, await this.sessionPaymentIntent(session), session.metadata?.customerKey ?? null);
    return { eventId, type: 'payment', payment };
  }

  /** A refund made anywhere (our call or the Dashboard): the order is found through metadata.orderId. */
  private async refundEvent(eventId: string, charge: Stripe.Charge): Promise<VerifiedEvent> {
    const paymentIntentId = charge.payment_intent === null ? null : idOf(charge.payment_intent);
    // Stripe copies the PaymentIntent's metadata to the charge it creates; the PaymentIntent is the fallback.
    const orderId = charge.metadata?.orderId ?? (paymentIntentId ? await this.paymentIntentOrderId(paymentIntentId) : null);
    if (!orderId || !paymentIntentId) return ignored(eventId, `Refunded charge ${charge.id} carries no orderId (a renewal, or not ours)`);
    const fullyRefunded = charge.amount_refunded >= charge.amount;
    const payment: ProviderPayment = {
      orderId,
      providerPaymentId: paymentIntentId,
      status: fullyRefunded ? 'canceled' : 'partially_canceled',
      amount: charge.amount,
      currency: charge.currency.toUpperCase(),
      refundedAmount: charge.amount_refunded,
      method: charge.payment_method_details?.type ?? null,
      paidAt: fromUnix(charge.created),
      failure: null,
      savedMethod: null,
    };
    return { eventId, type: 'payment', payment };
  }

  private async paymentIntentOrderId(paymentIntentId: string): Promise<string | null> {
    const paymentIntent = await this.call(() => this.stripe.paymentIntents.retrieve(paymentIntentId));
    return paymentIntent.metadata?.orderId ?? null;
  }

  /** Runs an SDK call and turns its failures into the interface's two kinds. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw providerError(error);
    }
  }
}

/** The SDK's host/port/protocol for a base URL (the SDK has no base-URL option, nor a path prefix). */
function apiAddress(apiBaseUrl: string | undefined): Pick<Stripe.StripeConfig, 'host' | 'port' | 'protocol'> {
  if (!apiBaseUrl) return {};
  const url = new URL(apiBaseUrl);
  if (url.pathname !== '/') throw new Error(`StripeOptions.apiBaseUrl cannot have a path (${apiBaseUrl}): the SDK adds /v1/…`);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  // URL keeps an IPv6 host in brackets; Node's http.request wants it bare.
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port || (protocol === 'http' ? 80 : 443), protocol };
}

function sessionParams(order: CheckoutOrder): Stripe.Checkout.SessionCreateParams {
  const metadata = { orderId: order.orderId, productId: order.productId, customerKey: order.customerKey };
  // Our amounts are already in the minor unit, which is what unit_amount takes (whole won for KRW).
  const priceData = { currency: order.currency.toLowerCase(), unit_amount: order.amount, product_data: { name: order.orderName } };
  const common = {
    client_reference_id: order.orderId,
    metadata,
    ...(order.customerEmail ? { customer_email: order.customerEmail } : {}),
    // The caller put the literal {CHECKOUT_SESSION_ID} in it; Stripe fills it in on the way back.
    success_url: order.successUrl,
    cancel_url: order.failUrl,
    // The window closes when the reconciler would give the order up, so it cannot be paid after that.
    ...(order.expiresAt ? { expires_at: Math.floor(order.expiresAt.getTime() / 1000) } : {}),
  };
  if (order.kind === 'subscription' && order.renewsAt) {
    // A plan: the months up to its renewal day are paid now (a one-time line), and the monthly
    // price is billed from that day on (the anchor); nothing is prorated, so the session's total is
    // the one-time line alone.
    return {
      ...common,
      mode: 'subscription',
      line_items: [
        { price_data: priceData, quantity: 1 },
        { price_data: { ...priceData, recurring: { interval: 'month' } }, quantity: 1 },
      ],
      subscription_data: { metadata, billing_cycle_anchor: Math.floor(order.renewsAt.getTime() / 1000), proration_behavior: 'none' },
    };
  }
  if (order.kind === 'subscription') {
    return {
      ...common,
      mode: 'subscription',
      line_items: [{ price_data: { ...priceData, recurring: { interval: 'month' } }, quantity: 1 }],
      // Copied to the subscription, so its renewals can be traced to the order that started it.
      subscription_data: { metadata },
    };
  }
  return {
    ...common,
    mode: 'payment',
    line_items: [{ price_data: priceData, quantity: 1 }],
    // Copied to the PaymentIntent (and from it to the charge): how a Dashboard refund finds the order.
    payment_intent_data: { metadata },
  };
}

/** A session that is not this order's is a definitive "no", whatever state it is in. */
function assertSessionMatches(order: OrderRef, session: Session): void {
  if (session.client_reference_id !== order.orderId) {
    throw new ProviderDeclinedError('ORDER_MISMATCH', `Checkout Session ${session.id} belongs to order ${session.client_reference_id ?? '(none)'}, not ${order.orderId}`);
  }
  const currency = session.currency?.toUpperCase() ?? null;
  if (session.amount_total !== order.amount || currency !== order.currency.toUpperCase()) {
    throw new ProviderDeclinedError('AMOUNT_MISMATCH', `Checkout Session ${session.id} is for ${session.amount_total} ${currency}, the order for ${order.amount} ${order.currency}`);
  }
}

function paymentFromSession(session: Session, paymentIntent: Stripe.PaymentIntent | null, customerKey: string | null): ProviderPayment {
  const charge = paymentIntent && typeof paymentIntent.latest_charge !== 'string' ? paymentIntent.latest_charge : null;
  const status = sessionStatus(session, paymentIntent, charge);
  const subscription = session.subscription === null ? null : idOf(session.subscription);
  const settled = status === 'paid' || status === 'canceled' || status === 'partially_canceled';
  return {
    orderId: session.client_reference_id ?? session.metadata?.orderId ?? null,
    providerPaymentId: paymentIntent?.id ?? (typeof session.payment_intent === 'string' ? session.payment_intent : null),
    status,
    amount: session.amount_total ?? 0,
    currency: (session.currency ?? '').toUpperCase(),
    refundedAmount: charge?.amount_refunded ?? 0,
    method: charge?.payment_method_details?.type ?? paymentIntent?.payment_method_types[0] ?? session.payment_method_types[0] ?? null,
    paidAt: settled && charge ? fromUnix(charge.created) : null,
    failure: status === 'failed' ? sessionFailure(session, paymentIntent) : null,
    savedMethod: subscription && customerKey ? { reference: subscription, customerKey } : null,
    renewsAt: session.subscription !== null && typeof session.subscription !== 'string' ? fromUnix(session.subscription.billing_cycle_anchor) : null,
  };
}

/**
 * `payment_status` is Stripe's word on whether to fulfil. A declined card leaves the session open
 * (the customer may try another card): still pending. A session completed but unpaid is an async
 * method (bank debit) on its way, unless its PaymentIntent has given up.
 * `no_payment_required` (a free session) is never what we sell: not paid.
 */
function sessionStatus(session: Session, paymentIntent: Stripe.PaymentIntent | null, charge: Stripe.Charge | null): ProviderPaymentStatus {
  if (session.payment_status === 'paid') {
    if (!charge || charge.amount_refunded === 0) return 'paid';
    return charge.amount_refunded >= charge.amount ? 'canceled' : 'partially_canceled';
  }
  if (session.status === 'expired') return 'failed';
  const gaveUp = paymentIntent?.status === 'requires_payment_method' || paymentIntent?.status === 'canceled';
  if (session.status === 'complete' && gaveUp) return 'failed';
  return 'pending';
}

function sessionFailure(session: Session, paymentIntent: Stripe.PaymentIntent | null): { code: string; message: string } {
  const error = paymentIntent?.last_payment_error;
  if (error) return { code: error.code ?? error.type, message: error.message ?? 'The payment failed' };
  if (session.status === 'expired') return { code: 'SESSION_EXPIRED', message: 'The Checkout Session expired before it was paid' };
  return { code: 'PAYMENT_FAILED', message: 'The payment failed' };
}

/** A renewal: Stripe charged the subscription for a new period. The first period is its checkout's. */
function renewalPaid(eventId: string, invoice: Stripe.Invoice, eventCreated: number): VerifiedEvent {
  if (invoice.billing_reason === 'subscription_create') return ignored(eventId, `Invoice ${invoice.id} is a subscription's first, paid through its Checkout Session`);
  const subscription = invoiceSubscription(invoice);
  if (!subscription) return ignored(eventId, `Invoice ${invoice.id} is not a subscription's`);
  const customerKey = invoice.parent?.subscription_details?.metadata?.customerKey;
  const payment: ProviderPayment = {
    // The order that started the subscription (its metadata): how a renewal that arrives before that
    // order's own payment was recorded finds it.
    orderId: invoice.parent?.subscription_details?.metadata?.orderId ?? null,
    providerPaymentId: invoice.id,
    status: 'paid',
    amount: invoice.amount_paid,
    currency: invoice.currency.toUpperCase(),
    refundedAmount: 0,
    method: null,
    paidAt: fromUnix(invoice.status_transitions?.paid_at ?? eventCreated),
    failure: null,
    savedMethod: customerKey ? { reference: subscription, customerKey } : null,
  };
  return { eventId, type: 'renewal-paid', subscriptionReference: subscription, payment, periodEnd: servicePeriodEnd(invoice) };
}

function renewalFailed(eventId: string, invoice: Stripe.Invoice): VerifiedEvent {
  // The first invoice fails inside Checkout, where the customer sees it and can try another card.
  if (invoice.billing_reason === 'subscription_create') return ignored(eventId, `Invoice ${invoice.id} is a subscription's first, handled by its Checkout Session`);
  const subscription = invoiceSubscription(invoice);
  if (!subscription) return ignored(eventId, `Invoice ${invoice.id} is not a subscription's`);
  const retry = invoice.next_payment_attempt ? `Stripe tries again at ${fromUnix(invoice.next_payment_attempt).toISOString()}` : 'Stripe will not try again';
  const failure = { code: 'INVOICE_PAYMENT_FAILED', message: `Invoice ${invoice.id}: attempt ${invoice.attempt_count} failed; ${retry}` };
  return { eventId, type: 'renewal-failed', subscriptionReference: subscription, failure };
}

/**
 * The invoice's subscription. API versions from 2025-03-31 (this SDK's) keep it under
 * parent.subscription_details; older accounts still send the top-level `subscription`.
 */
function invoiceSubscription(invoice: Stripe.Invoice): string | null {
  const current = invoice.parent?.subscription_details?.subscription;
  if (current) return idOf(current);
  const legacy = (invoice as unknown as { subscription?: unknown }).subscription;
  if (typeof legacy === 'string') return legacy;
  return hasId(legacy) ? legacy.id : null;
}

/**
 * The PaymentIntent that paid an invoice: its default paid payment (`payments`, expanded), or
 * the top-level `payment_intent` of API versions before 2025-03-31.
 */
function invoicePaymentIntent(invoice: Stripe.Invoice): string | Stripe.PaymentIntent | null {
  const payments = invoice.payments?.data ?? [];
  const paid = payments.find((payment) => payment.status === 'paid') ?? payments.find((payment) => payment.is_default);
  if (paid?.payment.payment_intent) return paid.payment.payment_intent;
  const legacy = (invoice as unknown as { payment_intent?: unknown }).payment_intent;
  if (typeof legacy === 'string') return legacy;
  return hasId(legacy) ? (legacy as Stripe.PaymentIntent) : null;
}

/**
 * The end of the period a renewal pays for: its subscription line's period. (`invoice.period_end`
 * is not it: for a subscription invoice that is the end of the period just finished.)
 */
function servicePeriodEnd(invoice: Stripe.Invoice): Date | null {
  const ends = (invoice.lines?.data ?? []).map((line) => line.period?.end).filter((end): end is number => typeof end === 'number');
  return ends.length > 0 ? fromUnix(Math.max(...ends)) : null;
}

function refundStatus(status: string | null): ProviderRefund['status'] {
  if (status === 'succeeded') return 'succeeded';
  if (status === 'failed' || status === 'canceled') return 'failed';
  // pending, requires_action: Stripe settles it later (charge.refunded tells us).
  return 'pending';
}

/**
 * Stripe's definitive answers (4xx about the request: declined card, invalid or unknown object)
 * are declines. Everything else leaves the outcome unknown: 5xx, 429, network and timeouts; an
 * idempotency conflict (the same key still being processed by a concurrent call, whose outcome we
 * do not know yet); and 401/403 — a wrong or restricted key is our configuration, not Stripe's word
 * on the payment, and must not fail orders that may well be paid.
 */
function providerError(error: unknown): unknown {
  if (!(error instanceof Stripe.errors.StripeError)) return error;
  const definitive = error instanceof Stripe.errors.StripeCardError || (error instanceof Stripe.errors.StripeInvalidRequestError && error.statusCode !== 409);
  if (definitive) return new ProviderDeclinedError(error.code ?? error.rawType ?? error.type, error.message, error.statusCode);
  const status = error.statusCode ? ` (HTTP ${error.statusCode})` : '';
  return new ProviderUnavailableError(`Stripe did not answer${status}: ${error.message}`, { cause: error });
}

/** Stripe's "No such …" for an id we asked about. */
function isMissing(error: unknown): boolean {
  return error instanceof ProviderDeclinedError && error.code === 'resource_missing';
}

function ignored(eventId: string, reason: string): VerifiedEvent {
  return { eventId, type: 'ignored', reason };
}

function idOf(field: string | { id: string }): string {
  return typeof field === 'string' ? field : field.id;
}

function hasId(value: unknown): value is { id: string } {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string';
}

function fromUnix(seconds: number): Date {
  return new Date(seconds * 1000);
}

/** Node lower-cases header names; a caller that did not is still understood. */
function headerValue(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  if (headers[name] !== undefined) return headers[name];
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}
