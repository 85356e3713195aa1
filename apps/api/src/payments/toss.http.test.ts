import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeTossServer } from '../../testing/fake-toss-server.js';
import { payments } from '../database/schema.js';
import { idempotencyKey, paymentHarness, tossApp } from '../../testing/payment-harness.js';
import type { TestApp } from '../../testing/test-app.js';

// The whole purchase path against a fake Toss Payments on a local port (plain HTTP): the order's
// checkout fields, the success return and its confirmation, webhooks trusted only after a re-read,
// refunds, billing-key renewals and a Toss that does not answer.
let toss: FakeTossServer;
let api: TestApp;
let harness: ReturnType<typeof paymentHarness>;
let admin: { id: string; token: string };
let webhookUrl: string;

beforeAll(async () => {
  toss = await new FakeTossServer().start();
  api = await tossApp(toss);
  webhookUrl = `${api.baseUrl}/api/payments/webhooks/toss`;
  harness = paymentHarness(api);
  admin = await api.signUpAdmin();
});
afterAll(async () => {
  await toss?.stop();
  await api?.close();
});
afterEach(() => toss.reset());

async function checkout(user: { token: string }, packageId = 'tokens-50k') {
  const response = await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId }, headers: idempotencyKey() });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return { order: response.body.order as { id: string; amount: number; status: string }, checkout: response.body.checkout };
}

/** The customer pays in Toss's window: Toss sends the browser back with these. */
function payInWindow(order: { id: string; amount: number }) {
  const paymentKey = toss.authorize({ orderId: order.id, amount: order.amount });
  return { paymentKey, orderId: order.id, amount: String(order.amount) };
}

const confirm = (user: { token: string }, orderId: string, body: object) => api.request('POST', `/api/payments/orders/${orderId}/confirm`, { token: user.token, body });

