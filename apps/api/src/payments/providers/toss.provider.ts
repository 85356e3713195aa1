import { createHash } from 'node:crypto';
import { z } from 'zod';
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

/** What a Toss paymentKey looks like (letters, digits, - and _): anything else never reaches Toss's API. */
const PAYMENT_KEY = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * The Toss Payments adapter (API version 2022-11-16). The browser opens the payment window with
 * Toss's JS SDK; this class confirms, reads and refunds payments and issues and charges billing
 * keys over Toss's REST API. Every answer is external input: it is validated, and one that does
 * not fit is an unknown outcome (`ProviderUnavailableError`), never a crash.
 */

export interface TossOptions {
  secretKey: string;
  clientKey: string;
  /** https://api.tosspayments.com in production; a fake's URL in tests. */
  apiBaseUrl: string;
  /** https://js.tosspayments.com/v2/standard in production. */
  sdkUrl: string;
  timeoutMs: number;
}

const TOSS_STATUSES = ['READY', 'IN_PROGRESS', 'WAITING_FOR_DEPOSIT', 'DONE', 'CANCELED', 'PARTIAL_CANCELED', 'ABORTED', 'EXPIRED'] as const;
type TossStatus = (typeof TOSS_STATUSES)[number];

/** READY and IN_PROGRESS are a window opened or authenticated but not confirmed: nothing was charged yet. */
const STATUS_OF: Record<TossStatus, ProviderPaymentStatus> = {
  READY: 'pending',
  IN_PROGRESS: 'pending',
  WAITING_FOR_DEPOSIT: 'pending',
  DONE: 'paid',
  CANCELED: 'canceled',
  PARTIAL_CANCELED: 'partially_canceled',
  ABORTED: 'failed',
  EXPIRED: 'failed',
};

const amountSchema = z.number().int().nonnegative();
const timestampSchema = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'not a timestamp');
/** Toss caps paymentKey at 200 characters; a longer one in a webhook is not Toss's. */
const paymentKeySchema = z.string().min(1).max(200);

/** The part of Toss's Payment object this adapter reads. */
const paymentSchema = z
  .object({
    paymentKey: paymentKeySchema,
    orderId: z.string().min(1),
    status: z.enum(TOSS_STATUSES),
    totalAmount: amountSchema,
    balanceAmount: amountSchema,
    currency: z.string().nullish(),
    method: z.string().nullish(),
    approvedAt: timestampSchema.nullish(),
    cancels: z.array(z.object({ transactionKey: z.string().min(1), cancelAmount: amountSchema, cancelStatus: z.string().nullish() })).nullish(),
    failure: z.object({ code: z.string(), message: z.string() }).nullish(),
  })
  .refine((payment) => payment.balanceAmount <= payment.totalAmount, 'balanceAmount exceeds totalAmount');
type TossPayment = z.infer<typeof paymentSchema>;

const billingAuthorizationSchema = z.object({ billingKey: z.string().min(1), customerKey: z.string().min(1) });
const errorBodySchema = z.object({ code: z.string().min(1), message: z.string() });
/** eventType is capped: it goes into an eventId that is stored, and anyone can post to the webhook. */
const webhookSchema = z.object({ eventType: z.string().min(1).max(100), data: z.object({ paymentKey: paymentKeySchema.optional() }) });

/**
 * 4xx codes that do not say no: the documented "temporary error, try again" (PROVIDER_ERROR), a
 * request with the same Idempotency-Key still running, and back-to-back requests refused. The
 * earlier attempt may have gone through, so the outcome is unknown.
 */
const TRANSIENT_CODES = new Set(['PROVIDER_ERROR', 'IDEMPOTENT_REQUEST_PROCESSING', 'FORBIDDEN_CONSECUTIVE_REQUEST']);

/** Toss rejects a cancelReason over 200 characters; the reason is for people, so it is cut, not refused. */
const CANCEL_REASON_MAX_LENGTH = 200;

type OrderFacts = Pick<OrderRef, 'orderId' | 'amount' | 'currency'>;

