import { createHmac, randomBytes } from 'node:crypto';
import http from 'node:http';
import Stripe from 'stripe';
import { LocalServer } from './local-server.js';

/**
 * A Stripe API for tests: real HTTP, driven through the real `stripe` SDK. It implements exactly
 * the endpoints StripeProvider calls, with Stripe's form-encoded bodies, Bearer auth, idempotency
 * keys, error envelope and object shapes (API version of the installed SDK), plus a hosted
 * Checkout page for browsers and signed webhooks.
 *
 * Endpoints: POST /v1/checkout/sessions; GET /v1/{checkout/sessions, payment_intents, charges,
 * invoices, subscriptions, refunds}/:id (with expand[]); POST /v1/refunds; DELETE /v1/subscriptions/:id.
 * Webhooks: the events our endpoint subscribes to, and only those: checkout.session.completed /
 * .expired, invoice.paid, invoice.payment_failed, customer.subscription.deleted, charge.refunded
 * (async_payment_* only through `sendEvent`).
 */

export interface FakeStripeOptions {
  secretKey: string;
  webhookSecret: string;
  /** Where signed events are POSTed. Without it, events are still signed and logged in `deliveries`. */
  webhookUrl?: string;
}

/** A form or query parameter as the SDK encodes it: `a[b][0][c]=v`. */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormParams = { [key: string]: FormValue };

export interface RecordedStripeRequest {
  method: string;
  path: string;
  query: FormParams;
  body: FormParams;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
}

export interface StripeEventEnvelope {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  data: { object: object; previous_attributes?: object };
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
}

export interface WebhookDelivery {
  event: StripeEventEnvelope;
  /** The exact bytes sent (and signed). */
  payload: string;
  /** The Stripe-Signature header sent with them. */
  signature: string;
  /** The receiver's HTTP status; null when no webhookUrl is set or the POST failed. */
  status: number | null;
  error?: string;
}

export type FailureKind = 'status500' | 'timeout';

// The Stripe objects the fake keeps. Ids are strings; an expandable field holds the id.
type Metadata = Record<string, string>;

interface LineItemData {
  currency: string;
  unitAmount: number;
  quantity: number;
  name: string;
  interval: string | null;
}

export interface FakeSession {
  id: string;
  object: 'checkout.session';
  amount_subtotal: number;
  amount_total: number;
  cancel_url: string | null;
  client_reference_id: string | null;
  created: number;
  currency: string;
  customer: string | null;
  customer_email: string | null;
  expires_at: number;
  invoice: string | null;
  livemode: false;
  metadata: Metadata;
  mode: 'payment' | 'subscription';
  payment_intent: string | null;
  payment_method_types: string[];
  payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  status: 'open' | 'complete' | 'expired';
  subscription: string | null;
  success_url: string;
  ui_mode: 'hosted_page';
  url: string | null;
}

interface FakePaymentError {
  type: 'card_error';
  code: string;
  decline_code: string;
  message: string;
}

interface FakePaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  created: number;
  currency: string;
  customer: string | null;
  last_payment_error: FakePaymentError | null;
  latest_charge: string | null;
  livemode: false;
  metadata: Metadata;
  payment_method_types: string[];
  status: 'requires_payment_method' | 'succeeded';
}

interface FakeCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  created: number;
  currency: string;
  customer: string | null;
  failure_code: string | null;
  failure_message: string | null;
  livemode: false;
  metadata: Metadata;
  paid: boolean;
  payment_intent: string;
  payment_method_details: { type: 'card'; card: { brand: string; last4: string } };
  refunded: boolean;
  status: 'succeeded' | 'failed';
}

interface FakeSubscription {
  id: string;
  object: 'subscription';
  canceled_at: number | null;
  created: number;
  currency: string;
  customer: string;
  ended_at: number | null;
  items: {
    object: 'list';
    data: {
      id: string;
      object: 'subscription_item';
      current_period_start: number;
      current_period_end: number;
      price: { id: string; object: 'price'; currency: string; unit_amount: number; recurring: { interval: string; interval_count: number } };
      quantity: number;
    }[];
    has_more: false;
    url: string;
  };
  /** When the monthly billing recurs from: the creation, or the anchor asked for at checkout. */
  billing_cycle_anchor: number;
  latest_invoice: string | null;
  livemode: false;
  metadata: Metadata;
  status: 'active' | 'past_due' | 'canceled';
}

export interface FakeInvoice {
  id: string;
  object: 'invoice';
  amount_due: number;
  amount_paid: number;
  amount_remaining: number;
  attempt_count: number;
  attempted: boolean;
  billing_reason: 'subscription_create' | 'subscription_cycle';
  created: number;
  currency: string;
  customer: string;
  lines: {
    object: 'list';
    data: { id: string; object: 'line_item'; amount: number; currency: string; description: string; period: { start: number; end: number } }[];
    has_more: false;
    url: string;
  };
  livemode: false;
  next_payment_attempt: number | null;
  parent: { type: 'subscription_details'; quote_details: null; subscription_details: { metadata: Metadata; subscription: string } };
  period_end: number;
  period_start: number;
  status: 'open' | 'paid';
  status_transitions: { finalized_at: number; paid_at: number | null };
  total: number;
}

interface FakeInvoicePayment {
  id: string;
  object: 'invoice_payment';
  amount_paid: number | null;
  amount_requested: number;
  created: number;
  currency: string;
  invoice: string;
  is_default: boolean;
  livemode: false;
  payment: { type: 'payment_intent'; payment_intent: string };
  status: 'open' | 'paid';
  status_transitions: { canceled_at: null; paid_at: number | null };
}

interface FakeRefund {
  id: string;
  object: 'refund';
  amount: number;
  charge: string;
  created: number;
  currency: string;
  metadata: Metadata;
  payment_intent: string;
  reason: string | null;
  status: 'succeeded';
}