describe('Toss Payments', () => {
  it('opens the payment window with the order kept server-side, confirms the return, grants once', async () => {
    const user = await api.signUp();
    const { order, checkout: window } = await checkout(user);
    expect(window).toMatchObject({
      type: 'toss',
      flow: 'payment',
      sdkUrl: `${toss.url}/v2/standard`,
      clientKey: toss.clientKey,
      orderId: order.id,
      amount: 5_000,
      currency: 'KRW',
      successUrl: expect.stringContaining(`/purchase/result/?order=${order.id}`),
    });
    const returned = payInWindow(order);
    const back = await confirm(user, order.id, returned);
    expect(back.body.order).toMatchObject({ status: 'PAID', method: '카드', receipt: { supplyAmount: 4_545, vatAmount: 455 } });
    expect(back.body.usage.purchasedTokens).toBe(50_000);
    // Toss's webhook for the same payment, and a second return, change nothing.
    expect((await toss.sendWebhook(webhookUrl, toss.webhookEvent(returned.paymentKey))).status).toBe(200);
    expect((await confirm(user, order.id, returned)).body.order.status).toBe('PAID');
    expect(await harness.grants(order.id)).toBe(1);
    expect(toss.requests.filter((request) => request.path === '/v1/payments/confirm')).toHaveLength(1);
  });

  it('refuses a tampered amount before asking Toss, and logs nothing as paid', async () => {
    const user = await api.signUp();
    const { order } = await checkout(user);
    const returned = payInWindow(order);
    const before = toss.requests.length;
    const tampered = await confirm(user, order.id, { ...returned, amount: '50' });
    expect(tampered.status).toBe(400);
    expect(tampered.body.code).toBe('AMOUNT_MISMATCH');
    const otherOrder = await confirm(user, order.id, { ...returned, orderId: '00000000-0000-4000-8000-000000000000' });
    expect(otherOrder.status).toBe(400);
    expect(toss.requests.slice(before).filter((request) => request.path === '/v1/payments/confirm')).toHaveLength(0);
    expect((await harness.order(order.id)).status).toBe('PENDING');
    // The honest return still works afterwards.
    expect((await confirm(user, order.id, returned)).body.order.status).toBe('PAID');
  });

  it('marks a declined card failed, grants nothing, and lets the user try again with a new order', async () => {
    const user = await api.signUp();
    const { order } = await checkout(user);
    toss.declineCard();
    const back = await confirm(user, order.id, payInWindow(order));
    expect(back.status).toBe(200);
    expect(back.body.order).toMatchObject({ status: 'FAILED', failure: { code: 'REJECT_CARD_PAYMENT' } });
    expect(await harness.grants(order.id)).toBe(0);
    expect(await harness.purchasedTokens(user)).toBe(0);
  });

  it('trusts a webhook only after reading the payment again from Toss', async () => {
    const user = await api.signUp();
    const { order } = await checkout(user);
    const { paymentKey } = payInWindow(order);
    // A forged body claims DONE; Toss says the payment is still waiting for its confirmation.
    const forged = { ...toss.webhookEvent(paymentKey), data: { ...toss.payment(paymentKey), status: 'DONE', approvedAt: new Date().toISOString() } };
    expect((await toss.sendWebhook(webhookUrl, forged)).status).toBe(200);
    expect((await harness.order(order.id)).status).toBe('PENDING');
    // A payment Toss does not know, and a body that is not an event.
    expect((await toss.sendWebhook(webhookUrl, { ...forged, data: { ...forged.data, paymentKey: 'tgen_forged_0000' } })).status).toBe(200);
    expect((await api.request('POST', '/api/payments/webhooks/toss', { rawBody: '{"eventType":' })).status).toBe(400);
    expect((await api.request('POST', '/api/payments/webhooks/toss', { rawBody: '{"hello":"world"}' })).status).toBe(401);
    expect(await harness.grants(order.id)).toBe(0);
  });

  it('a webhook that comes before the redirect grants once; the duplicate and the return change nothing', async () => {
    const user = await api.signUp();
    const { order } = await checkout(user);
    const returned = payInWindow(order);
    toss.setStatus(returned.paymentKey, 'DONE'); // approved by an earlier confirmation whose answer was lost
    const first = await toss.sendWebhook(webhookUrl, toss.webhookEvent(returned.paymentKey));
    expect(JSON.parse(first.body)).toMatchObject({ received: 1, applied: 1 });
    const duplicate = await toss.sendWebhook(webhookUrl, toss.webhookEvent(returned.paymentKey));
    expect(JSON.parse(duplicate.body)).toMatchObject({ applied: 0 });
    expect((await confirm(user, order.id, returned)).body.order.status).toBe('PAID');
    expect(await harness.grants(order.id)).toBe(1);
    expect(await harness.purchasedTokens(user)).toBe(50_000);
  });

  it('refunds with /cancel, and takes back the share of a refund made in the Toss dashboard', async () => {
    const user = await api.signUp();
    const { order } = await checkout(user, 'tokens-200k');
    const returned = payInWindow(order);
    await confirm(user, order.id, returned);
    const refund = await api.request('POST', `/api/admin/orders/${order.id}/refunds`, { token: admin.token, body: { tokens: 50_000, reason: '일부 환불' }, headers: idempotencyKey() });
    expect(refund.body).toMatchObject({ refund: { status: 'SUCCEEDED', amount: 4_500 }, order: { status: 'PARTIALLY_REFUNDED' } });
    expect(toss.payment(returned.paymentKey)).toMatchObject({ status: 'PARTIAL_CANCELED', balanceAmount: 13_500 });
    // Toss's webhook about our own refund is already accounted for.
    await toss.sendWebhook(webhookUrl, toss.webhookEvent(returned.paymentKey));
    expect((await harness.order(order.id)).refundedAmount).toBe(4_500);
    toss.cancel(returned.paymentKey, 1_800);
    await toss.sendWebhook(webhookUrl, toss.webhookEvent(returned.paymentKey));
    expect(await harness.order(order.id)).toMatchObject({ refundedAmount: 6_300, refundedTokens: 70_000 });
    expect(await harness.purchasedTokens(user)).toBe(130_000);
    // Refunding twice with the same key is one refund at Toss.
    const headers = idempotencyKey();
    const again = async () => api.request('POST', `/api/admin/orders/${order.id}/refunds`, { token: admin.token, body: { reason: '전액 환불' }, headers });
    const [a, b] = [await again(), await again()];
    expect(b.body.refund.id).toBe(a.body.refund.id);
    expect(a.body.order).toMatchObject({ status: 'REFUNDED', refundedAmount: 18_000 });
    expect(toss.payment(returned.paymentKey)).toMatchObject({ status: 'CANCELED', balanceAmount: 0 });
    expect((await harness.verify(admin)).ok).toBe(true);
  });

  it('renews a monthly product with the billing key each period, and ends it after failed attempts', async () => {
    const user = await api.signUp();
    const start = await api.request('POST', '/api/payments/subscriptions', { token: user.token, body: { productId: 'monthly-test' }, headers: idempotencyKey() });
    expect(start.body.checkout).toMatchObject({ type: 'toss', flow: 'billing', customerKey: user.id });
    const authKey = toss.issueAuthKey(user.id);
    const first = await confirm(user, start.body.order.id, { authKey, customerKey: user.id });
    expect(first.body.order).toMatchObject({ status: 'PAID', amount: 9_900 });
    const [subscription] = (await api.request('GET', '/api/payments/subscriptions', { token: user.token })).body;
    expect(subscription).toMatchObject({ status: 'ACTIVE', provider: 'toss' });
    // A month later the renewal job charges the billing key once, however often it runs.
    api.clock.set(new Date(new Date(subscription.currentPeriodEnd).getTime() + 60_000));
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ due: 1, paid: 1 });
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ due: 0 });
    expect(await harness.purchasedTokens(user)).toBe(600_000);
    // The next month the card is declined: past due, retried a day later, ended after three attempts.
    const renewed = (await api.request('GET', '/api/payments/subscriptions', { token: user.token })).body[0];
    api.clock.set(new Date(new Date(renewed.currentPeriodEnd).getTime() + 60_000));
    toss.declineCard();
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ due: 1, failed: 1 });
    expect((await api.request('GET', '/api/payments/subscriptions', { token: user.token })).body[0].status).toBe('PAST_DUE');
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ due: 0 });
    api.clock.advance(25 * 3_600_000);
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ failed: 1 });
    api.clock.advance(25 * 3_600_000);
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ canceled: 1 });
    expect((await api.request('GET', '/api/payments/subscriptions', { token: user.token })).body[0].status).toBe('CANCELED');
    expect(await harness.purchasedTokens(user)).toBe(600_000);
    expect((await harness.verify(admin)).ok).toBe(true);
  });

  it('when Toss does not answer the order stays pending; the reconciler settles it once', async () => {
    const user = await api.signUp();
    const { order } = await checkout(user);
    const returned = payInWindow(order);
    toss.failNext('status500');
    expect((await confirm(user, order.id, returned)).body.order.status).toBe('PENDING');
    // Approved at Toss by a confirmation whose answer was lost (timeout).
    toss.failNext('timeout');
    expect((await confirm(user, order.id, returned)).body.order.status).toBe('PENDING');
    toss.setStatus(returned.paymentKey, 'DONE');
    toss.failNext('status500', 100);
    api.clock.advance(11 * 60_000);
    expect((await harness.runJob(admin, 'payments-reconcile')).unavailable).toBeGreaterThanOrEqual(1);
    expect((await harness.order(order.id)).status).toBe('PENDING');
    toss.reset();
    api.clock.advance(11 * 60_000);
    await harness.runJob(admin, 'payments-reconcile');
    expect((await harness.order(order.id)).status).toBe('PAID');
    api.clock.advance(11 * 60_000);
    await harness.runJob(admin, 'payments-reconcile');
    expect(await harness.grants(order.id)).toBe(1);
    // An order whose window was never paid fails once it expires.
    const abandoned = await checkout(user);
    api.clock.advance(61 * 60_000);
    await harness.runJob(admin, 'payments-reconcile');
    expect(await harness.order(abandoned.order.id)).toMatchObject({ status: 'FAILED', failureCode: 'EXPIRED' });
    expect((await harness.verify(admin)).ok).toBe(true);
  });
});

