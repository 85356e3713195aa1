import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeStripeServer, type WebhookDelivery } from '../../../testing/fake-stripe-server.js';
import {
  InvalidWebhookError,
  ProviderDeclinedError,
  ProviderUnavailableError,
  type CheckoutOrder,
  type OrderKind,
  type OrderRef,
  type VerifiedEvent,
} from './payment-provider.js';
import { StripeProvider, type StripeOptions } from './stripe.provider.js';

const SECRET_KEY = 'sk_test_consulton_fake_key';
const WEBHOOK_SECRET = 'whsec_consulton_fake_secret';
const SUCCESS_URL = 'http://app.test/payments/stripe/success?session_id={CHECKOUT_SESSION_ID}';

let fake: FakeStripeServer;
let provider: StripeProvider;

beforeAll(async () => {
  fake = await new FakeStripeServer({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET }).start();
});

afterAll(async () => {
  await fake.stop();
});

beforeEach(() => {
  provider = stripeProvider();
});

function stripeProvider(overrides: Partial<StripeOptions> = {}): StripeProvider {
  return new StripeProvider({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET, currency: 'KRW', webhookToleranceSeconds: 300, timeoutMs: 2_000, apiBaseUrl: fake.url, ...overrides });
}

function newOrder(kind: OrderKind = 'package', overrides: Partial<CheckoutOrder> = {}): CheckoutOrder {
  return {
    orderId: randomUUID(),
    orderName: kind === 'package' ? '스탠다드 20만 토큰' : '월간 플랜',
    amount: kind === 'package' ? 5_000 : 9_900,
    currency: 'KRW',
    kind,
    productId: kind === 'package' ? 'standard-200k' : 'monthly-basic',
    customerKey: `ck_${randomUUID()}`,
    customerEmail: 'buyer@example.com',
    successUrl: SUCCESS_URL,
    failUrl: 'http://app.test/payments/stripe/fail',
    ...overrides,
  };
}

type ConfirmRef = OrderRef & { kind: OrderKind; orderName: string };

/** Opens a Checkout Session for a new order; returns the order as PaymentsService would keep it. */
async function openCheckout(kind: OrderKind = 'package', overrides: Partial<CheckoutOrder> = {}): Promise<{ order: CheckoutOrder; ref: ConfirmRef; sessionId: string }> {
  const order = newOrder(kind, overrides);
  const checkout = await provider.createCheckout(order);
  if (checkout.type !== 'redirect') throw new Error(`expected a redirect, got ${checkout.type}`);
  const ref: ConfirmRef = {
    orderId: order.orderId,
    amount: order.amount,
    currency: order.currency,
    providerPaymentId: null,
    providerSessionId: checkout.sessionId,
    customerKey: order.customerKey,
    kind,
    orderName: order.orderName,
  };
  return { order, ref, sessionId: checkout.sessionId };
}

/** Opens and pays a checkout; returns the order with the payment id confirm gave. */
async function paidCheckout(kind: OrderKind = 'package') {
  const opened = await openCheckout(kind);
  await fake.pay(opened.sessionId);
  const payment = await provider.confirm(opened.ref, { session_id: opened.sessionId });
  return { ...opened, payment, ref: { ...opened.ref, providerPaymentId: payment.providerPaymentId } };
}