export class TossProvider implements PaymentProvider {
  readonly name = 'toss' as const;
  readonly currency = 'KRW';
  readonly renewals = 'merchant' as const;
  private readonly authorization: string;

  constructor(private readonly options: TossOptions) {
    // Toss's Basic auth: the secret key as the user name and no password (hence the colon).
    this.authorization = `Basic ${Buffer.from(`${options.secretKey}:`).toString('base64')}`;
  }

  async createCheckout(order: CheckoutOrder): Promise<Checkout> {
    assertKrw(order.currency);
    return {
      type: 'toss',
      flow: order.kind === 'subscription' ? 'billing' : 'payment',
      sdkUrl: this.options.sdkUrl,
      clientKey: this.options.clientKey,
      customerKey: order.customerKey,
      orderId: order.orderId,
      orderName: order.orderName,
      amount: order.amount,
      currency: order.currency,
      customerEmail: order.customerEmail,
      successUrl: order.successUrl,
      failUrl: order.failUrl,
    };
  }

  async confirm(order: OrderRef & { kind: OrderKind; orderName: string }, returned: Readonly<Record<string, string>>): Promise<ProviderPayment> {
    assertKrw(order.currency);
    return order.kind === 'subscription' ? this.confirmBilling(order, returned) : this.confirmPayment(order, returned);
  }

  async lookup(order: OrderRef): Promise<ProviderPayment | null> {
    const payment = await this.readOrNull(order.providerPaymentId ? paymentPath(order.providerPaymentId) : `/v1/payments/orders/${encodeURIComponent(order.orderId)}`);
    // The amount is reported as Toss has it (the caller compares); a payment of another order is not this order's truth.
    return payment && toProviderPayment(assertOrderId(payment, order.orderId));
  }

  /** Toss sends no signature on payment events, so the headers prove nothing and are not read. */
  async parseWebhook(rawBody: Buffer, _headers: Readonly<Record<string, string | undefined>>): Promise<VerifiedEvent[]> {
    const event = parseWebhookBody(rawBody);
    if (event.eventType !== 'PAYMENT_STATUS_CHANGED' && event.eventType !== 'CANCEL_STATUS_CHANGED') {
      return [{ type: 'ignored', eventId: `toss:${event.eventType}:${digest(rawBody)}`, reason: `event type ${event.eventType} is not used` }];
    }
    const paymentKey = event.data.paymentKey;
    if (paymentKey === undefined) {
      // CANCEL_STATUS_CHANGED carries a Cancel object, which need not name its payment (and is sent
      // for overseas easy payments only); reconciliation reads the order's payment instead.
      if (event.eventType === 'CANCEL_STATUS_CHANGED') return [{ type: 'ignored', eventId: `toss:cancel:${digest(rawBody)}`, reason: 'a cancel event without a paymentKey' }];
      throw new InvalidWebhookError('PAYMENT_STATUS_CHANGED without data.paymentKey');
    }
    if (!PAYMENT_KEY.test(paymentKey)) throw new InvalidWebhookError('data.paymentKey is not a payment key');
    // Toss does not sign these events: the body only says which payment to read again. Any "no"
    // from Toss about it (unknown, not ours) makes the event one we ignore, never a 500.
    const payment = await this.readOrNull(paymentPath(paymentKey)).catch((error: unknown) => {
      if (error instanceof ProviderDeclinedError) return null;
      throw error;
    });
    if (!payment) return [{ type: 'ignored', eventId: `toss:unknown:${paymentKey}`, reason: 'Toss does not know this paymentKey' }];
    // The same state delivered twice is the same event; a later refund changes the balance, so it is a new one.
    const eventId = `toss:${payment.paymentKey}:${payment.status}:${payment.balanceAmount}`;
    return [{ type: 'payment', eventId, payment: toProviderPayment(payment) }];
  }