describe('Toss Payments: leaving the window, renewals after a decline, and a reconciler that never starves', () => {
  it('fails an order left in the payment window with the reason Toss gave, for its buyer only', async () => {
    const user = await api.signUp();
    const { order } = await checkout(user);
    const stranger = await api.signUp();
    expect((await api.request('POST', `/api/payments/orders/${order.id}/abandon`, { token: stranger.token, body: {} })).status).toBe(404);
    const left = await api.request('POST', `/api/payments/orders/${order.id}/abandon`, { token: user.token, body: { code: 'PAY_PROCESS_CANCELED', message: '사용자에 의해 결제가 취소되었습니다.' } });
    expect(left.body.order).toMatchObject({ status: 'FAILED', failure: { code: 'PAY_PROCESS_CANCELED' } });
    expect((await api.request('POST', `/api/payments/orders/${order.id}/abandon`, { token: user.token, body: { code: 'lower-case' } })).status).toBe(400);
    expect(await harness.grants(order.id)).toBe(0);
  });

  it('settles its own pending orders however many orders of a retired provider wait before them', async () => {
    const user = await api.signUp();
    const { order } = await checkout(user);
    const returned = payInWindow(order);
    toss.setStatus(returned.paymentKey, 'DONE');
    const legacy = Array.from({ length: 250 }, () => ({ userId: user.id, packageId: 'tokens-50k', tokens: 50_000, amount: 5_000, provider: 'webhook', status: 'PENDING' as const, createdAt: new Date('2026-01-01T00:00:00Z') }));
    await api.database.db.insert(payments).values(legacy);
    api.clock.advance(11 * 60_000);
    await harness.runJob(admin, 'payments-reconcile');
    expect((await harness.order(order.id)).status).toBe('PAID');
  });

  it('a renewal declined once is charged again a day later and renews; a cancel stops the next one', async () => {
    const user = await api.signUp();
    const start = await api.request('POST', '/api/payments/subscriptions', { token: user.token, body: { productId: 'monthly-test' }, headers: idempotencyKey() });
    await confirm(user, start.body.order.id, { authKey: toss.issueAuthKey(user.id), customerKey: user.id });
    const [subscription] = (await api.request('GET', '/api/payments/subscriptions', { token: user.token })).body;
    expect(subscription.productName).toBe('월간 30만 토큰 (테스트 상품)');
    api.clock.set(new Date(new Date(subscription.currentPeriodEnd).getTime() + 60_000));
    toss.declineCard();
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ failed: 1 });
    toss.reset();
    api.clock.advance(25 * 3_600_000);
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ paid: 1 });
    const renewed = (await api.request('GET', '/api/payments/subscriptions', { token: user.token })).body[0];
    expect(renewed).toMatchObject({ status: 'ACTIVE' });
    expect(new Date(renewed.currentPeriodEnd).getTime()).toBeGreaterThan(new Date(subscription.currentPeriodEnd).getTime() + 27 * 86_400_000);
    expect(await harness.purchasedTokens(user)).toBe(600_000);
    const canceled = await api.request('POST', `/api/payments/subscriptions/${renewed.id}/cancel`, { token: user.token });
    expect(canceled.body).toMatchObject({ status: 'CANCELED' });
    api.clock.set(new Date(new Date(renewed.currentPeriodEnd).getTime() + 60_000));
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ due: 0 });
    expect(await harness.purchasedTokens(user)).toBe(600_000);
    expect((await harness.verify(admin)).ok).toBe(true);
  });
});
