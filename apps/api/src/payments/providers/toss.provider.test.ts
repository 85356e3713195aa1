import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import vm from 'node:vm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeTossServer } from '../../../testing/fake-toss-server.js';
import { InvalidWebhookError, ProviderDeclinedError, ProviderUnavailableError, type OrderKind, type OrderRef, type VerifiedEvent } from './payment-provider.js';
import { TossProvider, type TossOptions } from './toss.provider.js';

let fake: FakeTossServer;
let toss: TossProvider;

beforeAll(async () => {
  fake = await new FakeTossServer({ secretKey: 'test_sk_consult_on', clientKey: 'test_ck_consult_on' }).start();
  toss = provider();
});
afterAll(async () => {
  await fake?.stop();
});
beforeEach(() => {
  fake.reset();
});

function provider(overrides: Partial<TossOptions> = {}): TossProvider {
  return new TossProvider({ secretKey: fake.secretKey, clientKey: fake.clientKey, apiBaseUrl: fake.url, sdkUrl: `${fake.url}/v2/standard`, timeoutMs: 2_000, ...overrides });
}

type Order = OrderRef & { kind: OrderKind; orderName: string };

/** Each test makes its own order (and customer), so tests share no payments. */
function newOrder(overrides: Partial<Order> = {}): Order {
  return {
    orderId: randomUUID(),
    orderName: '스탠다드 20만 토큰',
    amount: 5_000,
    currency: 'KRW',
    kind: 'package',
    providerPaymentId: null,
    providerSessionId: null,
    customerKey: randomUUID(),
    ...overrides,
  };
}

/** The customer paid in the window: the query Toss appends to the success page. */
function successReturn(order: Order): Record<string, string> {
  const paymentKey = fake.authorize({ orderId: order.orderId, amount: order.amount, orderName: order.orderName });
  return { paymentType: 'NORMAL', paymentKey, orderId: order.orderId, amount: String(order.amount) };
}

async function paidOrder(amount = 5_000): Promise<Order> {
  const order = newOrder({ amount });
  const payment = await toss.confirm(order, successReturn(order));
  return { ...order, providerPaymentId: payment.providerPaymentId };
}

function callsTo(path: string) {
  return fake.requests.filter((request) => request.path === path);
}

function confirmsOf(orderId: string) {
  return callsTo('/v1/payments/confirm').filter((request) => (request.body as { orderId?: string }).orderId === orderId);
}

function webhook(body: unknown): Buffer {
  return Buffer.from(JSON.stringify(body));
}

function paymentEvent(events: VerifiedEvent[]) {
  expect(events).toHaveLength(1);
  const [event] = events;
  if (event?.type !== 'payment') throw new Error(`expected a payment event, got ${JSON.stringify(event)}`);
  return event;
}

describe('createCheckout', () => {
  it('hands the browser what the SDK needs, without calling Toss', async () => {
    const before = fake.requests.length;
    const order = { ...newOrder(), productId: 'standard', customerEmail: 'user@example.com', successUrl: 'http://localhost/pay/success', failUrl: 'http://localhost/pay/fail' };
    expect(await toss.createCheckout(order)).toEqual({
      type: 'toss',
      flow: 'payment',
      sdkUrl: `${fake.url}/v2/standard`,
      clientKey: fake.clientKey,
      customerKey: order.customerKey,
      orderId: order.orderId,
      orderName: '스탠다드 20만 토큰',
      amount: 5_000,
      currency: 'KRW',
      customerEmail: 'user@example.com',
      successUrl: 'http://localhost/pay/success',
      failUrl: 'http://localhost/pay/fail',
    });
    expect(await toss.createCheckout({ ...order, kind: 'subscription' })).toMatchObject({ type: 'toss', flow: 'billing' });
    expect(fake.requests.length).toBe(before);
  });

  it('refuses a currency other than KRW', async () => {
    const order = { ...newOrder({ currency: 'USD' }), productId: 'standard', customerEmail: null, successUrl: 'http://localhost/s', failUrl: 'http://localhost/f' };
    await expect(toss.createCheckout(order)).rejects.toMatchObject({ name: 'ProviderDeclinedError', code: 'UNSUPPORTED_CURRENCY' });
  });
});