  async refund(order: OrderRef, refund: { amount: number; reason: string; idempotencyKey: string }): Promise<ProviderRefund> {
    assertPositiveAmount(refund.amount);
    const paymentKey = order.providerPaymentId ?? (await this.lookup(order))?.providerPaymentId;
    if (!paymentKey) throw new ProviderDeclinedError('NOT_FOUND_PAYMENT', `Toss has no payment for order ${order.orderId}`, 404);
    const answer = await this.send('POST', `${paymentPath(paymentKey)}/cancel`, {
      body: { cancelReason: refund.reason.slice(0, CANCEL_REASON_MAX_LENGTH), cancelAmount: refund.amount },
      idempotencyKey: refund.idempotencyKey,
    });
    const payment = assertOrderId(parsePayment(answer), order.orderId);
    // Toss appends each cancel; the last one is this request's (or, replayed, the first answer's).
    const cancel = payment.cancels?.at(-1);
    if (!cancel) throw new ProviderUnavailableError('Toss answered a cancel without a cancel transaction');
    return { refundId: cancel.transactionKey, amount: cancel.cancelAmount, status: refundStatusOf(cancel.cancelStatus) };
  }

  /** Toss answers a cancel at once; its transactionKey among the payment's cancels says it happened. */
  async refundStatus(order: OrderRef, refund: { refundId: string; amount: number }): Promise<ProviderRefund | null> {
    const payment = await this.lookup(order);
    if (!payment?.providerPaymentId) return null;
    const read = await this.readOrNull(paymentPath(payment.providerPaymentId));
    const cancel = read?.cancels?.find((item) => item.transactionKey === refund.refundId);
    return cancel ? { refundId: cancel.transactionKey, amount: cancel.cancelAmount, status: refundStatusOf(cancel.cancelStatus) } : null;
  }

  async chargeSaved(
    saved: SavedMethod,
    charge: { orderId: string; orderName: string; amount: number; currency: string; idempotencyKey: string; customerEmail: string | null },
  ): Promise<ProviderPayment> {
    assertKrw(charge.currency);
    return toProviderPayment(await this.chargeBillingKey(saved, charge, charge.idempotencyKey));
  }

  /** Toss billing keys need no call to stop: the merchant charges them, so renewals just stop. */
  async cancelSaved(_saved: SavedMethod): Promise<void> {}

  private async confirmPayment(order: OrderRef & { orderName: string }, returned: Readonly<Record<string, string>>): Promise<ProviderPayment> {
    const paymentKey = requiredParameter(returned, 'paymentKey');
    // The return page's query is the browser's word: check it before asking Toss to take money.
    if (returned.orderId !== order.orderId) throw new ProviderDeclinedError('ORDER_MISMATCH', `the return is for order ${returned.orderId}, not ${order.orderId}`);
    if (Number(returned.amount) !== order.amount) throw new ProviderDeclinedError('AMOUNT_MISMATCH', `the return says ${returned.amount}, the order costs ${order.amount}`);
    let payment: TossPayment;
    try {
      const answer = await this.send('POST', '/v1/payments/confirm', {
        body: { paymentKey, orderId: order.orderId, amount: order.amount },
        idempotencyKey: attemptKey('confirm', order.orderId, paymentKey),
      });
      payment = parsePayment(answer);
    } catch (error) {
      // Confirmed already (a second tab, a retried request under an expired key): the payment as it stands is the answer.
      if (!isDeclined(error, 'ALREADY_PROCESSED_PAYMENT')) throw error;
      payment = parsePayment(await this.send('GET', paymentPath(paymentKey)));
    }
    return toProviderPayment(assertSameOrder(payment, order));
  }

