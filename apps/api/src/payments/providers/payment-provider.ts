/**
 * The one interface every payment provider adapter implements (instant, Toss Payments, Stripe).
 * Amounts are integers in the currency's minor unit (KRW has none: 5,000 won is 5000).
 *
 * An adapter speaks to its provider and returns what the provider says, nothing more: it never
 * touches our database. PaymentsService decides what an answer does to an order.
 *
 * Errors: an adapter throws `ProviderDeclinedError` when the provider gave a definitive "no"
 * (declined card, rejected amount, unknown payment), and `ProviderUnavailableError` when the answer
 * is unknown (5xx, timeout, network): the order then stays pending and reconciliation asks again.
 */

export type ProviderName = 'instant' | 'toss' | 'stripe';

/** What is being bought: a one-off token package, or the first month of a monthly product. */
export type OrderKind = 'package' | 'subscription';

export interface CheckoutOrder {
  /** Our order id (a UUID): Toss's orderId, Stripe's client_reference_id and metadata.orderId. */
  orderId: string;
  /** Shown in the payment window, e.g. "스탠다드 20만 토큰". */
  orderName: string;
  amount: number;
  /** ISO 4217, upper case ("KRW"). */
  currency: string;
  kind: OrderKind;
  /** The package or monthly product id (metadata for the provider). */
  productId: string;
  /** Stable, opaque per user (Toss customerKey; Stripe metadata.customerKey). */
  customerKey: string;
  customerEmail: string | null;
  /** Our return pages. Toss appends paymentKey/orderId/amount (or authKey/customerKey for billing); Stripe gets {CHECKOUT_SESSION_ID}. */
  successUrl: string;
  failUrl: string;
  /** When the payment window should stop taking the payment (Stripe: expires_at, 30 min to 24 h ahead). */
  expiresAt?: Date;
  /**
   * A plan at a provider that renews by itself (Stripe): when it first renews, on its fixed day
   * (the billing cycle anchor); this payment pays for the months up to it, each renewal the next.
   */
  renewsAt?: Date;
}

/** How the browser reaches the payment window. */
export type Checkout =
  /** Nothing to do in a browser: confirm at once (development only). */
  | { type: 'instant' }
  /** Send the browser to `url` (Stripe Checkout). `sessionId` is kept on the order. */
  | { type: 'redirect'; url: string; sessionId: string }
  /** Load Toss's JS SDK from `sdkUrl` and call requestPayment (flow payment) or requestBillingAuth (flow billing). */
  | {
      type: 'toss';
      flow: 'payment' | 'billing';
      sdkUrl: string;
      clientKey: string;
      customerKey: string;
      orderId: string;
      orderName: string;
      amount: number;
      currency: string;
      customerEmail: string | null;
      successUrl: string;
      failUrl: string;
    };

/** Where an order stands with its provider. */
export type ProviderPaymentStatus = 'pending' | 'paid' | 'failed' | 'canceled' | 'partially_canceled';

export interface ProviderPayment {
  /** Our order id as the provider knows it (null when the provider does not carry it). */
  orderId: string | null;
  /** Toss paymentKey, Stripe PaymentIntent id (or the invoice's), null while none exists. */
  providerPaymentId: string | null;
  status: ProviderPaymentStatus;
  /** The total the provider charged (or will charge). */
  amount: number;
  currency: string;
  /** How much of it has been refunded so far. */
  refundedAmount: number;
  /** Human label of the method, e.g. "카드", "간편결제", "card". */
  method: string | null;
  paidAt: Date | null;
  failure: { code: string; message: string } | null;
  /** For a subscription's first payment: what charges the saved method again (Toss billingKey, Stripe subscription id). */
  savedMethod: SavedMethod | null;
  /** For a subscription's first payment at a provider that renews by itself: when it first renews (Stripe's billing_cycle_anchor). */
  renewsAt?: Date | null;
}

/** A customer's saved payment method for renewals. */
export interface SavedMethod {
  /** Toss: billingKey. Stripe: subscription id (Stripe renews by itself). */
  reference: string;
  customerKey: string;
}

/** What the adapter needs to find an order again at its provider. */
export interface OrderRef {
  orderId: string;
  amount: number;
  currency: string;
  providerPaymentId: string | null;
  /** Stripe Checkout Session id. */
  providerSessionId: string | null;
  customerKey: string;
}