describe('confirm a one-off payment', () => {
  it('confirms with Basic auth and an Idempotency-Key, and reports the paid payment', async () => {
    const order = newOrder();
    const returned = successReturn(order);
    const payment = await toss.confirm(order, returned);
    expect(payment).toEqual({
      orderId: order.orderId,
      providerPaymentId: returned.paymentKey,
      status: 'paid',
      amount: 5_000,
      currency: 'KRW',
      refundedAmount: 0,
      method: '카드',
      paidAt: expect.any(Date),
      failure: null,
      savedMethod: null,
    });
    const [call] = confirmsOf(order.orderId);
    expect(call).toMatchObject({ method: 'POST', authorized: true, body: { paymentKey: returned.paymentKey, orderId: order.orderId, amount: 5_000 } });
    expect(call!.idempotencyKey).toMatch(new RegExp(`^confirm:${order.orderId}:`));
    expect(fake.payment(returned.paymentKey!).status).toBe('DONE');
  });

  it('reports a declined card as a ProviderDeclinedError with the code Toss gave', async () => {
    const order = newOrder();
    const returned = successReturn(order);
    fake.failNext('decline');
    const error = await toss.confirm(order, returned).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect(error).toMatchObject({ code: 'REJECT_CARD_PAYMENT', status: 403 });
    expect(await toss.lookup({ ...order, providerPaymentId: returned.paymentKey! })).toMatchObject({ status: 'failed', failure: { code: 'REJECT_CARD_PAYMENT' } });
  });

  it('refuses a tampered amount before asking Toss to confirm anything', async () => {
    const order = newOrder();
    const returned: Record<string, string> = { ...successReturn(order), amount: '100' };
    await expect(toss.confirm(order, returned)).rejects.toMatchObject({ name: 'ProviderDeclinedError', code: 'AMOUNT_MISMATCH' });
    expect(confirmsOf(order.orderId)).toHaveLength(0);
    expect(fake.payment(returned.paymentKey!).status).toBe('IN_PROGRESS');
  });

  it('refuses a return for another order before any call', async () => {
    const order = newOrder();
    const other = newOrder();
    const returned = successReturn(other);
    await expect(toss.confirm(order, returned)).rejects.toMatchObject({ code: 'ORDER_MISMATCH' });
    expect(confirmsOf(order.orderId)).toHaveLength(0);
    expect(confirmsOf(other.orderId)).toHaveLength(0);
  });

  it('refuses a return without a paymentKey', async () => {
    const order = newOrder();
    await expect(toss.confirm(order, { orderId: order.orderId, amount: '5000' })).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
  });

  it('confirming twice is one approval: the second call replays the first answer', async () => {
    const order = newOrder();
    const returned = successReturn(order);
    const first = await toss.confirm(order, returned);
    const approvedOnce = fake.payment(returned.paymentKey!).lastTransactionKey;
    const second = await toss.confirm(order, returned);
    expect(second).toEqual(first);
    const calls = confirmsOf(order.orderId);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.idempotencyKey).toBe(calls[0]!.idempotencyKey);
    expect(fake.payment(returned.paymentKey!).lastTransactionKey).toBe(approvedOnce);
  });

  it('reads the payment back when Toss says it was already processed', async () => {
    const order = newOrder();
    const returned = successReturn(order);
    // Confirmed by someone else (another tab, under another key) before this call.
    fake.setStatus(returned.paymentKey!, 'DONE');
    const payment = await toss.confirm(order, returned);
    expect(payment).toMatchObject({ status: 'paid', providerPaymentId: returned.paymentKey, amount: 5_000 });
    expect(callsTo(`/v1/payments/${returned.paymentKey}`).at(-1)).toMatchObject({ method: 'GET' });
  });
});