type FakeObject = FakeSession | FakePaymentIntent | FakeCharge | FakeSubscription | FakeInvoice | FakeInvoicePayment | FakeRefund;

/** An error answered in Stripe's envelope. */
class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

interface ApiResponse {
  status: number;
  body: object;
}

/** What Stripe accepts on the Checkout Session create call; anything else is an unknown parameter. */
const SESSION_PARAMS = new Set([
  'mode',
  'line_items',
  'client_reference_id',
  'metadata',
  'payment_intent_data',
  'subscription_data',
  'customer_email',
  'success_url',
  'cancel_url',
  'expand',
  'expires_at',
  'locale',
  'payment_method_types',
]);
const REFUND_PARAMS = new Set(['payment_intent', 'amount', 'metadata', 'reason', 'expand']);
const REFUND_REASONS = new Set(['duplicate', 'fraudulent', 'requested_by_customer']);

/** The retrievable collections, with the object name Stripe's "No such …" message uses. */
const COLLECTIONS: Record<string, FakeObject['object']> = {
  'checkout/sessions': 'checkout.session',
  payment_intents: 'payment_intent',
  charges: 'charge',
  invoices: 'invoice',
  subscriptions: 'subscription',
  refunds: 'refund',
};

const DAY_SECONDS = 86_400;

export class FakeStripeServer {
  readonly requests: RecordedStripeRequest[] = [];
  readonly deliveries: WebhookDelivery[] = [];
  webhookUrl: string | undefined;
  private readonly objects = new Map<string, FakeObject>();
  private readonly lineItems = new Map<string, LineItemData[]>();
  /** What create took for the objects paying creates later: the PaymentIntent's and the subscription's metadata. */
  private readonly sessionExtras = new Map<string, { paymentIntentMetadata: Metadata; subscriptionMetadata: Metadata; billingCycleAnchor: number | null }>();
  /** Stripe's "now" for subscriptions (their periods, the anchor's checks); real time unless a test moves it (`useClock`). */
  private clock: () => Date = () => new Date();
  private readonly idempotent = new Map<string, { fingerprint: string; response: ApiResponse }>();
  private readonly failures: FailureKind[] = [];
  private readonly pendingDeliveries = new Set<Promise<void>>();
  private server: LocalServer | null = null;

  constructor(private readonly options: FakeStripeOptions) {
    this.webhookUrl = options.webhookUrl;
  }

  get url(): string {
    return `${this.server!.origin}`;
  }

  async start(): Promise<this> {
    this.server = await LocalServer.listen((request, response) => void this.handle(request, response));
    return this;
  }

  async stop(): Promise<void> {
    await this.settle();
    await this.server?.close();
  }

  /** The next `count` API calls (not the hosted page) fail: a 500, or no answer at all. */
  failNext(kind: FailureKind, count = 1): void {
    for (let index = 0; index < count; index += 1) this.failures.push(kind);
  }

  /** Stripe is back: failures queued by failNext and not yet used are dropped. */
  clearFailures(): void {
    this.failures.length = 0;
  }

  /** Subscriptions start, and anchors are checked, on this clock (e.g. the API's test clock), as on Stripe's own. */
  useClock(clock: () => Date): void {
    this.clock = clock;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }

  /** Waits for the webhooks sent after an API call (refund, cancel) answered. */
  async settle(): Promise<void> {
    while (this.pendingDeliveries.size > 0) await Promise.all([...this.pendingDeliveries]);
  }

  // ---- State, for assertions and tampering ----

  session(id: string): FakeSession {
    return this.get(id, 'checkout.session');
  }

  paymentIntent(id: string): FakePaymentIntent {
    return this.get(id, 'payment_intent');
  }

  charge(id: string): FakeCharge {
    return this.get(id, 'charge');
  }

  subscription(id: string): FakeSubscription {
    return this.get(id, 'subscription');
  }

  invoice(id: string): FakeInvoice {
    return this.get(id, 'invoice');
  }

  refunds(): FakeRefund[] {
    return [...this.objects.values()].filter((object): object is FakeRefund => object.object === 'refund');
  }

  /** Changes a stored session, e.g. its amount, to play a tampered or mismatched one. */
  patchSession(id: string, patch: Partial<FakeSession>): FakeSession {
    return Object.assign(this.session(id), patch);
  }

  // ---- What a customer or Stripe does ----

  /**
   * The customer pays on the hosted page: the session completes, a PaymentIntent and charge exist
   * (plus customer, subscription, first invoice in subscription mode), and the signed
   * checkout.session.completed is delivered (awaited, so tests are deterministic).
   */
  async pay(sessionId: string, options: { sendWebhook?: boolean } = {}): Promise<FakeSession> {
    const session = this.openSession(sessionId);
    if (session.mode === 'payment') this.payPaymentSession(session);
    else this.paySubscriptionSession(session);
    session.status = 'complete';
    session.payment_status = 'paid';
    session.url = null;
    if (options.sendWebhook !== false) {
      if (session.invoice) await this.emit('invoice.paid', this.invoice(session.invoice));
      await this.emit('checkout.session.completed', session);
    }
    return session;
  }