/** A webhook after the adapter verified it (signature, or a re-read from the provider's API). */
export type VerifiedEvent =
  | {
      /** Dedupe key: a replayed delivery has the same id. */
      eventId: string;
      /** A one-off payment or a subscription's first payment changed; `payment` is the provider's truth. */
      type: 'payment';
      payment: ProviderPayment;
    }
  | {
      eventId: string;
      /** A subscription renewed by the provider (Stripe invoice.paid for a later period). */
      type: 'renewal-paid';
      subscriptionReference: string;
      payment: ProviderPayment;
      periodEnd: Date | null;
    }
  | {
      eventId: string;
      /** A renewal charge failed at the provider (Stripe invoice.payment_failed). */
      type: 'renewal-failed';
      subscriptionReference: string;
      failure: { code: string; message: string };
    }
  | {
      eventId: string;
      /** The provider ended the subscription (Stripe customer.subscription.deleted). */
      type: 'subscription-ended';
      subscriptionReference: string;
    }
  | {
      eventId: string;
      /** Nothing we act on (an event type we do not use, a payment unknown to the provider). */
      type: 'ignored';
      reason: string;
    };

export interface ProviderRefund {
  /** The provider's id of this refund (Toss: the cancel's transactionKey; Stripe: re_…). */
  refundId: string;
  amount: number;
  status: 'succeeded' | 'pending' | 'failed';
}

export interface PaymentProvider {
  readonly name: ProviderName;
  /** The currency this provider charges in (Toss: KRW; Stripe: STRIPE_CURRENCY). */
  readonly currency: string;
  /** Who charges a saved method at each renewal: we (Toss billing key) or the provider (Stripe subscriptions). */
  readonly renewals: 'merchant' | 'provider';

  /** Opens a payment for an order (Stripe creates a Checkout Session; Toss needs no call). */
  createCheckout(order: CheckoutOrder): Promise<Checkout>;

  /**
   * Confirms a payment from the query of the success return page (Toss: paymentKey, orderId,
   * amount — or authKey, customerKey for a subscription; Stripe: session_id). The caller has
   * already checked that the return's amount, if any, equals the order's.
   */
  confirm(order: OrderRef & { kind: OrderKind; orderName: string }, returned: Readonly<Record<string, string>>): Promise<ProviderPayment>;

  /** The provider's current truth about an order; null when the provider never saw it. */
  lookup(order: OrderRef): Promise<ProviderPayment | null>;

  /**
   * Verifies a webhook delivery and returns what it means. Throws `InvalidWebhookError` for a
   * forged or stale delivery. An adapter whose provider does not sign its webhooks (Toss) re-reads
   * the payment from the API and returns that, never the body's claims.
   */
  parseWebhook(rawBody: Buffer, headers: Readonly<Record<string, string | undefined>>): Promise<VerifiedEvent[]>;

  /** Refunds part or all of a paid order. `idempotencyKey` makes a retried call one refund. */
  refund(order: OrderRef, refund: { amount: number; reason: string; idempotencyKey: string }): Promise<ProviderRefund>;

  /**
   * Where a refund the provider already answered (with `refundId`) stands now; null when the
   * provider does not know it. Asked instead of refunding again, which would be a second refund
   * once the provider forgot the idempotency key.
   */
  refundStatus(order: OrderRef, refund: { refundId: string; amount: number }): Promise<ProviderRefund | null>;

  /**
   * Charges a saved method again for a renewal (merchant renewals only: Toss billing key).
   * `orderId` is the renewal's own order; `idempotencyKey` makes a retried call one charge.
   */
  chargeSaved(saved: SavedMethod, charge: { orderId: string; orderName: string; amount: number; currency: string; idempotencyKey: string; customerEmail: string | null }): Promise<ProviderPayment>;

  /** Stops a provider-managed subscription (Stripe); merchant renewals just stop charging. */
  cancelSaved(saved: SavedMethod): Promise<void>;
}

/** The provider said no, for good: a declined card, an invalid or unknown payment. */
export class ProviderDeclinedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ProviderDeclinedError';
  }
}

/** The provider did not answer, or answered 5xx: the outcome is unknown and must be asked again later. */
export class ProviderUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderUnavailableError';
  }
}

/** A webhook delivery that cannot be trusted: bad or missing signature, stale timestamp, unparsable body. */
export class InvalidWebhookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidWebhookError';
  }
}