describe('lookup', () => {
  it('finds a payment by orderId and by paymentKey', async () => {
    const order = await paidOrder();
    const byOrderId = await toss.lookup({ ...order, providerPaymentId: null });
    const byPaymentKey = await toss.lookup(order);
    expect(byOrderId).toMatchObject({ status: 'paid', orderId: order.orderId, providerPaymentId: order.providerPaymentId });
    expect(byPaymentKey).toEqual(byOrderId);
    expect(callsTo(`/v1/payments/orders/${order.orderId}`)).toHaveLength(1);
  });

  it('reports an authenticated but unconfirmed payment as pending', async () => {
    const order = newOrder();
    successReturn(order);
    expect(await toss.lookup(order)).toMatchObject({ status: 'pending', paidAt: null, refundedAmount: 0 });
  });

  it('answers null for an order or a paymentKey Toss never saw', async () => {
    expect(await toss.lookup(newOrder())).toBeNull();
    expect(await toss.lookup(newOrder({ providerPaymentId: 'tfake-never-issued' }))).toBeNull();
  });

  it("refuses a paymentKey that is another order's", async () => {
    const paid = await paidOrder();
    await expect(toss.lookup(newOrder({ providerPaymentId: paid.providerPaymentId }))).rejects.toMatchObject({ code: 'ORDER_MISMATCH' });
  });
});

