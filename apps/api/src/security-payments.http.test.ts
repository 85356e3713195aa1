import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeStripeServer } from '../testing/fake-stripe-server.js';
import { FakeTossServer } from '../testing/fake-toss-server.js';
import { idempotencyKey, paymentHarness, STRIPE_TEST_KEYS, stripeApp, tossApp } from '../testing/payment-harness.js';
import type { TestApp } from '../testing/test-app.js';

/**
 * The security suite's payment attacks (issue 13), against both providers' fakes: replayed and
 * forged webhooks, tampered amounts, another user's order, refunding twice, and a confirmation
 * racing the webhook. RELIABILITY.md lists what each rests on.
 */
let toss: FakeTossServer;
let stripe: FakeStripeServer;
let onToss: TestApp;
let onStripe: TestApp;

beforeAll(async () => {
  toss = await new FakeTossServer().start();
  stripe = await new FakeStripeServer(STRIPE_TEST_KEYS).start();
  onToss = await tossApp(toss);
  onStripe = await stripeApp(stripe);
});
afterAll(async () => {
  await onToss?.close();
  await onStripe?.close();
  await toss?.stop();
  await stripe?.stop();
});

async function tossOrder() {
  const user = await onToss.signUp();
  const order = (await onToss.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers: idempotencyKey() })).body.order as { id: string; amount: number };
  const paymentKey = toss.authorize({ orderId: order.id, amount: order.amount });
  return { user, order, paymentKey, returned: { paymentKey, orderId: order.id, amount: String(order.amount) } };
}

async function stripeOrder() {
  const user = await onStripe.signUp();
  const response = await onStripe.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers: idempotencyKey() });
  const sessionId = new URL(response.body.checkout.url).pathname.split('/').pop()!;
  return { user, order: response.body.order as { id: string }, sessionId };
}

const tossWebhook = (body: unknown) => toss.sendWebhook(`${onToss.baseUrl}/api/payments/webhooks/toss`, body);