  /** The card is declined on the hosted page: Stripe keeps the session open for another try. */
  decline(sessionId: string): FakeSession {
    const session = this.openSession(sessionId);
    if (session.mode === 'payment') {
      const paymentIntent = this.sessionPaymentIntent(session);
      const charge = this.createCharge(paymentIntent, 'failed');
      paymentIntent.latest_charge = charge.id;
      paymentIntent.status = 'requires_payment_method';
      paymentIntent.last_payment_error = { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' };
    }
    return session;
  }

  /** The session's 24 hours ran out (or it was expired through the API). */
  async expire(sessionId: string): Promise<FakeSession> {
    const session = this.openSession(sessionId);
    session.status = 'expired';
    session.url = null;
    await this.emit('checkout.session.expired', session);
    return session;
  }

  /** Stripe bills the next month: invoice.paid (subscription_cycle), or invoice.payment_failed. */
  async renew(subscriptionId: string, options: { fail?: boolean } = {}): Promise<FakeInvoice> {
    const subscription = this.subscription(subscriptionId);
    if (subscription.status === 'canceled') throw new Error(`Subscription ${subscriptionId} is canceled`);
    const item = subscription.items.data[0]!;
    const start = item.current_period_end;
    const invoice = this.createInvoice(subscription, 'subscription_cycle', [
      { amount: item.price.unit_amount * item.quantity, description: '1 × subscription', period: { start, end: addMonth(start) } },
    ]);
    if (options.fail) {
      this.failInvoice(invoice);
      subscription.status = 'past_due';
      await this.emit('invoice.payment_failed', invoice);
    } else {
      this.payInvoice(invoice, subscription.customer);
      item.current_period_start = start;
      item.current_period_end = addMonth(start);
      subscription.status = 'active';
      await this.emit('invoice.paid', invoice);
    }
    subscription.latest_invoice = invoice.id;
    return invoice;
  }

  /** The subscription ends at Stripe (Dashboard, or all retries failed). */
  async deleteSubscription(subscriptionId: string): Promise<FakeSubscription> {
    const subscription = this.cancelSubscription(subscriptionId);
    await this.emit('customer.subscription.deleted', subscription);
    return subscription;
  }

  /** A refund made in the Dashboard, which we learn of through charge.refunded only. */
  async refundInDashboard(paymentIntentId: string, amount?: number): Promise<FakeRefund> {
    const { refund, charge, previous } = this.createRefund(paymentIntentId, amount, {}, null);
    await this.emit('charge.refunded', charge, previous);
    return refund;
  }

  /**
   * Delivers any event: a forged one (`signatureSecret` other than the endpoint's), a stale one
   * (`timestamp` in the past), or one the fake never sends by itself.
   */
  async sendEvent(type: string, object: object, options: { signatureSecret?: string; timestamp?: number } = {}): Promise<WebhookDelivery> {
    return this.deliver(this.envelope(type, object), options);
  }

  /** Stripe delivers the same event again (it retries until a 2xx): same id, fresh signature. */
  async redeliver(eventId: string): Promise<WebhookDelivery> {
    const first = this.deliveries.find((delivery) => delivery.event.id === eventId);
    if (!first) throw new Error(`No event ${eventId} was delivered`);
    return this.deliver(first.event, {});
  }

  /** The Stripe-Signature header for a payload, exactly as Stripe computes it. */
  signatureHeader(payload: string, options: { signatureSecret?: string; timestamp?: number } = {}): string {
    const timestamp = options.timestamp ?? now();
    const signature = createHmac('sha256', options.signatureSecret ?? this.options.webhookSecret)
      .update(`${timestamp}.${payload}`)
      .digest('hex');
    return `t=${timestamp},v1=${signature}`;
  }

  // ---- HTTP ----

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of request) raw += chunk;
    const url = new URL(request.url ?? '/', 'http://fake');
    try {
      if (url.pathname.startsWith('/c/pay/')) {
        await this.handlePage(request.method ?? 'GET', url.pathname, response);
        return;
      }
      if (url.pathname.startsWith('/v1/')) {
        await this.handleApi(request, url, raw, response);
        return;
      }
      sendJson(response, { status: 404, body: errorBody(new StripeApiError(404, 'invalid_request_error', `Unrecognized request URL (${request.method}: ${url.pathname}).`)) });
    } catch (error) {
      if (!response.headersSent) sendJson(response, { status: 500, body: { error: { type: 'api_error', message: String(error) } } });
    }
  }

  private async handleApi(request: http.IncomingMessage, url: URL, raw: string, response: http.ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const idempotencyKey = header(request, 'idempotency-key');
    const recorded: RecordedStripeRequest = {
      method,
      path: url.pathname,
      query: parseForm(url.searchParams),
      body: parseForm(new URLSearchParams(raw)),
      authorization: header(request, 'authorization'),
      idempotencyKey,
    };
    this.requests.push(recorded);
    const failure = this.failures.shift();
    if (failure === 'timeout') return; // never answered; the socket is closed by the client or by stop()
    if (failure === 'status500') {
      sendJson(response, { status: 500, body: errorBody(new StripeApiError(500, 'api_error', 'Fake Stripe failure: please try again.')) });
      return;
    }
    if (recorded.authorization !== `Bearer ${this.options.secretKey}`) {
      const key = recorded.authorization?.replace(/^Bearer /, '') ?? '';
      sendJson(response, { status: 401, body: errorBody(new StripeApiError(401, 'invalid_request_error', `Invalid API Key provided: ${maskKey(key)}`)) });
      return;
    }
    sendJson(response, this.idempotently(method, url.pathname, raw, idempotencyKey, () => this.route(method, url.pathname, recorded)));
  }

  /**
   * Stripe saves the first answer to a POST with an Idempotency-Key and replays it; the same key
   * with other parameters is an idempotency_error. (A 500 is not saved: the call may be retried.)
   */
  private idempotently(method: string, path: string, raw: string, key: string | undefined, run: () => ApiResponse): ApiResponse {
    if (method !== 'POST' || !key) return this.answer(run);
    const fingerprint = `${method} ${path} ${raw}`;
    const saved = this.idempotent.get(key);
    if (saved && saved.fingerprint !== fingerprint) {
      const message = `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`;
      return { status: 400, body: errorBody(new StripeApiError(400, 'idempotency_error', message)) };
    }
    if (saved) return saved.response;
    const response = this.answer(run);
    if (response.status < 500) this.idempotent.set(key, { fingerprint, response });
    return response;
  }

  private answer(run: () => ApiResponse): ApiResponse {
    try {
      return run();
    } catch (error) {
      if (error instanceof StripeApiError) return { status: error.status, body: errorBody(error) };
      throw error;
    }
  }

  private route(method: string, path: string, request: RecordedStripeRequest): ApiResponse {
    const expand = stringList(request.method === 'GET' || request.method === 'DELETE' ? request.query.expand : request.body.expand);
    if (method === 'POST' && path === '/v1/checkout/sessions') return ok(this.render(this.createSession(request.body), expand));
    if (method === 'POST' && path === '/v1/refunds') return ok(this.render(this.createRefundFromApi(request.body), expand));
    const subscriptionMatch = /^\/v1\/subscriptions\/([^/]+)$/.exec(path);
    if (method === 'DELETE' && subscriptionMatch) return ok(this.render(this.cancelFromApi(decodeURIComponent(subscriptionMatch[1]!)), expand));
    const retrieveMatch = /^\/v1\/(checkout\/sessions|payment_intents|charges|invoices|subscriptions|refunds)\/([^/]+)$/.exec(path);
    if (method === 'GET' && retrieveMatch) {
      const object = this.get(decodeURIComponent(retrieveMatch[2]!), COLLECTIONS[retrieveMatch[1]!]!);
      return ok(this.render(object, expand));
    }
    throw new StripeApiError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}). The fake implements only the endpoints StripeProvider calls.`);
  }

  // ---- Checkout Sessions ----

  private createSession(body: FormParams): FakeSession {
    rejectUnknown(body, SESSION_PARAMS);
    const mode = requiredString(body, 'mode');
    if (mode !== 'payment' && mode !== 'subscription') throw invalid(`Invalid mode: must be one of payment, setup, or subscription`, 'mode');
    const items = lineItems(body.line_items, mode);
    const successUrl = requiredString(body, 'success_url');
    if (mode === 'payment' && body.subscription_data !== undefined) throw invalid('You can not pass `subscription_data` in `payment` mode.', 'subscription_data');
    if (mode === 'subscription' && body.payment_intent_data !== undefined) throw invalid('You can not pass `payment_intent_data` in `subscription` mode.', 'payment_intent_data');
    const billingCycleAnchor = this.billingCycleAnchor(body.subscription_data);
    // Anchored without prorations, the recurring prices start at the anchor: the first invoice has the one-time lines only.
    const charged = billingCycleAnchor === null ? items : items.filter((item) => item.interval === null);
    const amount = charged.reduce((sum, item) => sum + item.unitAmount * item.quantity, 0);
    const id = newId('cs_test_', 58);
    const session: FakeSession = {
      id,
      object: 'checkout.session',
      amount_subtotal: amount,
      amount_total: amount,
      cancel_url: optionalString(body, 'cancel_url'),
      client_reference_id: optionalString(body, 'client_reference_id'),
      created: now(),
      currency: items[0]!.currency,
      customer: null,
      customer_email: optionalString(body, 'customer_email'),
      expires_at: expiresAt(body),
      invoice: null,
      livemode: false,
      metadata: metadataOf(body.metadata),
      mode,
      // Since API 2022-08-01 the PaymentIntent is created when the customer first tries to pay.
      payment_intent: null,
      payment_method_types: ['card'],
      payment_status: 'unpaid',
      status: 'open',
      subscription: null,
      success_url: successUrl,
      ui_mode: 'hosted_page',
      url: `${this.url}/c/pay/${id}`,
    };
    this.objects.set(id, session);
    this.lineItems.set(id, items);
    this.sessionExtras.set(id, {
      paymentIntentMetadata: metadataOf(field(body.payment_intent_data, 'metadata')),
      subscriptionMetadata: metadataOf(field(body.subscription_data, 'metadata')),
      billingCycleAnchor,
    });
    return session;
  }

  /** subscription_data[billing_cycle_anchor]: a future time before the natural next billing date (a month from now). */
  private billingCycleAnchor(subscriptionData: FormValue | undefined): number | null {
    const anchor = field(subscriptionData, 'billing_cycle_anchor');
    const proration = field(subscriptionData, 'proration_behavior');
    if (proration !== undefined && proration !== 'none' && proration !== 'create_prorations') {
      throw invalid('Invalid subscription_data[proration_behavior]: must be one of create_prorations or none', 'subscription_data[proration_behavior]');
    }
    if (anchor === undefined) return null;
    const at = integer(anchor, 'subscription_data[billing_cycle_anchor]');
    const current = this.nowSeconds();
    if (at <= current || at >= addMonth(current)) {
      throw invalid('`billing_cycle_anchor` must be a future timestamp before the next natural subscription billing date.', 'subscription_data[billing_cycle_anchor]');
    }
    // This fake does not compute prorations: an anchor is taken with proration_behavior=none only.
    if (proration !== 'none') throw invalid('The fake Stripe supports billing_cycle_anchor with proration_behavior=none only.', 'subscription_data[proration_behavior]');
    return at;
  }


  private openSession(sessionId: string): FakeSession {
    const session = this.session(sessionId);
    if (session.status !== 'open') throw new Error(`Checkout Session ${sessionId} is ${session.status}, not open`);
    return session;
  }

  /** The session's PaymentIntent, created on the first attempt to pay (payment mode). */
  private sessionPaymentIntent(session: FakeSession): FakePaymentIntent {
    if (session.payment_intent) return this.paymentIntent(session.payment_intent);
    const paymentIntent = this.createPaymentIntent(session.amount_total, session.currency, null, this.sessionExtras.get(session.id)?.paymentIntentMetadata ?? {});
    session.payment_intent = paymentIntent.id;
    return paymentIntent;
  }

  private payPaymentSession(session: FakeSession): void {
    const paymentIntent = this.sessionPaymentIntent(session);
    this.succeed(paymentIntent);
  }

  private paySubscriptionSession(session: FakeSession): void {
    const customer = newId('cus_', 14);
    const items = this.lineItems.get(session.id)!;
    const item = items.find((candidate) => candidate.interval !== null)!;
    const anchor = this.sessionExtras.get(session.id)?.billingCycleAnchor ?? null;
    const start = this.nowSeconds();
    const periodEnd = anchor ?? addMonth(start);
    const subscription: FakeSubscription = {
      id: newId('sub_', 24),
      object: 'subscription',
      canceled_at: null,
      created: start,
      currency: session.currency,
      customer,
      ended_at: null,
      items: {
        object: 'list',
        data: [
          {
            id: newId('si_', 14),
            object: 'subscription_item',
            current_period_start: start,
            current_period_end: periodEnd,
            price: { id: newId('price_', 24), object: 'price', currency: item.currency, unit_amount: item.unitAmount, recurring: { interval: item.interval ?? 'month', interval_count: 1 } },
            quantity: item.quantity,
          },
        ],
        has_more: false,
        url: '/v1/subscription_items',
      },
      billing_cycle_anchor: anchor ?? start,
      latest_invoice: null,
      livemode: false,
      metadata: this.sessionExtras.get(session.id)?.subscriptionMetadata ?? {},
      status: 'active',
    };
    this.objects.set(subscription.id, subscription);
    // The one-time lines, and the recurring one up to the anchor (free: nothing prorated) or for its first month.
    const lines = [
      ...items.filter((line) => line.interval === null).map((line) => ({ amount: line.unitAmount * line.quantity, description: line.name, period: { start, end: start } })),
      { amount: anchor === null ? item.unitAmount * item.quantity : 0, description: `1 × ${item.name}`, period: { start, end: periodEnd } },
    ];
    const invoice = this.createInvoice(subscription, 'subscription_create', lines);
    this.payInvoice(invoice, customer);
    subscription.latest_invoice = invoice.id;
    Object.assign(session, { customer, subscription: subscription.id, invoice: invoice.id });
  }

  // ---- Payments ----

  private createPaymentIntent(amount: number, currency: string, customer: string | null, metadata: Metadata): FakePaymentIntent {
    const paymentIntent: FakePaymentIntent = {
      id: newId('pi_', 24),
      object: 'payment_intent',
      amount,
      amount_received: 0,
      created: now(),
      currency,
      customer,
      last_payment_error: null,
      latest_charge: null,
      livemode: false,
      metadata: { ...metadata },
      payment_method_types: ['card'],
      status: 'requires_payment_method',
    };
    this.objects.set(paymentIntent.id, paymentIntent);
    return paymentIntent;
  }

  /** A successful charge on the PaymentIntent. */
  private succeed(paymentIntent: FakePaymentIntent): FakeCharge {
    const charge = this.createCharge(paymentIntent, 'succeeded');
    Object.assign(paymentIntent, { status: 'succeeded', amount_received: paymentIntent.amount, latest_charge: charge.id, last_payment_error: null });
    return charge;
  }

  private createCharge(paymentIntent: FakePaymentIntent, status: FakeCharge['status']): FakeCharge {
    const succeeded = status === 'succeeded';
    const charge: FakeCharge = {
      id: newId('ch_', 24),
      object: 'charge',
      amount: paymentIntent.amount,
      amount_captured: succeeded ? paymentIntent.amount : 0,
      amount_refunded: 0,
      captured: succeeded,
      created: now(),
      currency: paymentIntent.currency,
      customer: paymentIntent.customer,
      failure_code: succeeded ? null : 'card_declined',
      failure_message: succeeded ? null : 'Your card was declined.',
      livemode: false,
      // Stripe copies the PaymentIntent's metadata to the charges it creates.
      metadata: { ...paymentIntent.metadata },
      paid: succeeded,
      payment_intent: paymentIntent.id,
      payment_method_details: { type: 'card', card: { brand: 'visa', last4: succeeded ? '4242' : '0002' } },
      refunded: false,
      status,
    };
    this.objects.set(charge.id, charge);
    return charge;
  }

  // ---- Subscriptions and invoices ----

  private createInvoice(
    subscription: FakeSubscription,
    reason: FakeInvoice['billing_reason'],
    lines: { amount: number; description: string; period: { start: number; end: number } }[],
  ): FakeInvoice {
    const amount = lines.reduce((sum, line) => sum + line.amount, 0);
    const start = Math.min(...lines.map((line) => line.period.start));
    const end = Math.max(...lines.map((line) => line.period.end));
    const id = newId('in_', 24);
    const invoice: FakeInvoice = {
      id,
      object: 'invoice',
      amount_due: amount,
      amount_paid: 0,
      amount_remaining: amount,
      attempt_count: 0,
      attempted: false,
      billing_reason: reason,
      created: now(),
      currency: subscription.currency,
      customer: subscription.customer,
      lines: {
        object: 'list',
        data: lines.map((line) => ({ id: newId('il_', 24), object: 'line_item' as const, currency: subscription.currency, ...line })),
        has_more: false,
        url: `/v1/invoices/${id}/lines`,
      },
      livemode: false,
      next_payment_attempt: null,
      parent: { type: 'subscription_details', quote_details: null, subscription_details: { metadata: { ...subscription.metadata }, subscription: subscription.id } },
      // For a subscription invoice these are the pending-items window (the period just ended), not the service period.
      period_end: start,
      period_start: reason === 'subscription_create' ? start : start - (end - start),
      status: 'open',
      status_transitions: { finalized_at: now(), paid_at: null },
      total: amount,
    };
    this.objects.set(id, invoice);
    return invoice;
  }

  private payInvoice(invoice: FakeInvoice, customer: string): void {
    // Invoice PaymentIntents carry no metadata of ours: the subscription's is under invoice.parent.
    const paymentIntent = this.createPaymentIntent(invoice.amount_due, invoice.currency, customer, {});
    this.succeed(paymentIntent);
    this.createInvoicePayment(invoice, paymentIntent, 'paid');
    Object.assign(invoice, { status: 'paid', amount_paid: invoice.amount_due, amount_remaining: 0, attempt_count: 1, attempted: true });
    invoice.status_transitions.paid_at = now();
  }

  private failInvoice(invoice: FakeInvoice): void {
    const paymentIntent = this.createPaymentIntent(invoice.amount_due, invoice.currency, invoice.customer, {});
    paymentIntent.latest_charge = this.createCharge(paymentIntent, 'failed').id;
    paymentIntent.last_payment_error = { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' };
    this.createInvoicePayment(invoice, paymentIntent, 'open');
    Object.assign(invoice, { attempt_count: 1, attempted: true, next_payment_attempt: now() + 3 * DAY_SECONDS });
  }

  private createInvoicePayment(invoice: FakeInvoice, paymentIntent: FakePaymentIntent, status: FakeInvoicePayment['status']): void {
    const payment: FakeInvoicePayment = {
      id: newId('inpay_', 24),
      object: 'invoice_payment',
      amount_paid: status === 'paid' ? paymentIntent.amount : null,
      amount_requested: paymentIntent.amount,
      created: now(),
      currency: paymentIntent.currency,
      invoice: invoice.id,
      is_default: true,
      livemode: false,
      payment: { type: 'payment_intent', payment_intent: paymentIntent.id },
      status,
      status_transitions: { canceled_at: null, paid_at: status === 'paid' ? now() : null },
    };
    this.objects.set(payment.id, payment);
  }

  private cancelFromApi(subscriptionId: string): FakeSubscription {
    const subscription = this.cancelSubscription(subscriptionId);
    this.emitLater('customer.subscription.deleted', subscription);
    return subscription;
  }

  private cancelSubscription(subscriptionId: string): FakeSubscription {
    const subscription = this.get<FakeSubscription>(subscriptionId, 'subscription');
    if (subscription.status === 'canceled') throw invalid('A canceled subscription can only update its cancellation_details and metadata.');
    Object.assign(subscription, { status: 'canceled', canceled_at: now(), ended_at: now() });
    return subscription;
  }

  // ---- Refunds ----

  private createRefundFromApi(body: FormParams): FakeRefund {
    rejectUnknown(body, REFUND_PARAMS);
    const paymentIntentId = requiredString(body, 'payment_intent');
    const amount = body.amount === undefined ? undefined : integer(body.amount, 'amount');
    const reason = optionalString(body, 'reason');
    if (reason !== null && !REFUND_REASONS.has(reason)) throw invalid(`Invalid reason: must be one of ${[...REFUND_REASONS].join(', ')}`, 'reason');
    const { refund, charge, previous } = this.createRefund(paymentIntentId, amount, metadataOf(body.metadata), reason);
    this.emitLater('charge.refunded', charge, previous);
    return refund;
  }

  private createRefund(paymentIntentId: string, amount: number | undefined, metadata: Metadata, reason: string | null) {
    const paymentIntent = this.objects.get(paymentIntentId);
    if (paymentIntent?.object !== 'payment_intent') throw new StripeApiError(400, 'invalid_request_error', `No such payment_intent: '${paymentIntentId}'`, 'resource_missing', 'payment_intent');
    const charge = paymentIntent.latest_charge ? this.charge(paymentIntent.latest_charge) : null;
    if (paymentIntent.status !== 'succeeded' || !charge) {
      throw invalid(`This PaymentIntent (${paymentIntentId}) does not have a successful charge to refund.`, 'payment_intent', 'charge_not_refundable');
    }
    const remaining = charge.amount - charge.amount_refunded;
    if (remaining === 0) throw invalid(`Charge ${charge.id} has already been refunded.`, undefined, 'charge_already_refunded');
    const refunded = amount ?? remaining;
    if (refunded <= 0) throw invalid('Invalid positive integer', 'amount');
    if (refunded > remaining) {
      throw invalid(`Refund amount (${refunded}) is greater than unrefunded amount on charge (${remaining})`, 'amount', 'amount_too_large');
    }
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded += refunded;
    charge.refunded = charge.amount_refunded === charge.amount;
    const refund: FakeRefund = {
      id: newId('re_', 24),
      object: 'refund',
      amount: refunded,
      charge: charge.id,
      created: now(),
      currency: charge.currency,
      metadata,
      payment_intent: paymentIntentId,
      reason,
      status: 'succeeded',
    };
    this.objects.set(refund.id, refund);
    return { refund, charge, previous };
  }

  // ---- Hosted Checkout page ----

  private async handlePage(method: string, path: string, response: http.ServerResponse): Promise<void> {
    const [, , , sessionId, action] = path.split('/');
    const session = this.objects.get(sessionId ?? '');
    if (session?.object !== 'checkout.session') {
      sendHtml(response, 404, page('Something went wrong', '<p>The page you were looking for could not be found.</p>'));
      return;
    }
    if (method === 'GET' && action === undefined) {
      sendHtml(response, 200, this.checkoutPage(session));
      return;
    }
    if (method !== 'POST' || session.status !== 'open') {
      sendHtml(response, 409, page('Session not open', `<p>This Checkout Session is ${session.status}.</p>`));
      return;
    }
    if (action === 'pay') {
      await this.pay(session.id);
      redirect(response, session.success_url.replaceAll('{CHECKOUT_SESSION_ID}', session.id));
      return;
    }
    if (action === 'decline') this.decline(session.id);
    redirect(response, session.cancel_url ?? session.success_url);
  }

  private checkoutPage(session: FakeSession): string {
    if (session.status !== 'open') return page('Session not open', `<p>This Checkout Session is ${session.status}.</p>`);
    const item = this.lineItems.get(session.id)![0]!;
    const price = `${session.amount_total.toLocaleString('en-US')} ${session.currency.toUpperCase()}${item.interval ? ` per ${item.interval}` : ''}`;
    const base = `/c/pay/${session.id}`;
    return page(
      'Checkout',
      `<h1>${escapeHtml(item.name)}</h1>