describe('parseWebhook', () => {
  it("returns Toss's state read again, not the body's claim", async () => {
    const order = newOrder();
    const { paymentKey } = successReturn(order);
    const forged = fake.webhookEvent(paymentKey!);
    (forged.data as { status: string }).status = 'DONE';
    const event = paymentEvent(await toss.parseWebhook(webhook(forged), {}));
    expect(event.payment).toMatchObject({ status: 'pending', providerPaymentId: paymentKey, orderId: order.orderId });
    expect(callsTo(`/v1/payments/${paymentKey}`).at(-1)).toMatchObject({ method: 'GET', authorized: true });
  });

  it('ignores a paymentKey Toss does not know', async () => {
    const body = { eventType: 'PAYMENT_STATUS_CHANGED', createdAt: '2026-01-01T00:00:00.000000', data: { paymentKey: 'tfake-forged', orderId: randomUUID(), status: 'DONE', totalAmount: 5_000 } };
    const [event] = await toss.parseWebhook(webhook(body), {});
    expect(event).toMatchObject({ type: 'ignored', eventId: 'toss:unknown:tfake-forged' });
  });

  it('throws InvalidWebhookError for a body that is not a Toss event', async () => {
    await expect(toss.parseWebhook(Buffer.from('{"eventType": '), {})).rejects.toBeInstanceOf(InvalidWebhookError);
    await expect(toss.parseWebhook(webhook({ eventType: 'PAYMENT_STATUS_CHANGED' }), {})).rejects.toBeInstanceOf(InvalidWebhookError);
    await expect(toss.parseWebhook(webhook({ eventType: 'PAYMENT_STATUS_CHANGED', data: { status: 'DONE' } }), {})).rejects.toBeInstanceOf(InvalidWebhookError);
    await expect(toss.parseWebhook(webhook({ eventType: 'PAYMENT_STATUS_CHANGED', data: { paymentKey: 42 } }), {})).rejects.toBeInstanceOf(InvalidWebhookError);
    await expect(toss.parseWebhook(webhook([]), {})).rejects.toBeInstanceOf(InvalidWebhookError);
  });

  it('gives a duplicated delivery the same eventId, and a later refund a new one', async () => {
    const order = await paidOrder();
    const body = webhook(fake.webhookEvent(order.providerPaymentId!));
    const first = paymentEvent(await toss.parseWebhook(body, {}));
    const again = paymentEvent(await toss.parseWebhook(body, {}));
    expect(again.eventId).toBe(first.eventId);
    expect(first.payment.status).toBe('paid');

    fake.cancel(order.providerPaymentId!, 1_000);
    const afterRefund = paymentEvent(await toss.parseWebhook(webhook(fake.webhookEvent(order.providerPaymentId!)), {}));
    expect(afterRefund.eventId).not.toBe(first.eventId);
    expect(afterRefund.payment).toMatchObject({ status: 'partially_canceled', refundedAmount: 1_000 });

    // A second partial refund keeps the status: the balance alone tells the events apart.
    fake.cancel(order.providerPaymentId!, 1_000);
    const afterSecondRefund = paymentEvent(await toss.parseWebhook(webhook(fake.webhookEvent(order.providerPaymentId!)), {}));
    expect(afterSecondRefund.eventId).not.toBe(afterRefund.eventId);
    expect(afterSecondRefund.payment).toMatchObject({ status: 'partially_canceled', refundedAmount: 2_000 });
  });

  it('reads CANCEL_STATUS_CHANGED by its paymentKey, and ignores one without', async () => {
    const order = await paidOrder();
    fake.cancel(order.providerPaymentId!, 5_000);
    const event = paymentEvent(await toss.parseWebhook(webhook({ eventType: 'CANCEL_STATUS_CHANGED', createdAt: '2026-01-01T00:00:00.000000', data: { paymentKey: order.providerPaymentId, cancelStatus: 'DONE' } }), {}));
    expect(event.payment).toMatchObject({ status: 'canceled', refundedAmount: 5_000 });
    const [ignored] = await toss.parseWebhook(webhook({ eventType: 'CANCEL_STATUS_CHANGED', createdAt: '2026-01-01T00:00:00.000000', data: { transactionKey: 'ABC', cancelStatus: 'DONE' } }), {});
    expect(ignored).toMatchObject({ type: 'ignored' });
  });

  it('ignores event types it does not use, with a stable eventId', async () => {
    const body = webhook({ eventType: 'BILLING_DELETED', createdAt: '2026-01-01T00:00:00.000000', data: { billingKey: 'abc', reason: '삭제 API 요청' } });
    const [first] = await toss.parseWebhook(body, {});
    const [again] = await toss.parseWebhook(body, {});
    expect(first).toMatchObject({ type: 'ignored' });
    expect(again!.eventId).toBe(first!.eventId);
  });

  it('parses a delivery the fake sends over HTTP, as Toss sends it', async () => {
    const order = await paidOrder();
    const received: { body: Buffer; headers: http.IncomingHttpHeaders }[] = [];
    const receiver = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ body: Buffer.concat(chunks), headers: request.headers });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = receiver.address() as AddressInfo;
      const sent = await fake.sendWebhook(`http://127.0.0.1:${port}/api/payments/webhooks/toss`, fake.webhookEvent(order.providerPaymentId!));
      expect(sent.status).toBe(200);
      const [delivery] = received;
      expect(delivery!.headers['tosspayments-webhook-transmission-id']).toMatch(/^whtrans_/);
      const event = paymentEvent(await toss.parseWebhook(delivery!.body, {}));
      expect(event.payment).toMatchObject({ status: 'paid', orderId: order.orderId });
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});