  /** A subscription's first month: the auth key becomes a billing key, which is charged at once. */
  private async confirmBilling(order: OrderRef & { orderName: string }, returned: Readonly<Record<string, string>>): Promise<ProviderPayment> {
    const authKey = requiredParameter(returned, 'authKey');
    if (returned.customerKey !== order.customerKey) throw new ProviderDeclinedError('CUSTOMER_MISMATCH', 'the card was registered for another customer');
    const answer = await this.send('POST', '/v1/billing/authorizations/issue', {
      body: { authKey, customerKey: order.customerKey },
      idempotencyKey: attemptKey('billing-issue', order.orderId, authKey),
    });
    const issued = billingAuthorizationSchema.safeParse(answer);
    if (!issued.success) throw new ProviderUnavailableError(`Toss answered a billing key issue this adapter cannot read: ${issued.error.message}`);
    if (issued.data.customerKey !== order.customerKey) throw new ProviderDeclinedError('CUSTOMER_MISMATCH', 'Toss issued the billing key to another customer');
    const saved: SavedMethod = { reference: issued.data.billingKey, customerKey: order.customerKey };
    const charge = { orderId: order.orderId, orderName: order.orderName, amount: order.amount, currency: order.currency, customerEmail: null };
    const payment = await this.chargeBillingKey(saved, charge, attemptKey('billing-charge', order.orderId, saved.reference));
    return toProviderPayment(payment, saved);
  }

  private async chargeBillingKey(
    saved: SavedMethod,
    charge: { orderId: string; orderName: string; amount: number; currency: string; customerEmail: string | null },
    idempotencyKey: string,
  ): Promise<TossPayment> {
    assertPositiveAmount(charge.amount);
    const body = { customerKey: saved.customerKey, amount: charge.amount, orderId: charge.orderId, orderName: charge.orderName, ...(charge.customerEmail ? { customerEmail: charge.customerEmail } : {}) };
    let payment: TossPayment;
    try {
      payment = parsePayment(await this.send('POST', `/v1/billing/${encodeURIComponent(saved.reference)}`, { body, idempotencyKey }));
    } catch (error) {
      // The order was charged already under another key (a retry after a lost answer): that charge is the answer.
      if (!isDeclined(error, 'DUPLICATED_ORDER_ID') && !isDeclined(error, 'ALREADY_PROCESSED_PAYMENT')) throw error;
      const earlier = await this.readOrNull(`/v1/payments/orders/${encodeURIComponent(charge.orderId)}`);
      if (!earlier) throw error;
      payment = earlier;
    }
    return assertSameOrder(payment, charge);
  }

  /** A payment read, or null when Toss answers 404 (it never saw it). */
  private async readOrNull(path: string): Promise<TossPayment | null> {
    try {
      return parsePayment(await this.send('GET', path));
    } catch (error) {
      if (error instanceof ProviderDeclinedError && error.status === 404) return null;
      throw error;
    }
  }