<p class="amount" data-amount="${session.amount_total}" data-currency="${session.currency}">${escapeHtml(price)}</p>
${session.customer_email ? `<p class="email">${escapeHtml(session.customer_email)}</p>` : ''}
<form method="post" action="${base}/pay"><button type="submit" name="pay">Pay</button></form>
<form method="post" action="${base}/decline"><button type="submit" name="decline">Decline</button></form>
<form method="post" action="${base}/cancel"><button type="submit" name="cancel">Cancel</button></form>`,
    );
  }

  // ---- Webhooks ----

  private envelope(type: string, object: object, previous?: object): StripeEventEnvelope {
    return {
      id: newId('evt_', 24),
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: now(),
      // A snapshot: later changes to the object do not change the event.
      data: { object: structuredClone(object), ...(previous ? { previous_attributes: previous } : {}) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
  }

  private emit(type: string, object: object, previous?: object): Promise<WebhookDelivery> {
    return this.deliver(this.envelope(type, object, previous), {});
  }

  /** After an API call answered, as Stripe does: tracked so `settle()` can wait for it. */
  private emitLater(type: string, object: object, previous?: object): void {
    const event = this.envelope(type, object, previous);
    const delivery = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.deliver(event, {}))
      .then(() => undefined)
      .finally(() => this.pendingDeliveries.delete(delivery));
    this.pendingDeliveries.add(delivery);
  }

  private async deliver(event: StripeEventEnvelope, options: { signatureSecret?: string; timestamp?: number }): Promise<WebhookDelivery> {
    const payload = JSON.stringify(event, null, 2);
    const delivery: WebhookDelivery = { event, payload, signature: this.signatureHeader(payload, options), status: null };
    this.deliveries.push(delivery);
    if (!this.webhookUrl) return delivery;
    try {
      const response = await fetch(this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': delivery.signature, 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)' },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      delivery.status = response.status;
      await response.arrayBuffer();
    } catch (error) {
      delivery.error = String(error);
    }
    return delivery;
  }

  // ---- Rendering with expand ----

  private get<T extends FakeObject>(id: string, object: T['object']): T {
    const found = this.objects.get(id);
    if (found?.object !== object) throw new StripeApiError(404, 'invalid_request_error', `No such ${object}: '${id}'`, 'resource_missing', 'id');
    return found as T;
  }

  /** A JSON copy of a stored object with the `expand` paths replaced by the objects they name. */
  private render(object: FakeObject, expand: string[]): object {
    const copy = structuredClone(object) as unknown as Record<string, unknown>;
    for (const path of expand) {
      const segments = path.split('.');
      if (segments.length > 4) throw invalid(`You cannot expand more than 4 levels of a property. Property: ${path}`, 'expand');
      this.expandPath(copy, segments, path);
    }
    return copy;
  }

  private expandPath(target: Record<string, unknown>, segments: string[], path: string): void {
    const [segment, ...rest] = segments as [string, ...string[]];
    if (segment === 'data' && Array.isArray(target.data)) {
      for (const element of target.data as Record<string, unknown>[]) if (rest.length > 0) this.expandPath(element, rest, path);
      return;
    }
    let value = target[segment];
    if (value === undefined) value = this.includable(target, segment);
    if (typeof value === 'string' && this.objects.has(value)) value = structuredClone(this.objects.get(value)) as unknown;
    else if (value === undefined) throw invalid(`This property cannot be expanded (${path}).`, 'expand');
    target[segment] = value;
    if (rest.length > 0 && typeof value === 'object' && value !== null) this.expandPath(value as Record<string, unknown>, rest, path);
  }

  /** The lists Stripe leaves out unless asked: an invoice's payments, a session's line items. */
  private includable(target: Record<string, unknown>, field: string): unknown {
    if (target.object === 'invoice' && field === 'payments') {
      const payments = [...this.objects.values()].filter((object) => object.object === 'invoice_payment' && object.invoice === target.id);
      return { object: 'list', data: structuredClone(payments), has_more: false, url: `/v1/invoice_payments?invoice=${String(target.id)}` };
    }
    if (target.object === 'checkout.session' && field === 'line_items') {
      const items = this.lineItems.get(String(target.id)) ?? [];
      const data = items.map((item) => ({ object: 'item', amount_total: item.unitAmount * item.quantity, currency: item.currency, description: item.name, quantity: item.quantity }));
      return { object: 'list', data, has_more: false, url: `/v1/checkout/sessions/${String(target.id)}/line_items` };
    }
    return undefined;
  }
}

// ---- Form parsing: `line_items[0][price_data][currency]=krw` → { line_items: [{ price_data: { currency: 'krw' } }] } ----

function parseForm(params: URLSearchParams): FormParams {
  const root: FormParams = {};
  for (const [key, value] of params) {
    const [head, ...rest] = key.split('[').map((part, index) => (index === 0 ? part : part.replace(/\]$/, '')));
    setPath(root, [head!, ...rest], value);
  }
  return arrayify(root) as FormParams;
}

function setPath(target: { [key: string]: FormValue }, path: string[], value: string): void {
  const [head, ...rest] = path as [string, ...string[]];
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const next = target[head];
  const child = typeof next === 'object' && !Array.isArray(next) ? next : {};
  target[head] = child;
  setPath(child, rest, value);
}

/** Objects whose keys are 0, 1, 2… are the SDK's arrays. */
function arrayify(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const entries = keys.map((key) => [key, arrayify(value[key]!)] as const);
  if (keys.length > 0 && keys.every((key, index) => key === String(index))) return entries.map(([, child]) => child);
  return Object.fromEntries(entries);
}

function field(value: FormValue | undefined, name: string): FormValue | undefined {
  return typeof value === 'object' && !Array.isArray(value) ? value[name] : undefined;
}

function requiredString(body: FormParams, name: string): string {
  const value = body[name];
  if (value === undefined || value === '') throw new StripeApiError(400, 'invalid_request_error', `Missing required param: ${name}.`, 'parameter_missing', name);
  if (typeof value !== 'string') throw invalid(`Invalid string: ${name}`, name);
  return value;
}

function optionalString(body: FormParams, name: string): string | null {
  return body[name] === undefined ? null : requiredString(body, name);
}

function integer(value: FormValue | undefined, name: string): number {
  if (typeof value !== 'string' || !/^\d+$/.test(value)) throw invalid(`Invalid integer: ${String(value)}`, name);
  return Number(value);
}

function stringList(value: FormValue | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((item): item is string => typeof item === 'string');
}

function metadataOf(value: FormValue | undefined): Metadata {
  if (value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('Invalid object', 'metadata');
  const metadata: Metadata = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') throw invalid(`Invalid metadata value for ${key}`, 'metadata');
    if (item.length > 500) throw invalid(`Metadata values can have up to 500 characters, but you passed in a value that is ${item.length} characters.`, `metadata[${key}]`);
    metadata[key] = item;
  }
  return metadata;
}

function rejectUnknown(body: FormParams, known: Set<string>): void {
  for (const key of Object.keys(body)) if (!known.has(key)) throw invalid(`Received unknown parameter: ${key}`, key, 'parameter_unknown');
}

/** Validates line items as Stripe does for inline price_data (the only kind our adapter sends). */
function lineItems(value: FormValue | undefined, mode: 'payment' | 'subscription'): LineItemData[] {
  if (!Array.isArray(value) || value.length === 0) throw new StripeApiError(400, 'invalid_request_error', 'Missing required param: line_items.', 'parameter_missing', 'line_items');
  const items = value.map((item, index) => {
    const param = `line_items[${index}]`;
    const priceData = field(item, 'price_data');
    const currency = field(priceData, 'currency');
    const name = field(field(priceData, 'product_data'), 'name');
    if (typeof currency !== 'string' || typeof name !== 'string') throw invalid('price_data needs currency and product_data[name]', `${param}[price_data]`);
    const interval = field(field(priceData, 'recurring'), 'interval');
    return {
      currency: currency.toLowerCase(),
      unitAmount: integer(field(priceData, 'unit_amount'), `${param}[price_data][unit_amount]`),
      quantity: integer(field(item, 'quantity'), `${param}[quantity]`),
      name,
      interval: typeof interval === 'string' ? interval : null,
    };
  });
  if (new Set(items.map((item) => item.currency)).size > 1) throw invalid('All prices must be in the same currency.', 'line_items');
  const recurring = items.some((item) => item.interval !== null);
  if (mode === 'subscription' && !recurring) throw invalid('You must provide at least one recurring price in `subscription` mode when using prices.', 'line_items');
  if (mode === 'payment' && recurring) throw invalid('You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.', 'line_items');
  return items;
}

// ---- Small helpers ----

function invalid(message: string, param?: string, code?: string): StripeApiError {
  return new StripeApiError(400, 'invalid_request_error', message, code, param);
}

function errorBody(error: StripeApiError): object {
  return { error: { type: error.type, message: error.message, ...(error.code ? { code: error.code } : {}), ...(error.param ? { param: error.param } : {}) } };
}

function ok(body: object): ApiResponse {
  return { status: 200, body };
}

function sendJson(response: http.ServerResponse, { status, body }: ApiResponse): void {
  response.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req_', 14), 'stripe-version': Stripe.API_VERSION });
  response.end(JSON.stringify(body));
}

function sendHtml(response: http.ServerResponse, status: number, html: string): void {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  response.end(html);
}

function redirect(response: http.ServerResponse, location: string): void {
  response.writeHead(303, { location });
  response.end();
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} – Fake Stripe</title></head><body>${body}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function header(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function maskKey(key: string): string {
  return key.length > 8 ? `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` : key;
}

/** Stripe-looking ids: a prefix and random letters and digits. */
function newId(prefix: string, length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return prefix + [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

function now(): number {
  return Math.floor(Date.now() / 1000);
}

/** The same day next month (clamped to the month's end), as Stripe's monthly billing anchors do. */
function addMonth(seconds: number): number {
  const date = new Date(seconds * 1000);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + 1);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return Math.floor(date.getTime() / 1000);
}

/** Stripe takes expires_at 30 minutes to 24 hours ahead (the default: 24 hours) and refuses anything else. */
function expiresAt(body: FormParams): number {
  const asked = optionalString(body, 'expires_at');
  if (asked === null) return now() + DAY_SECONDS;
  const at = Number(asked);
  if (!Number.isInteger(at) || at < now() + 30 * 60 - 5 || at > now() + DAY_SECONDS + 5) {
    throw new StripeApiError(400, 'invalid_request_error', 'The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation.', 'parameter_invalid_integer', 'expires_at');
  }
  return at;
}