describe('refund', () => {
  it('refunds in parts: partially canceled, then canceled, each with its own transaction', async () => {
    const order = await paidOrder(5_000);
    const first = await toss.refund(order, { amount: 2_000, reason: '고객 요청', idempotencyKey: randomUUID() });
    expect(first).toEqual({ refundId: expect.any(String), amount: 2_000, status: 'succeeded' });
    expect(await toss.lookup(order)).toMatchObject({ status: 'partially_canceled', refundedAmount: 2_000, amount: 5_000 });

    const rest = await toss.refund(order, { amount: 3_000, reason: '고객 요청', idempotencyKey: randomUUID() });
    expect(rest).toMatchObject({ amount: 3_000, status: 'succeeded' });
    expect(rest.refundId).not.toBe(first.refundId);
    expect(await toss.lookup(order)).toMatchObject({ status: 'canceled', refundedAmount: 5_000 });
    const [call] = callsTo(`/v1/payments/${order.providerPaymentId}/cancel`);
    expect(call).toMatchObject({ method: 'POST', body: { cancelReason: '고객 요청', cancelAmount: 2_000 } });
  });

  it('refunds once when called twice with the same idempotency key', async () => {
    const order = await paidOrder(5_000);
    const idempotencyKey = randomUUID();
    const first = await toss.refund(order, { amount: 1_000, reason: '중복 요청 시험', idempotencyKey });
    const second = await toss.refund(order, { amount: 1_000, reason: '중복 요청 시험', idempotencyKey });
    expect(second).toEqual(first);
    expect(fake.payment(order.providerPaymentId!).cancels).toHaveLength(1);
    expect(fake.payment(order.providerPaymentId!).balanceAmount).toBe(4_000);
  });

  it('finds the payment by orderId when the order has no paymentKey yet', async () => {
    const order = await paidOrder(5_000);
    const refund = await toss.refund({ ...order, providerPaymentId: null }, { amount: 5_000, reason: '전액 환불', idempotencyKey: randomUUID() });
    expect(refund).toMatchObject({ amount: 5_000, status: 'succeeded' });
  });

  it('passes on Toss refusing more than the balance', async () => {
    const order = await paidOrder(5_000);
    await expect(toss.refund(order, { amount: 6_000, reason: '초과 환불', idempotencyKey: randomUUID() })).rejects.toMatchObject({
      name: 'ProviderDeclinedError',
      code: 'NOT_CANCELABLE_AMOUNT',
      status: 403,
    });
  });

  it('refuses an amount that is not a positive whole number of won, without a call', async () => {
    const order = await paidOrder(5_000);
    await expect(toss.refund(order, { amount: 0, reason: '영 원', idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
    await expect(toss.refund(order, { amount: 10.5, reason: '소수', idempotencyKey: randomUUID() })).rejects.toMatchObject({ code: 'INVALID_AMOUNT' });
    expect(callsTo(`/v1/payments/${order.providerPaymentId}/cancel`)).toHaveLength(0);
  });
});

describe('billing (subscriptions)', () => {
  async function subscribed() {
    const order = newOrder({ kind: 'subscription', orderName: '프로 월 구독', amount: 9_900 });
    const authKey = fake.issueAuthKey(order.customerKey);
    const payment = await toss.confirm(order, { customerKey: order.customerKey, authKey });
    return { order, payment, saved: payment.savedMethod! };
  }

  it('issues a billing key from the auth key and charges the first month with it', async () => {
    const { order, payment, saved } = await subscribed();
    expect(payment).toMatchObject({ status: 'paid', orderId: order.orderId, amount: 9_900, savedMethod: { reference: expect.any(String), customerKey: order.customerKey } });
    const charge = callsTo(`/v1/billing/${saved.reference}`).at(-1);
    expect(charge).toMatchObject({ method: 'POST', body: { customerKey: order.customerKey, amount: 9_900, orderId: order.orderId, orderName: '프로 월 구독' } });
    expect(charge!.idempotencyKey).toMatch(new RegExp(`^billing-charge:${order.orderId}:`));
  });

  it('refuses a card registered for another customer, without a call', async () => {
    const order = newOrder({ kind: 'subscription' });
    const before = callsTo('/v1/billing/authorizations/issue').length;
    const authKey = fake.issueAuthKey('someone-else');
    await expect(toss.confirm(order, { customerKey: 'someone-else', authKey })).rejects.toMatchObject({ code: 'CUSTOMER_MISMATCH' });
    expect(callsTo('/v1/billing/authorizations/issue')).toHaveLength(before);
  });

  it('charges a saved billing key for a renewal, once per idempotency key', async () => {
    const { saved } = await subscribed();
    const renewal = { orderId: randomUUID(), orderName: '프로 월 구독 (2개월차)', amount: 9_900, currency: 'KRW', idempotencyKey: randomUUID(), customerEmail: 'user@example.com' };
    const payment = await toss.chargeSaved(saved, renewal);
    expect(payment).toMatchObject({ status: 'paid', orderId: renewal.orderId, amount: 9_900, savedMethod: null });
    expect(callsTo(`/v1/billing/${saved.reference}`).at(-1)).toMatchObject({ idempotencyKey: renewal.idempotencyKey, body: { customerEmail: 'user@example.com' } });
    const retried = await toss.chargeSaved(saved, renewal);
    expect(retried.providerPaymentId).toBe(payment.providerPaymentId);
  });

  it('reads the earlier charge when a retry under a new key meets DUPLICATED_ORDER_ID', async () => {
    const { saved } = await subscribed();
    const renewal = { orderId: randomUUID(), orderName: '프로 월 구독 (2개월차)', amount: 9_900, currency: 'KRW', customerEmail: null };
    const first = await toss.chargeSaved(saved, { ...renewal, idempotencyKey: randomUUID() });
    const again = await toss.chargeSaved(saved, { ...renewal, idempotencyKey: randomUUID() });
    expect(again).toEqual(first);
  });

  it('reports a declined renewal as ProviderDeclinedError', async () => {
    const { saved } = await subscribed();
    fake.declineCard(true);
    const renewal = { orderId: randomUUID(), orderName: '프로 월 구독 (2개월차)', amount: 9_900, currency: 'KRW', idempotencyKey: randomUUID(), customerEmail: null };
    await expect(toss.chargeSaved(saved, renewal)).rejects.toMatchObject({ name: 'ProviderDeclinedError', code: 'REJECT_CARD_PAYMENT', status: 403 });
  });

  it('stops renewals without calling Toss', async () => {
    const { saved } = await subscribed();
    const before = fake.requests.length;
    await toss.cancelSaved(saved);
    expect(fake.requests.length).toBe(before);
  });
});

describe('when Toss is down or answers nonsense', () => {
  it('reports a 500 as unavailable, and the payment is still there to confirm later', async () => {
    const order = newOrder();
    const returned = successReturn(order);
    fake.failNext('status500');
    await expect(toss.confirm(order, returned)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(await toss.confirm(order, returned)).toMatchObject({ status: 'paid' });
  });

  it('gives up after timeoutMs and reports unavailable', async () => {
    const impatient = provider({ timeoutMs: 300 });
    const order = newOrder();
    const returned = successReturn(order);
    fake.failNext('timeout');
    const started = Date.now();
    await expect(impatient.confirm(order, returned)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('reports a dropped connection as unavailable', async () => {
    fake.failNext('disconnect');
    await expect(toss.lookup(newOrder())).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('reports a 200 whose body is not JSON as unavailable', async () => {
    const order = newOrder();
    const returned = successReturn(order);
    fake.failNext('malformed');
    await expect(toss.confirm(order, returned)).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('reports a 200 whose JSON is not a Payment as unavailable', async () => {
    fake.failNext('incomplete');
    await expect(toss.lookup(newOrder())).rejects.toBeInstanceOf(ProviderUnavailableError);
  });

  it('passes on a wrong secret key as a 401 decline', async () => {
    const wrongKey = provider({ secretKey: 'test_sk_wrong' });
    const order = newOrder();
    const returned = successReturn(order);
    const error = await wrongKey.confirm(order, returned).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderDeclinedError);
    expect(error).toMatchObject({ code: 'UNAUTHORIZED_KEY', status: 401 });
    expect(confirmsOf(order.orderId).at(-1)).toMatchObject({ authorized: false });
  });
});

describe("the fake's SDK and payment window (what a browser test drives)", () => {
  interface SdkWindow {
    TossPayments: (clientKey: string) => {
      payment(options: { customerKey: string }): {
        requestPayment(params: Record<string, unknown>): Promise<never>;
        requestBillingAuth(params: Record<string, unknown>): Promise<never>;
      };
    };
  }

  /** Runs the served SDK script as a page would, and returns the URL it navigates to. */
  async function sdk(): Promise<{ TossPayments: SdkWindow['TossPayments']; navigations: string[] }> {
    const script = await (await fetch(`${fake.url}/v2/standard`)).text();
    const navigations: string[] = [];
    const window = { location: { assign: (url: string) => navigations.push(url) } };
    vm.runInNewContext(script, { window, URLSearchParams, Promise, Object, Error, String });
    return { TossPayments: (window as unknown as SdkWindow).TossPayments, navigations };
  }

  /** Presses one of the window's buttons: its form is posted, and the answer is a redirect. */
  async function press(windowUrl: string, action: 'pay' | 'reject' | 'cancel'): Promise<URL> {
    const page = await fetch(windowUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('결제하기');
    const form = new URLSearchParams(new URL(windowUrl).searchParams);
    form.set('action', action);
    const answer = await fetch(`${fake.url}/window`, { method: 'POST', body: form, redirect: 'manual' });
    expect(answer.status).toBe(303);
    return new URL(answer.headers.get('location')!);
  }

  it('pays in the window, returns to successUrl, and the adapter confirms it', async () => {
    const order = newOrder();
    const checkout = await toss.createCheckout({ ...order, productId: 'standard', customerEmail: null, successUrl: 'http://localhost:5173/pay/success', failUrl: 'http://localhost:5173/pay/fail' });
    if (checkout.type !== 'toss') throw new Error('expected a Toss checkout');
    const { TossPayments, navigations } = await sdk();
    void TossPayments(checkout.clientKey).payment({ customerKey: checkout.customerKey }).requestPayment({
      method: 'CARD',
      amount: { currency: 'KRW', value: checkout.amount },
      orderId: checkout.orderId,
      orderName: checkout.orderName,
      successUrl: checkout.successUrl,
      failUrl: checkout.failUrl,
    });
    const success = await press(navigations[0]!, 'pay');
    expect(`${success.origin}${success.pathname}`).toBe('http://localhost:5173/pay/success');
    const returned = Object.fromEntries(success.searchParams);
    expect(returned).toMatchObject({ orderId: order.orderId, amount: '5000', paymentKey: expect.any(String) });
    expect(await toss.confirm(order, returned)).toMatchObject({ status: 'paid', amount: 5_000 });
  });

  it('sends a declined card and a cancel to failUrl with their codes', async () => {
    const order = newOrder();
    const { TossPayments, navigations } = await sdk();
    const payment = TossPayments(fake.clientKey).payment({ customerKey: order.customerKey });
    const request = { method: 'CARD', amount: { currency: 'KRW', value: 5_000 }, orderId: order.orderId, orderName: '스탠다드', successUrl: 'http://localhost/s', failUrl: 'http://localhost/f' };
    void payment.requestPayment(request);
    const rejected = await press(navigations[0]!, 'reject');
    expect(Object.fromEntries(rejected.searchParams)).toMatchObject({ code: 'REJECT_CARD_PAYMENT', orderId: order.orderId });
    const canceled = await press(navigations[0]!, 'cancel');
    expect(canceled.searchParams.get('code')).toBe('PAY_PROCESS_CANCELED');
    expect(await toss.lookup(order)).toBeNull();
  });

  it('registers a card for billing and returns authKey and customerKey', async () => {
    const order = newOrder({ kind: 'subscription', amount: 9_900 });
    const { TossPayments, navigations } = await sdk();
    void TossPayments(fake.clientKey).payment({ customerKey: order.customerKey }).requestBillingAuth({ method: 'CARD', successUrl: 'http://localhost/s', failUrl: 'http://localhost/f' });
    const success = await press(navigations[0]!, 'pay');
    const returned = Object.fromEntries(success.searchParams);
    expect(returned).toEqual({ customerKey: order.customerKey, authKey: expect.any(String) });
    expect(await toss.confirm(order, returned)).toMatchObject({ status: 'paid', savedMethod: { customerKey: order.customerKey } });
  });

  it('refuses a window opened with another client key', async () => {
    const query = new URLSearchParams({ flow: 'payment', clientKey: 'test_ck_wrong', orderId: randomUUID(), orderName: '스탠다드', amount: '5000', successUrl: 'http://localhost/s', failUrl: 'http://localhost/f' });
    expect((await fetch(`${fake.url}/window?${query}`)).status).toBe(401);
  });
});