function webhookOf(delivery: WebhookDelivery): [Buffer, Record<string, string>] {
  return [Buffer.from(delivery.payload), { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': delivery.signature }];
}

function lastDelivery(type: string): WebhookDelivery {
  const delivery = fake.deliveries.findLast((candidate) => candidate.event.type === type);
  if (!delivery) throw new Error(`no ${type} was delivered`);
  return delivery;
}

async function parseOnly(delivery: WebhookDelivery): Promise<VerifiedEvent> {
  const events = await provider.parseWebhook(...webhookOf(delivery));
  expect(events).toHaveLength(1);
  return events[0]!;
}

describe('StripeProvider.createCheckout', () => {
  it('opens a payment-mode Checkout Session for a package, in whole won, with our order id on it', async () => {
    const { order, sessionId } = await openCheckout('package');
    const request = fake.requests.at(-1)!;

    expect(sessionId).toMatch(/^cs_test_/);
    expect(request).toMatchObject({ method: 'POST', path: '/v1/checkout/sessions', authorization: `Bearer ${SECRET_KEY}`, idempotencyKey: `checkout-${order.orderId}` });
    expect(request.body).toEqual({
      mode: 'payment',
      client_reference_id: order.orderId,
      metadata: { orderId: order.orderId, productId: order.productId, customerKey: order.customerKey },
      payment_intent_data: { metadata: { orderId: order.orderId, productId: order.productId, customerKey: order.customerKey } },
      line_items: [{ price_data: { currency: 'krw', unit_amount: '5000', product_data: { name: order.orderName } }, quantity: '1' }],
      customer_email: 'buyer@example.com',
      // The placeholder arrives as written: Stripe fills it in, so it must not be encoded twice.
      success_url: SUCCESS_URL,
      cancel_url: order.failUrl,
    });
    expect(fake.session(sessionId)).toMatchObject({ amount_total: 5_000, currency: 'krw', status: 'open', url: `${fake.url}/c/pay/${sessionId}` });
  });

  it('opens a subscription-mode session with a monthly price and the order on the subscription', async () => {
    const { order } = await openCheckout('subscription', { customerEmail: null });
    const body = fake.requests.at(-1)!.body;

    expect(body).toMatchObject({
      mode: 'subscription',
      client_reference_id: order.orderId,
      line_items: [{ price_data: { currency: 'krw', unit_amount: '9900', recurring: { interval: 'month' } }, quantity: '1' }],
      subscription_data: { metadata: { orderId: order.orderId } },
    });
    expect(body).not.toHaveProperty('payment_intent_data');
    expect(body).not.toHaveProperty('customer_email');
  });

  it("opens a plan's session: this month as a one-time line, the monthly price from the anchor, nothing prorated", async () => {
    const renewsAt = new Date(Date.now() + 10 * 86_400_000);
    const { order, ref, sessionId } = await openCheckout('subscription', { renewsAt });
    const body = fake.requests.at(-1)!.body;

    expect(body).toMatchObject({
      mode: 'subscription',
      line_items: [
        { price_data: { currency: 'krw', unit_amount: '9900' }, quantity: '1' },
        { price_data: { currency: 'krw', unit_amount: '9900', recurring: { interval: 'month' } }, quantity: '1' },
      ],
      subscription_data: { metadata: { orderId: order.orderId }, billing_cycle_anchor: String(Math.floor(renewsAt.getTime() / 1000)), proration_behavior: 'none' },
    });
    expect((body as { line_items: object[] }).line_items[0]).not.toHaveProperty('price_data.recurring');
    // The first charge is the one-time line alone; the payment says when Stripe first bills.
    expect(fake.session(sessionId).amount_total).toBe(9_900);
    await fake.pay(sessionId);
    const payment = await provider.confirm(ref, { session_id: sessionId });
    expect(payment).toMatchObject({ status: 'paid', amount: 9_900, renewsAt: new Date(Math.floor(renewsAt.getTime() / 1000) * 1000) });
  });

  it('returns the same session when the call is retried for the same order', async () => {
    const order = newOrder();
    const first = await provider.createCheckout(order);
    const second = await provider.createCheckout(order);

    expect(second).toEqual(first);
  });

  it('refuses another currency than the one Stripe is set up for, without calling Stripe', async () => {
    const before = fake.requests.length;

    await expect(provider.createCheckout(newOrder('package', { currency: 'USD' }))).rejects.toMatchObject({ name: 'ProviderDeclinedError', code: 'CURRENCY_MISMATCH' });
    expect(fake.requests).toHaveLength(before);
  });
});

describe('StripeProvider.confirm', () => {
  it('reports a paid package with its PaymentIntent, method and time', async () => {
    const { order, payment } = await paidCheckout('package');

    expect(payment).toMatchObject({ orderId: order.orderId, status: 'paid', amount: 5_000, currency: 'KRW', refundedAmount: 0, method: 'card', failure: null, savedMethod: null });
    expect(payment.providerPaymentId).toMatch(/^pi_/);
    expect(fake.paymentIntent(payment.providerPaymentId!).metadata.orderId).toBe(order.orderId);
    expect(payment.paidAt).toBeInstanceOf(Date);
  });

  it("reports a paid subscription with the first invoice's PaymentIntent and the subscription to cancel later", async () => {
    const { order, sessionId, payment } = await paidCheckout('subscription');
    const session = fake.session(sessionId);

    expect(payment).toMatchObject({ orderId: order.orderId, status: 'paid', amount: 9_900, method: 'card', savedMethod: { reference: session.subscription, customerKey: order.customerKey } });
    expect(session.subscription).toMatch(/^sub_/);
    expect(payment.providerPaymentId).toMatch(/^pi_/);
    expect(fake.subscription(session.subscription!).metadata.orderId).toBe(order.orderId);
  });

  it('reports pending before the customer paid', async () => {
    const { ref, sessionId } = await openCheckout();

    await expect(provider.confirm(ref, { session_id: sessionId })).resolves.toMatchObject({ status: 'pending', providerPaymentId: null, paidAt: null });
  });

  it('reports pending after a declined card: the session stays open for another card', async () => {
    const { ref, sessionId } = await openCheckout();
    fake.decline(sessionId);

    const payment = await provider.confirm(ref, { session_id: sessionId });

    expect(payment).toMatchObject({ status: 'pending', paidAt: null, failure: null });
    expect(payment.providerPaymentId).toMatch(/^pi_/);
  });

  it('reports failed once the session expired', async () => {
    const { ref, sessionId } = await openCheckout();
    await fake.expire(sessionId);

    await expect(provider.confirm(ref, { session_id: sessionId })).resolves.toMatchObject({ status: 'failed', failure: { code: 'SESSION_EXPIRED' } });
  });

  it("refuses a session_id that is not the order's, without asking Stripe", async () => {
    const { ref } = await openCheckout();
    const other = await openCheckout();
    const before = fake.requests.length;

    await expect(provider.confirm(ref, { session_id: other.sessionId })).rejects.toMatchObject({ name: 'ProviderDeclinedError', code: 'SESSION_MISMATCH' });
    await expect(provider.confirm(ref, {})).rejects.toBeInstanceOf(ProviderDeclinedError);
    expect(fake.requests).toHaveLength(before);
  });

  it('refuses a session whose amount differs from the order', async () => {
    const { ref, sessionId } = await openCheckout();
    await fake.pay(sessionId);
    fake.patchSession(sessionId, { amount_total: 100 });

    await expect(provider.confirm(ref, { session_id: sessionId })).rejects.toMatchObject({ name: 'ProviderDeclinedError', code: 'AMOUNT_MISMATCH' });
  });

  it("refuses another order's session even when the return page names it", async () => {
    const { sessionId } = await openCheckout();
    const { ref } = await openCheckout();

    await expect(provider.confirm({ ...ref, providerSessionId: sessionId }, { session_id: sessionId })).rejects.toMatchObject({ code: 'ORDER_MISMATCH' });
  });
});

describe('the fake hosted Checkout page', () => {
  it('pays with the Pay button and returns to the success URL with the session id filled in', async () => {
    const order = newOrder();
    const checkout = await provider.createCheckout(order);
    if (checkout.type !== 'redirect') throw new Error('expected a redirect');

    const pageHtml = await (await fetch(checkout.url)).text();
    const paid = await fetch(`${checkout.url}/pay`, { method: 'POST', redirect: 'manual' });

    expect(pageHtml).toContain(order.orderName);
    expect(pageHtml).toContain('Pay');
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe(`http://app.test/payments/stripe/success?session_id=${checkout.sessionId}`);
    expect(fake.session(checkout.sessionId).status).toBe('complete');
  });

  it('goes back to the cancel URL with Decline, leaving the session open', async () => {
    const { order, ref, sessionId } = await openCheckout();

    const declined = await fetch(`${fake.url}/c/pay/${sessionId}/decline`, { method: 'POST', redirect: 'manual' });

    expect(declined.headers.get('location')).toBe(order.failUrl);
    await expect(provider.confirm(ref, { session_id: sessionId })).resolves.toMatchObject({ status: 'pending' });
  });
});

describe('StripeProvider.lookup', () => {
  it('is null for an order without a session, without asking Stripe', async () => {
    const { ref } = await openCheckout();
    const before = fake.requests.length;

    await expect(provider.lookup({ ...ref, providerSessionId: null })).resolves.toBeNull();
    expect(fake.requests).toHaveLength(before);
  });

  it('is null for a session Stripe does not know', async () => {
    const { ref } = await openCheckout();

    await expect(provider.lookup({ ...ref, providerSessionId: 'cs_test_unknown' })).resolves.toBeNull();
  });

  it('gives the same answer as confirm, refunds included', async () => {
    const { ref, payment } = await paidCheckout();
    await expect(provider.lookup(ref)).resolves.toEqual(payment);

    await fake.refundInDashboard(payment.providerPaymentId!, 1_500);

    await expect(provider.lookup(ref)).resolves.toMatchObject({ status: 'partially_canceled', refundedAmount: 1_500, amount: 5_000 });
  });
});

describe('StripeProvider.parseWebhook', () => {
  it('turns checkout.session.completed into the paid payment', async () => {
    const { order, sessionId } = await openCheckout();
    await fake.pay(sessionId);

    const event = await parseOnly(lastDelivery('checkout.session.completed'));

    expect(event).toMatchObject({ type: 'payment', payment: { orderId: order.orderId, status: 'paid', amount: 5_000, currency: 'KRW' } });
    expect(event.eventId).toMatch(/^evt_/);
    if (event.type === 'payment') expect(event.payment.providerPaymentId).toBe(fake.session(sessionId).payment_intent);
  });

  it("ignores a subscription's first invoice.paid and reports its checkout with the subscription", async () => {
    const { order, sessionId } = await openCheckout('subscription');
    await fake.pay(sessionId);
    const subscription = fake.session(sessionId).subscription;

    await expect(parseOnly(lastDelivery('invoice.paid'))).resolves.toMatchObject({ type: 'ignored' });
    await expect(parseOnly(lastDelivery('checkout.session.completed'))).resolves.toMatchObject({
      type: 'payment',
      payment: { orderId: order.orderId, status: 'paid', savedMethod: { reference: subscription, customerKey: order.customerKey } },
    });
  });

  it('accepts a delivery over HTTP with the headers Stripe sends', async () => {
    const received: VerifiedEvent[] = [];
    const receiver = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
        provider.parseWebhook(Buffer.concat(chunks), headers).then(
          (events) => {
            received.push(...events);
            response.writeHead(200).end();
          },
          () => response.writeHead(400).end(),
        );
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    fake.webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/payments/webhooks/stripe`;
    try {
      const { order, sessionId } = await openCheckout();
      await fake.pay(sessionId);
      const genuine = lastDelivery('checkout.session.completed');
      const forged = await fake.sendEvent('checkout.session.completed', fake.session(sessionId), { signatureSecret: 'whsec_forged' });

      expect(genuine.status).toBe(200);
      expect(forged.status).toBe(400);
      expect(received).toMatchObject([{ type: 'payment', payment: { orderId: order.orderId, status: 'paid' } }]);
    } finally {
      fake.webhookUrl = undefined;
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('refuses a delivery signed with another secret, a changed body, or no signature', async () => {
    const { sessionId } = await openCheckout();
    await fake.pay(sessionId);
    const genuine = lastDelivery('checkout.session.completed');
    const forged = await fake.sendEvent('checkout.session.completed', fake.session(sessionId), { signatureSecret: 'whsec_someone_else' });
    const [body, headers] = webhookOf(genuine);
    const changed = Buffer.from(genuine.payload.replace('"paid"', '"unpaid"'));

    await expect(provider.parseWebhook(...webhookOf(forged))).rejects.toBeInstanceOf(InvalidWebhookError);
    await expect(provider.parseWebhook(changed, headers)).rejects.toBeInstanceOf(InvalidWebhookError);
    await expect(provider.parseWebhook(body, { 'content-type': 'application/json' })).rejects.toBeInstanceOf(InvalidWebhookError);
    await expect(provider.parseWebhook(body, { 'stripe-signature': 't=1,v1=00' })).rejects.toBeInstanceOf(InvalidWebhookError);
  });

  it('refuses a correctly signed delivery older than the tolerance (a replay)', async () => {
    const { sessionId } = await openCheckout();
    const timestamp = Math.floor(Date.now() / 1000) - 301;
    const stale = await fake.sendEvent('checkout.session.completed', fake.session(sessionId), { timestamp });

    await expect(provider.parseWebhook(...webhookOf(stale))).rejects.toThrow(/tolerance/);
    const recent = await fake.sendEvent('checkout.session.completed', fake.session(sessionId), { timestamp: timestamp + 60 });
    await expect(provider.parseWebhook(...webhookOf(recent))).resolves.toHaveLength(1);
  });

  it('gives a redelivered event the same eventId', async () => {
    const { sessionId } = await openCheckout();
    await fake.pay(sessionId);
    const first = lastDelivery('checkout.session.completed');
    const again = await fake.redeliver(first.event.id);

    const [one, two] = [await parseOnly(first), await parseOnly(again)];

    expect(two.eventId).toBe(one.eventId);
    expect(two).toEqual(one);
  });

  it('reports an expired session as a failed payment', async () => {
    const { order, sessionId } = await openCheckout();
    await fake.expire(sessionId);

    await expect(parseOnly(lastDelivery('checkout.session.expired'))).resolves.toMatchObject({ type: 'payment', payment: { orderId: order.orderId, status: 'failed' } });
  });

  it('turns invoice.paid for a later month into renewal-paid for the next period, naming the order that started the subscription', async () => {
    const { order, sessionId } = await paidCheckout('subscription');
    const subscriptionId = fake.session(sessionId).subscription!;
    const invoice = await fake.renew(subscriptionId);

    const event = await parseOnly(lastDelivery('invoice.paid'));

    expect(event).toMatchObject({
      type: 'renewal-paid',
      subscriptionReference: subscriptionId,
      payment: { orderId: order.orderId, providerPaymentId: invoice.id, status: 'paid', amount: 9_900, currency: 'KRW', savedMethod: { reference: subscriptionId, customerKey: order.customerKey } },
      periodEnd: new Date(fake.subscription(subscriptionId).items.data[0]!.current_period_end * 1000),
    });
  });

  it('reads the subscription of an invoice in the pre-2025 shape too', async () => {
    const legacyInvoice = { id: 'in_legacy', object: 'invoice', billing_reason: 'subscription_cycle', subscription: 'sub_legacy', amount_paid: 9_900, currency: 'krw', status_transitions: { paid_at: 1_700_000_000 }, lines: { data: [] } };
    const delivery = await fake.sendEvent('invoice.paid', legacyInvoice);

    await expect(parseOnly(delivery)).resolves.toMatchObject({ type: 'renewal-paid', subscriptionReference: 'sub_legacy', periodEnd: null });
  });

  it('turns invoice.payment_failed into renewal-failed', async () => {
    const { sessionId } = await paidCheckout('subscription');
    const subscriptionId = fake.session(sessionId).subscription!;
    await fake.renew(subscriptionId, { fail: true });

    const event = await parseOnly(lastDelivery('invoice.payment_failed'));

    expect(event).toMatchObject({ type: 'renewal-failed', subscriptionReference: subscriptionId, failure: { code: 'INVOICE_PAYMENT_FAILED' } });
  });

  it('turns customer.subscription.deleted into subscription-ended', async () => {
    const { sessionId } = await paidCheckout('subscription');
    const subscriptionId = fake.session(sessionId).subscription!;
    await fake.deleteSubscription(subscriptionId);

    await expect(parseOnly(lastDelivery('customer.subscription.deleted'))).resolves.toMatchObject({ type: 'subscription-ended', subscriptionReference: subscriptionId });
  });

  it('turns a Dashboard refund (charge.refunded) into the payment with the refund', async () => {
    const { order, payment } = await paidCheckout();

    await fake.refundInDashboard(payment.providerPaymentId!, 2_000);
    await expect(parseOnly(lastDelivery('charge.refunded'))).resolves.toMatchObject({
      type: 'payment',
      payment: { orderId: order.orderId, providerPaymentId: payment.providerPaymentId, status: 'partially_canceled', refundedAmount: 2_000, amount: 5_000 },
    });

    await fake.refundInDashboard(payment.providerPaymentId!);
    await expect(parseOnly(lastDelivery('charge.refunded'))).resolves.toMatchObject({ type: 'payment', payment: { status: 'canceled', refundedAmount: 5_000 } });
  });

  it('ignores events it does not use, and sessions that are not ours or not at Stripe', async () => {
    const other = await fake.sendEvent('customer.created', { id: 'cus_1', object: 'customer' });
    const notOurs = await fake.sendEvent('checkout.session.completed', { id: 'cs_test_link', object: 'checkout.session', client_reference_id: null });
    const unknown = await fake.sendEvent('checkout.session.completed', { id: 'cs_test_gone', object: 'checkout.session', client_reference_id: randomUUID() });

    for (const delivery of [other, notOurs, unknown]) {
      await expect(parseOnly(delivery)).resolves.toMatchObject({ type: 'ignored', eventId: delivery.event.id });
    }
  });
});

describe('StripeProvider.refund', () => {
  it('refunds all of a payment', async () => {
    const { ref, payment } = await paidCheckout();

    const refund = await provider.refund(ref, { amount: 5_000, reason: '고객 요청', idempotencyKey: `refund-${randomUUID()}` });

    expect(refund).toMatchObject({ amount: 5_000, status: 'succeeded' });
    expect(refund.refundId).toMatch(/^re_/);
    expect(fake.requests.at(-1)!.body).toEqual({ payment_intent: payment.providerPaymentId, amount: '5000', metadata: { reason: '고객 요청', orderId: ref.orderId } });
    await expect(provider.lookup(ref)).resolves.toMatchObject({ status: 'canceled', refundedAmount: 5_000 });
  });

  it('refunds part of a payment, then refuses more than what is left', async () => {
    const { ref } = await paidCheckout();

    await expect(provider.refund(ref, { amount: 2_000, reason: 'partial', idempotencyKey: `refund-${randomUUID()}` })).resolves.toMatchObject({ amount: 2_000, status: 'succeeded' });
    await expect(provider.lookup(ref)).resolves.toMatchObject({ status: 'partially_canceled', refundedAmount: 2_000 });
    await expect(provider.refund(ref, { amount: 3_001, reason: 'too much', idempotencyKey: `refund-${randomUUID()}` })).rejects.toMatchObject({
      name: 'ProviderDeclinedError',
      code: 'amount_too_large',
      status: 400,
    });
  });

  it('makes one refund of a call retried with the same idempotency key', async () => {
    const { ref, payment } = await paidCheckout();
    const request = { amount: 1_000, reason: 'retried', idempotencyKey: `refund-${randomUUID()}` };

    const first = await provider.refund(ref, request);
    const second = await provider.refund(ref, request);

    expect(second).toEqual(first);
    expect(fake.refunds().filter((refund) => refund.payment_intent === payment.providerPaymentId)).toHaveLength(1);
  });

  it("refunds a renewal through its invoice's PaymentIntent", async () => {
    const { sessionId, ref } = await paidCheckout('subscription');
    const invoice = await fake.renew(fake.session(sessionId).subscription!);

    const refund = await provider.refund({ ...ref, providerPaymentId: invoice.id }, { amount: 9_900, reason: 'renewal', idempotencyKey: `refund-${randomUUID()}` });

    expect(refund).toMatchObject({ amount: 9_900, status: 'succeeded' });
    expect(fake.refunds().find((candidate) => candidate.id === refund.refundId)!.payment_intent).not.toBe(ref.providerPaymentId);
  });

  it('refuses an order that has no payment', async () => {
    const { ref } = await openCheckout();

    await expect(provider.refund(ref, { amount: 1, reason: 'x', idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: 'NOT_PAID' });
  });
});

describe('StripeProvider subscriptions', () => {
  it('cancels the subscription at Stripe, and a second cancel is not an error', async () => {
    const { payment } = await paidCheckout('subscription');
    const saved = payment.savedMethod!;

    await provider.cancelSaved(saved);
    await fake.settle();

    expect(fake.subscription(saved.reference).status).toBe('canceled');
    expect(lastDelivery('customer.subscription.deleted').event.data.object).toMatchObject({ id: saved.reference });
    await expect(provider.cancelSaved(saved)).resolves.toBeUndefined();
  });

  it('never charges a saved method itself: Stripe renews', async () => {
    expect(provider.renewals).toBe('provider');
    await expect(provider.chargeSaved()).rejects.toThrow(/renews subscriptions itself/);
  });
});

describe('StripeProvider when Stripe does not answer', () => {
  it('reports a 500 as unavailable, without retrying it', async () => {
    const { ref } = await paidCheckout();
    const before = fake.requests.length;
    fake.failNext('status500');

    await expect(provider.lookup(ref)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(fake.requests).toHaveLength(before + 1);
  });

  it('reports a timeout as unavailable', async () => {
    const { ref } = await openCheckout();
    const impatient = stripeProvider({ timeoutMs: 300 });
    fake.failNext('timeout');
    const started = Date.now();

    await expect(impatient.confirm(ref, { session_id: ref.providerSessionId! })).rejects.toThrow(ProviderUnavailableError);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('opens the same session when a checkout that failed with a 500 is tried again', async () => {
    const order = newOrder();
    fake.failNext('status500');

    await expect(provider.createCheckout(order)).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(provider.createCheckout(order)).resolves.toMatchObject({ type: 'redirect' });
  });

  it('reports a wrong secret key as unavailable (our configuration, not an answer about the payment)', async () => {
    const { ref } = await paidCheckout();
    const misconfigured = stripeProvider({ secretKey: 'sk_test_wrong_key_0000' });

    const failure = misconfigured.lookup(ref);

    await expect(failure).rejects.toBeInstanceOf(ProviderUnavailableError);
    await expect(failure).rejects.toThrow(/HTTP 401.*Invalid API Key/);
  });

  it('refuses options that would disable the replay check or lose a base path', () => {
    expect(() => stripeProvider({ webhookToleranceSeconds: 0 })).toThrow(/positive/);
    expect(() => stripeProvider({ apiBaseUrl: `${fake.url}/v1` })).toThrow(/path/);
  });
});