  /** One call to Toss: the parsed JSON of a 2xx, or the typed error of anything else. */
  private async send(method: 'GET' | 'POST', path: string, request: { body?: object; idempotencyKey?: string } = {}): Promise<unknown> {
    const headers: Record<string, string> = { Authorization: this.authorization, Accept: 'application/json' };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    if (request.idempotencyKey !== undefined) headers['Idempotency-Key'] = request.idempotencyKey;
    let status: number;
    let text: string;
    try {
      const response = await fetch(`${this.options.apiBaseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      // A timeout (TimeoutError), a refused or reset connection (TypeError): Toss may or may not have acted.
      throw new ProviderUnavailableError(`Toss did not answer ${method} ${path}`, { cause: error });
    }
    if (status >= 200 && status < 300) {
      const body = parseJson(text);
      if (body === undefined) throw new ProviderUnavailableError(`Toss answered ${method} ${path} with a body that is not JSON`);
      return body;
    }
    throw errorOf(status, text, `${method} ${path}`);
  }
}

/** A 5xx, a 429, a transient code or a body that is not Toss's error format: unknown. Any other 4xx: Toss said no. */
function errorOf(status: number, text: string, call: string): Error {
  if (status >= 500 || status === 429) return new ProviderUnavailableError(`Toss answered ${call} with ${status}`);
  const parsed = errorBodySchema.safeParse(parseJson(text));
  // Without Toss's {code, message} the answer may be a proxy's, not Toss's.
  if (!parsed.success) return new ProviderUnavailableError(`Toss answered ${call} with ${status} and no error code`);
  const { code, message } = parsed.data;
  if (TRANSIENT_CODES.has(code)) return new ProviderUnavailableError(`Toss answered ${call} with ${status} ${code}: ${message}`);
  return new ProviderDeclinedError(code, message, status);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parsePayment(body: unknown): TossPayment {
  const parsed = paymentSchema.safeParse(body);
  if (!parsed.success) throw new ProviderUnavailableError(`Toss answered with a payment this adapter cannot read: ${parsed.error.message}`);
  return parsed.data;
}

function parseWebhookBody(rawBody: Buffer): z.infer<typeof webhookSchema> {
  const json = parseJson(rawBody.toString('utf8'));
  if (json === undefined) throw new InvalidWebhookError('the webhook body is not JSON');
  const parsed = webhookSchema.safeParse(json);
  if (!parsed.success) throw new InvalidWebhookError(`the webhook body is not a Toss event: ${parsed.error.message}`);
  return parsed.data;
}

function toProviderPayment(payment: TossPayment, savedMethod: SavedMethod | null = null): ProviderPayment {
  return {
    orderId: payment.orderId,
    providerPaymentId: payment.paymentKey,
    status: STATUS_OF[payment.status],
    amount: payment.totalAmount,
    currency: payment.currency ?? 'KRW',
    refundedAmount: payment.totalAmount - payment.balanceAmount,
    method: payment.method ?? null,
    paidAt: payment.approvedAt ? new Date(payment.approvedAt) : null,
    failure: payment.failure ?? null,
    savedMethod,
  };
}

/** Older API versions have no cancelStatus: a 200 to a cancel then meant it was done. */
function refundStatusOf(cancelStatus: string | null | undefined): ProviderRefund['status'] {
  if (cancelStatus === undefined || cancelStatus === null || cancelStatus === 'DONE') return 'succeeded';
  return cancelStatus === 'ABORTED' ? 'failed' : 'pending';
}

function assertOrderId(payment: TossPayment, orderId: string): TossPayment {
  if (payment.orderId !== orderId) throw new ProviderDeclinedError('ORDER_MISMATCH', `Toss's payment ${payment.paymentKey} is for order ${payment.orderId}, not ${orderId}`);
  return payment;
}

/** What Toss confirmed or charged must be this order, at this price: anything else is refused. */
function assertSameOrder(payment: TossPayment, order: OrderFacts): TossPayment {
  assertOrderId(payment, order.orderId);
  const currency = payment.currency ?? 'KRW';
  if (payment.totalAmount !== order.amount || currency !== order.currency) {
    throw new ProviderDeclinedError('AMOUNT_MISMATCH', `Toss has ${payment.totalAmount} ${currency} for order ${order.orderId}, which costs ${order.amount} ${order.currency}`);
  }
  return payment;
}

function assertKrw(currency: string): void {
  if (currency !== 'KRW') throw new ProviderDeclinedError('UNSUPPORTED_CURRENCY', `Toss charges KRW only, not ${currency}`);
}

function assertPositiveAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount <= 0) throw new ProviderDeclinedError('INVALID_AMOUNT', `${amount} is not a positive whole amount of won`);
}

function requiredParameter(returned: Readonly<Record<string, string>>, name: string): string {
  const value = returned[name];
  if (typeof value !== 'string' || value === '') throw new ProviderDeclinedError('INVALID_REQUEST', `the return page has no ${name}`);
  return value;
}

function isDeclined(error: unknown, code: string): boolean {
  return error instanceof ProviderDeclinedError && error.code === code;
}

function paymentPath(paymentKey: string): string {
  return `/v1/payments/${encodeURIComponent(paymentKey)}`;
}

/**
 * The Idempotency-Key of one attempt at an order. Toss replays a key's first answer, errors
 * included, for 15 days: keyed on the order alone, a declined first card would shadow every later
 * attempt at the same order, so the attempt's own key (paymentKey, authKey, billingKey) is part of it.
 */
function attemptKey(step: string, orderId: string, attempt: string): string {
  return `${step}:${orderId}:${digest(attempt).slice(0, 16)}`;
}

function digest(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}