describe('10. payments: money is granted once, for the order that was paid, to its buyer', () => {
  it('a webhook replayed many times at once grants once (Stripe and Toss)', async () => {
    const viaStripe = await stripeOrder();
    await stripe.pay(viaStripe.sessionId);
    const delivered = stripe.deliveries.find((delivery) => delivery.event.type === 'checkout.session.completed' && (delivery.event.data.object as { id: string }).id === viaStripe.sessionId)!;
    const replays = await Promise.all(Array.from({ length: 8 }, () => stripe.redeliver(delivered.event.id)));
    expect(replays.map((replay) => replay.status)).toEqual(Array(8).fill(200));
    expect(await paymentHarness(onStripe).grants(viaStripe.order.id)).toBe(1);

    const viaToss = await tossOrder();
    toss.setStatus(viaToss.paymentKey, 'DONE');
    const body = toss.webhookEvent(viaToss.paymentKey);
    const tossReplays = await Promise.all(Array.from({ length: 8 }, () => tossWebhook(body)));
    expect(tossReplays.map((replay) => replay.status)).toEqual(Array(8).fill(200));
    expect(await paymentHarness(onToss).grants(viaToss.order.id)).toBe(1);
    expect(await paymentHarness(onToss).purchasedTokens(viaToss.user)).toBe(50_000);
  });

  it('forged webhooks grant nothing: a wrong secret, a body the signature is not for, no signature, a Toss body that lies', async () => {
    const viaStripe = await stripeOrder();
    await stripe.pay(viaStripe.sessionId, { sendWebhook: false });
    const session = stripe.session(viaStripe.sessionId);
    const forged = await stripe.sendEvent('checkout.session.completed', session, { signatureSecret: 'whsec_guessed' });
    expect(forged.status).toBe(401);
    // A genuine signature of another payload, sent with this one.
    const other = JSON.stringify({ id: 'evt_other', type: 'ping' });
    const payload = JSON.stringify({ id: 'evt_forged', object: 'event', type: 'checkout.session.completed', data: { object: session } });
    const spliced = await onStripe.request('POST', '/api/payments/webhooks/stripe', { rawBody: payload, headers: { 'stripe-signature': stripe.signatureHeader(other) } });
    expect(spliced.status).toBe(401);
    expect((await onStripe.request('POST', '/api/payments/webhooks/stripe', { rawBody: payload })).status).toBe(401);
    expect(await paymentHarness(onStripe).grants(viaStripe.order.id)).toBe(0);

    const viaToss = await tossOrder();
    const lie = { ...toss.webhookEvent(viaToss.paymentKey), data: { ...toss.payment(viaToss.paymentKey), status: 'DONE', totalAmount: 5_000, balanceAmount: 5_000 } };
    expect((await tossWebhook(lie)).status).toBe(200);
    expect(await paymentHarness(onToss).order(viaToss.order.id)).toMatchObject({ status: 'PENDING' });
    expect(await paymentHarness(onToss).grants(viaToss.order.id)).toBe(0);
  });

  it('a tampered amount is refused and never granted', async () => {
    const viaToss = await tossOrder();
    const tampered = await onToss.request('POST', `/api/payments/orders/${viaToss.order.id}/confirm`, { token: viaToss.user.token, body: { ...viaToss.returned, amount: '1' } });
    expect(tampered.status).toBe(400);
    expect(tampered.body.code).toBe('AMOUNT_MISMATCH');
    expect(toss.payment(viaToss.paymentKey).status).toBe('IN_PROGRESS');

    const viaStripe = await stripeOrder();
    stripe.patchSession(viaStripe.sessionId, { amount_total: 100 });
    await stripe.pay(viaStripe.sessionId);
    expect(await paymentHarness(onStripe).order(viaStripe.order.id)).toMatchObject({ status: 'FAILED', failureCode: 'AMOUNT_MISMATCH' });
    expect(await paymentHarness(onStripe).grants(viaStripe.order.id)).toBe(0);
  });

  it("nobody can confirm or read another user's order, even with its genuine return", async () => {
    const viaToss = await tossOrder();
    const thief = await onToss.signUp();
    const stolen = await onToss.request('POST', `/api/payments/orders/${viaToss.order.id}/confirm`, { token: thief.token, body: viaToss.returned });
    expect(stolen.status).toBe(404);
    expect((await onToss.request('GET', `/api/payments/orders/${viaToss.order.id}`, { token: thief.token })).status).toBe(404);
    expect(toss.payment(viaToss.paymentKey).status).toBe('IN_PROGRESS');
    // The thief's own order cannot take the victim's payment either.
    const own = (await onToss.request('POST', '/api/ai-usage/purchase', { token: thief.token, body: { packageId: 'tokens-50k' }, headers: idempotencyKey() })).body.order as { id: string };
    const swapped = await onToss.request('POST', `/api/payments/orders/${own.id}/confirm`, { token: thief.token, body: { ...viaToss.returned, orderId: own.id } });
    expect(swapped.status).toBe(400);
    expect(await paymentHarness(onToss).purchasedTokens(thief)).toBe(0);

    const viaStripe = await stripeOrder();
    await stripe.pay(viaStripe.sessionId, { sendWebhook: false });
    const stripeThief = await onStripe.signUp();
    expect((await onStripe.request('POST', `/api/payments/orders/${viaStripe.order.id}/confirm`, { token: stripeThief.token, body: { sessionId: viaStripe.sessionId } })).status).toBe(404);
    expect(await paymentHarness(onStripe).grants(viaStripe.order.id)).toBe(0);
  });

  it('refunding twice — the same request again, or two admins at once — refunds once', async () => {
    const admin = await onToss.signUpAdmin();
    const viaToss = await tossOrder();
    await onToss.request('POST', `/api/payments/orders/${viaToss.order.id}/confirm`, { token: viaToss.user.token, body: viaToss.returned });
    const refund = (headers: Record<string, string>) =>
      onToss.request('POST', `/api/admin/orders/${viaToss.order.id}/refunds`, { token: admin.token, body: { reason: '전액 환불 요청' }, headers });
    const firstKey = idempotencyKey();
    const [first, second] = await Promise.all([refund(firstKey), refund(idempotencyKey())]);
    expect([first.status, second.status].sort()).toEqual([200, 409]);
    const winner = first.status === 200 ? first : second;
    expect(winner.body.order).toMatchObject({ status: 'REFUNDED', refundedAmount: 5_000 });
    // The winning request sent again is the same refund (its stored answer), not a second one.
    if (first.status === 200) expect((await refund(firstKey)).body.refund.id).toBe(first.body.refund.id);
    expect((await refund(idempotencyKey())).status).toBe(409);
    expect(toss.requests.filter((request) => request.path === `/v1/payments/${viaToss.paymentKey}/cancel`)).toHaveLength(1);
    expect(await paymentHarness(onToss).purchasedTokens(viaToss.user)).toBe(0);
    expect((await paymentHarness(onToss).verify(admin)).ok).toBe(true);
  });

  it('confirmations racing the webhooks for one payment grant exactly once (Toss and Stripe)', async () => {
    for (let round = 0; round < 3; round += 1) {
      const viaToss = await tossOrder();
      const confirm = () => onToss.request('POST', `/api/payments/orders/${viaToss.order.id}/confirm`, { token: viaToss.user.token, body: viaToss.returned });
      const webhook = () => tossWebhook({ ...toss.webhookEvent(viaToss.paymentKey), data: { ...toss.payment(viaToss.paymentKey), status: 'DONE' } });
      const answers = await Promise.all([confirm(), webhook(), confirm(), webhook(), confirm(), webhook()]);
      // Every racer is answered normally: the order's lock serializes them, not a unique-index error.
      expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(200));
      await webhook();
      expect(await paymentHarness(onToss).grants(viaToss.order.id)).toBe(1);

      const viaStripe = await stripeOrder();
      await stripe.pay(viaStripe.sessionId, { sendWebhook: false });
      const stripeConfirm = () => onStripe.request('POST', `/api/payments/orders/${viaStripe.order.id}/confirm`, { token: viaStripe.user.token, body: { sessionId: viaStripe.sessionId } });
      const completed = () => stripe.sendEvent('checkout.session.completed', stripe.session(viaStripe.sessionId));
      const stripeAnswers = await Promise.all([stripeConfirm(), completed(), stripeConfirm(), completed(), stripeConfirm(), completed()]);
      expect(stripeAnswers.map((answer) => answer.status)).toEqual(Array(6).fill(200));
      expect(await paymentHarness(onStripe).grants(viaStripe.order.id)).toBe(1);
      expect(await paymentHarness(onStripe).purchasedTokens(viaStripe.user)).toBe(50_000);
    }
  });
});
