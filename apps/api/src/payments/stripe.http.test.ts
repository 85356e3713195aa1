import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HOUR = 3_600_000;
import { FakeStripeServer } from '../../testing/fake-stripe-server.js';
import { idempotencyKey, paymentHarness, STRIPE_TEST_KEYS, stripeApp } from '../../testing/payment-harness.js';
import type { TestApp } from '../../testing/test-app.js';

// The whole purchase path against a fake Stripe on a local port, through the real SDK: checkout,
// the hosted page's outcome, webhooks, confirmation, refunds, renewals and an unavailable Stripe.

let stripe: FakeStripeServer;
let api: TestApp;
let harness: ReturnType<typeof paymentHarness>;
let admin: { id: string; token: string };

beforeAll(async () => {
  stripe = await new FakeStripeServer(STRIPE_TEST_KEYS).start();
  api = await stripeApp(stripe);
  harness = paymentHarness(api);
  admin = await api.signUpAdmin();
});
afterAll(async () => {
  await stripe?.stop();
  await api?.close();
});

async function checkout(user: { token: string }, packageId = 'tokens-50k') {
  const response = await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId }, headers: idempotencyKey() });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body.checkout).toMatchObject({ type: 'redirect', url: expect.stringContaining(stripe.url) });
  const sessionId = new URL(response.body.checkout.url).pathname.split('/').pop()!;
  return { order: response.body.order as { id: string; status: string }, sessionId };
}

const confirm = (user: { token: string }, orderId: string, sessionId: string) =>
  api.request('POST', `/api/payments/orders/${orderId}/confirm`, { token: user.token, body: { sessionId } });

describe('Stripe Checkout', () => {
  it('pays: the webhook grants the tokens once, the return confirms the same order', async () => {
    const user = await api.signUp();
    const { order, sessionId } = await checkout(user);
    expect(order.status).toBe('PENDING');
    expect(stripe.session(sessionId)).toMatchObject({ client_reference_id: order.id, amount_total: 5_000, currency: 'krw', mode: 'payment' });
    // The webhook arrives before the browser comes back.
    await stripe.pay(sessionId);
    expect((await harness.order(order.id)).status).toBe('PAID');
    const back = await confirm(user, order.id, sessionId);
    expect(back.body.order).toMatchObject({ status: 'PAID', method: expect.any(String), receipt: { supplyAmount: 4_545, vatAmount: 455 } });
    expect(back.body.usage.purchasedTokens).toBe(50_000);
    expect(await harness.grants(order.id)).toBe(1);
  });

  it('pays when the browser comes back first; the late and the replayed webhook change nothing', async () => {
    const user = await api.signUp();
    const { order, sessionId } = await checkout(user);
    await stripe.pay(sessionId, { sendWebhook: false });
    expect((await confirm(user, order.id, sessionId)).body.order.status).toBe('PAID');
    const late = await stripe.sendEvent('checkout.session.completed', stripe.session(sessionId));
    expect(late.status).toBe(200);
    expect((await stripe.redeliver(late.event.id)).status).toBe(200);
    expect(await harness.grants(order.id)).toBe(1);
    expect(await harness.purchasedTokens(user)).toBe(50_000);
  });

  it('a declined card leaves the order pending; the expired session fails it, nothing granted', async () => {
    const user = await api.signUp();
    const { order, sessionId } = await checkout(user);
    stripe.decline(sessionId);
    expect((await confirm(user, order.id, sessionId)).body.order.status).toBe('PENDING');
    await stripe.expire(sessionId);
    expect((await harness.order(order.id)).status).toBe('FAILED');
    expect(await harness.grants(order.id)).toBe(0);
  });

  it('refuses forged and stale webhooks', async () => {
    const user = await api.signUp();
    const { order, sessionId } = await checkout(user);
    await stripe.pay(sessionId, { sendWebhook: false });
    const forged = await stripe.sendEvent('checkout.session.completed', stripe.session(sessionId), { signatureSecret: 'whsec_attacker' });
    expect(forged.status).toBe(401);
    const stale = await stripe.sendEvent('checkout.session.completed', stripe.session(sessionId), { timestamp: Math.floor(Date.now() / 1000) - 3_600 });
    expect(stale.status).toBe(401);
    const unsigned = await api.request('POST', '/api/payments/webhooks/stripe', { rawBody: JSON.stringify({ type: 'checkout.session.completed' }) });
    expect(unsigned.status).toBe(401);
    expect((await harness.order(order.id)).status).toBe('PENDING');
    expect(await harness.grants(order.id)).toBe(0);
    // The other provider's endpoint does not exist here.
    expect((await api.request('POST', '/api/payments/webhooks/toss', { rawBody: '{}' })).status).toBe(404);
  });

  it('never grants a session whose amount differs from the order', async () => {
    const user = await api.signUp();
    const { order, sessionId } = await checkout(user);
    stripe.patchSession(sessionId, { amount_total: 50 });
    await stripe.pay(sessionId);
    const stored = await harness.order(order.id);
    expect(stored).toMatchObject({ status: 'FAILED', failureCode: 'AMOUNT_MISMATCH' });
    // The return of that session is refused the same way.
    const back = await confirm(user, order.id, sessionId);
    expect(back.status).toBe(400);
    expect(back.body.code).toBe('AMOUNT_MISMATCH');
    expect(await harness.grants(order.id)).toBe(0);
    expect(await harness.purchasedTokens(user)).toBe(0);
  });

  it('refunds through the Refunds API, and a refund made in the dashboard takes back its share', async () => {
    const user = await api.signUp();
    const { order, sessionId } = await checkout(user);
    await stripe.pay(sessionId);
    const refund = await api.request('POST', `/api/admin/orders/${order.id}/refunds`, { token: admin.token, body: { tokens: 10_000, reason: '고객 요청 일부 환불' }, headers: idempotencyKey() });
    expect(refund.body).toMatchObject({ refund: { status: 'SUCCEEDED', amount: 1_000, tokens: 10_000 }, order: { status: 'PARTIALLY_REFUNDED', refundedAmount: 1_000 } });
    await stripe.settle(); // charge.refunded for our own refund: already accounted for
    expect((await harness.order(order.id)).refundedAmount).toBe(1_000);
    const paymentIntent = stripe.session(sessionId).payment_intent as string;
    await stripe.refundInDashboard(paymentIntent, 2_000);
    expect(await harness.order(order.id)).toMatchObject({ refundedAmount: 3_000, refundedTokens: 30_000, status: 'PARTIALLY_REFUNDED' });
    expect(await harness.purchasedTokens(user)).toBe(20_000);
    expect(stripe.refunds().filter((item) => item.payment_intent === paymentIntent)).toHaveLength(2);
    expect((await harness.verify(admin)).ok).toBe(true);
  });

  it('renews a monthly product: invoice.paid grants each month once, a failed invoice and the end are recorded', async () => {
    const user = await api.signUp();
    const start = await api.request('POST', '/api/payments/subscriptions', { token: user.token, body: { productId: 'monthly-test' }, headers: idempotencyKey() });
    expect(start.status).toBe(200);
    const sessionId = new URL(start.body.checkout.url).pathname.split('/').pop()!;
    expect(stripe.session(sessionId).mode).toBe('subscription');
    await stripe.pay(sessionId);
    expect((await confirm(user, start.body.order.id, sessionId)).body.order.status).toBe('PAID');
    const [subscription] = (await api.request('GET', '/api/payments/subscriptions', { token: user.token })).body;
    expect(subscription).toMatchObject({ status: 'ACTIVE', productId: 'monthly-test', tokens: 300_000 });
    const stripeSubscription = stripe.session(sessionId).subscription as string;
    const renewal = await stripe.renew(stripeSubscription);
    expect(await harness.purchasedTokens(user)).toBe(600_000);
    const replay = stripe.deliveries.find((delivery) => delivery.event.type === 'invoice.paid' && (delivery.event.data.object as { id: string }).id === renewal.id)!;
    await stripe.redeliver(replay.event.id);
    expect(await harness.purchasedTokens(user)).toBe(600_000);
    await stripe.renew(stripeSubscription, { fail: true });
    expect((await api.request('GET', '/api/payments/subscriptions', { token: user.token })).body[0].status).toBe('PAST_DUE');
    await stripe.deleteSubscription(stripeSubscription);
    expect((await api.request('GET', '/api/payments/subscriptions', { token: user.token })).body[0].status).toBe('CANCELED');
    const orders = (await api.request('GET', '/api/payments/orders', { token: user.token })).body as { status: string }[];
    expect(orders.map((item) => item.status)).toEqual(['PAID', 'PAID']);
    expect((await harness.verify(admin)).ok).toBe(true);
  });

  it('when Stripe is down the order stays pending and the reconciler settles it once', async () => {
    const user = await api.signUp();
    // Checkout itself fails: a clear 503, and the same key opens the same order afterwards.
    stripe.failNext('status500');
    const headers = idempotencyKey();
    const down = await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers });
    expect(down.status).toBe(503);
    expect(down.body.code).toBe('PAYMENT_PROVIDER_UNAVAILABLE');
    const again = await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers });
    expect(again.status).toBe(200);
    const order = again.body.order as { id: string };
    const sessionId = new URL(again.body.checkout.url).pathname.split('/').pop()!;
    // Paid at Stripe, but the webhook is lost and the confirmation times out.
    await stripe.pay(sessionId, { sendWebhook: false });
    stripe.failNext('timeout');
    expect((await confirm(user, order.id, sessionId)).body.order.status).toBe('PENDING');
    // Still down when the reconciler first asks (earlier tests' pending orders are asked too).
    stripe.failNext('status500', 100);
    api.clock.advance(11 * 60_000);
    const first = await harness.runJob(admin, 'payments-reconcile');
    expect(first.unavailable).toBeGreaterThanOrEqual(1);
    expect((await harness.order(order.id)).status).toBe('PENDING');
    stripe.clearFailures();
    api.clock.advance(11 * 60_000);
    const second = await harness.runJob(admin, 'payments-reconcile');
    expect(second.paid).toBeGreaterThanOrEqual(1);
    expect((await harness.order(order.id)).status).toBe('PAID');
    api.clock.advance(11 * 60_000);
    await harness.runJob(admin, 'payments-reconcile');
    expect(await harness.grants(order.id)).toBe(1);
    expect(await harness.purchasedTokens(user)).toBe(50_000);
    expect((await harness.verify(admin)).ok).toBe(true);
  });
});

describe('Stripe: a window left and paid later', () => {
  it('an order abandoned on the cancel page is still credited when the buyer pays the open session later (reconciler, webhook lost)', async () => {
    const user = await api.signUp();
    const { order, sessionId } = await checkout(user);
    const left = await api.request('POST', `/api/payments/orders/${order.id}/abandon`, { token: user.token, body: {} });
    expect(left.body.order).toMatchObject({ status: 'FAILED', failure: { code: 'USER_CANCELED' } });
    await stripe.pay(sessionId, { sendWebhook: false });
    api.clock.advance(11 * 60_000);
    await harness.runJob(admin, 'payments-reconcile');
    expect((await harness.order(order.id)).status).toBe('PAID');
    expect(await harness.grants(order.id)).toBe(1);
  });

  it('asks Stripe for the expiry of the window it opens: the reconciler gives the order up no sooner', async () => {
    const user = await api.signUp();
    const { sessionId } = await checkout(user);
    const expiresIn = stripe.session(sessionId).expires_at - Math.floor(Date.now() / 1000);
    expect(expiresIn).toBeGreaterThan(60 * 60 - 120);
    expect(expiresIn).toBeLessThanOrEqual(61 * 60);
  });

});

describe('Stripe: paying for a plan', () => {
  // Stripe bills a plan on the 26th, 00:00 in Seoul (the 25th, 15:00 UTC), for the month after.
  const NOVEMBER_26 = new Date('2026-11-25T15:00:00.000Z');
  const DECEMBER_26 = new Date('2026-12-25T15:00:00.000Z');
  const NOVEMBER_RESET = new Date('2026-11-30T15:00:00.000Z');
  const DECEMBER_RESET = new Date('2026-12-31T15:00:00.000Z');
  const unix = (date: Date) => Math.floor(date.getTime() / 1000);
  type User = { id: string; token: string };

  beforeAll(() => stripe.useClock(() => api.clock.now()));
  afterAll(() => stripe.useClock(() => new Date()));

  async function buyPlan(user: User, planId = 'plus') {
    const start = await api.request('POST', '/api/plans/subscribe', { token: user.token, body: { planId }, headers: idempotencyKey() });
    expect(start.status, JSON.stringify(start.body)).toBe(200);
    expect(start.body.checkout).toMatchObject({ type: 'redirect', url: expect.stringContaining(stripe.url) });
    const sessionId = new URL(start.body.checkout.url).pathname.split('/').pop()!;
    const session = await stripe.pay(sessionId);
    expect((await harness.order(start.body.order.id)).status).toBe('PAID');
    return { order: start.body.order as { id: string; amount: number }, session, subscription: stripe.subscription(session.subscription!) };
  }
  const current = async (user: User) => (await api.request('GET', '/api/plans', { token: user.token })).body.current;
  const subscriptions = async (user: User) => (await api.request('GET', '/api/payments/subscriptions', { token: user.token })).body;
  const planNotices = async (user: User) =>
    ((await api.request('GET', '/api/notifications', { token: user.token })).body.items as { kind: string }[]).map((item) => item.kind).filter((kind) => kind.startsWith('PLAN_'));

  it('charges the month now and bills the next from the 26th: a renewal paid keeps the plan, one declined is told, the end of the retries drops it to free at the reset', async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const user = await api.signUp('stripe-plan');
    const { order, session, subscription } = await buyPlan(user);
    // One charge for this month (a one-time line); the monthly price starts at the anchor, nothing prorated.
    expect(session).toMatchObject({ mode: 'subscription', amount_total: 9_900 });
    expect(order.amount).toBe(9_900);
    expect(subscription.billing_cycle_anchor).toBe(unix(NOVEMBER_26));
    expect(stripe.invoice(session.invoice!).lines.data.map((line) => line.amount)).toEqual([9_900, 0]);
    expect(await current(user)).toMatchObject({ planId: 'plus', paidThrough: '2026-11' });
    expect(await subscriptions(user)).toMatchObject([{ planId: 'plus', status: 'ACTIVE', currentPeriodEnd: NOVEMBER_RESET.toISOString(), renewsAt: NOVEMBER_26.toISOString() }]);

    // The 26th: Stripe bills December; invoice.paid pays it (a redelivery changes nothing).
    api.clock.set(new Date(NOVEMBER_26.getTime() + 60_000));
    const renewal = await stripe.renew(subscription.id);
    expect(renewal.lines.data[0]!.period).toEqual({ start: unix(NOVEMBER_26), end: unix(DECEMBER_26) });
    expect(await current(user)).toMatchObject({ planId: 'plus', paidThrough: '2026-12' });
    expect(await subscriptions(user)).toMatchObject([{ status: 'ACTIVE', currentPeriodEnd: DECEMBER_RESET.toISOString(), renewsAt: DECEMBER_26.toISOString() }]);
    const [paid] = stripe.deliveries.filter((delivery) => delivery.event.type === 'invoice.paid' && (delivery.event.data.object as { id: string }).id === renewal.id);
    expect((await stripe.redeliver(paid!.event.id)).status).toBe(200);
    expect(await current(user)).toMatchObject({ paidThrough: '2026-12' });
    expect(await harness.orderCount(user)).toBe(2);

    // The job leaves a plan Stripe renews alone: nothing to end, nothing charged by us.
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ due: 0, canceled: 0 });

    // December 26th: declined — told at once; Stripe's retries give up — the plan ends at the reset.
    api.clock.set(new Date(DECEMBER_26.getTime() + 60_000));
    await stripe.renew(subscription.id, { fail: true });
    expect(await subscriptions(user)).toMatchObject([{ status: 'PAST_DUE' }]);
    expect(await planNotices(user)).toContain('PLAN_RENEWAL_FAILED');
    await stripe.deleteSubscription(subscription.id);
    expect(await subscriptions(user)).toMatchObject([{ status: 'CANCELED', renewsAt: null }]);
    expect(await planNotices(user)).toContain('PLAN_ENDING');
    expect(await current(user)).toMatchObject({ planId: 'plus', paidThrough: '2026-12' });
    api.clock.set(new Date(DECEMBER_RESET.getTime() + 60_000));
    expect(await current(user)).toMatchObject({ planId: 'free' });
  });

  it('bought from the 26th on — or in a window still open then — one charge pays through the next month, and Stripe first bills on the next 26th', async () => {
    api.clock.set(new Date('2026-11-27T03:00:00Z'));
    const late = await api.signUp('stripe-plan-late');
    const bought = await buyPlan(late);
    expect(bought.subscription.billing_cycle_anchor).toBe(unix(DECEMBER_26));
    expect(await current(late)).toMatchObject({ planId: 'plus', paidThrough: '2026-12' });
    expect(await subscriptions(late)).toMatchObject([{ currentPeriodEnd: DECEMBER_RESET.toISOString(), renewsAt: DECEMBER_26.toISOString() }]);

    // Forty-five minutes before the 26th: this month, anchored on the 26th, and the window (an hour
    // otherwise) closes a minute before it.
    api.clock.set(new Date(NOVEMBER_26.getTime() - 45 * 60_000));
    const early = await api.signUp('stripe-plan-early');
    const start = await api.request('POST', '/api/plans/subscribe', { token: early.token, body: { planId: 'plus' }, headers: idempotencyKey() });
    const session = stripe.session(new URL(start.body.checkout.url).pathname.split('/').pop()!);
    const closesIn = session.expires_at - Math.floor(Date.now() / 1000);
    expect(closesIn).toBeGreaterThan(43 * 60);
    expect(closesIn).toBeLessThanOrEqual(44 * 60);
    const { subscription } = await buyPlan(early);
    expect(subscription.billing_cycle_anchor).toBe(unix(NOVEMBER_26));

    // Thirty-four minutes before: no window could close before the 26th (Stripe keeps one open 30 minutes), so none opens.
    api.clock.set(new Date(NOVEMBER_26.getTime() - 34 * 60_000));
    const edge = await api.signUp('stripe-plan-edge');
    const refused = await api.request('POST', '/api/plans/subscribe', { token: edge.token, body: { planId: 'plus' }, headers: idempotencyKey() });
    expect(refused).toMatchObject({ status: 409, body: { code: 'PLAN_CHECKOUT_PAUSED' } });
    expect(await harness.orderCount(edge)).toBe(0);
  });

  it('a plan the account is leaving is canceled at Stripe before its renewal day: an admin’s contract at once, back to free chosen within a day of it', async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const leaving = await api.signUp('stripe-plan-free');
    const first = await buyPlan(leaving);
    expect((await api.request('POST', '/api/plans/choose', { token: leaving.token, body: { planId: 'free' } })).status).toBe(200);
    const contract = await api.signUp('stripe-plan-contract');
    const second = await buyPlan(contract);
    expect((await api.request('PUT', `/api/admin/users/${contract.id}/plan`, { token: admin.token, body: { planId: 'pro' } })).status).toBe(200);

    // Ten days before the reset: the contract's ends at Stripe; free chosen may still change its mind.
    api.clock.set(new Date(NOVEMBER_RESET.getTime() - 10 * 24 * HOUR + 60_000));
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ canceled: 1 });
    expect(stripe.subscription(second.subscription.id).status).toBe('canceled');
    expect(stripe.subscription(first.subscription.id).status).toBe('active');
    // Within a day of the 26th, the choice of free ends it at Stripe too; the month paid is kept.
    api.clock.set(new Date(NOVEMBER_26.getTime() - 20 * HOUR));
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ canceled: 1 });
    expect(stripe.subscription(first.subscription.id).status).toBe('canceled');
    await stripe.settle();
    expect(await subscriptions(leaving)).toMatchObject([{ status: 'CANCELED' }]);
    expect(await current(leaving)).toMatchObject({ planId: 'plus', paidThrough: '2026-11' });
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ canceled: 0 });
    api.clock.set(new Date(NOVEMBER_RESET.getTime() + 60_000));
    expect(await current(leaving)).toMatchObject({ planId: 'free' });
    expect(await current(contract)).toMatchObject({ planId: 'pro' });
  });

  it('another plan bought ends the old subscription at Stripe at once: only one ever bills', async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const user = await api.signUp('stripe-plan-switch');
    const plus = await buyPlan(user, 'plus');
    const pro = await buyPlan(user, 'pro');
    expect(stripe.subscription(plus.subscription.id).status).toBe('canceled');
    expect(stripe.subscription(pro.subscription.id).status).toBe('active');
    await stripe.settle();
    expect((await subscriptions(user)).map((row: { planId: string; status: string }) => [row.planId, row.status]).sort()).toEqual([
      ['plus', 'CANCELED'],
      ['pro', 'ACTIVE'],
    ]);
    expect(await current(user)).toMatchObject({ planId: 'pro', paidThrough: '2026-11' });
  });

  it('a renewal that arrives before its first payment was recorded here settles that payment first, and pays the next month', async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const user = await api.signUp('stripe-plan-early-renewal');
    const start = await api.request('POST', '/api/plans/subscribe', { token: user.token, body: { planId: 'plus' }, headers: idempotencyKey() });
    const session = await stripe.pay(new URL(start.body.checkout.url).pathname.split('/').pop()!, { sendWebhook: false });
    expect((await harness.order(start.body.order.id)).status).toBe('PENDING');
    api.clock.set(new Date(NOVEMBER_26.getTime() + 60 * 60_000));
    await stripe.renew(session.subscription!);
    expect((await harness.order(start.body.order.id)).status).toBe('PAID');
    expect(await current(user)).toMatchObject({ planId: 'plus', paidThrough: '2026-12' });
    expect(await harness.orderCount(user)).toBe(2);
  });

  it("a retry that Stripe gets paid after the reset gives the month it paid for, from then on", async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const user = await api.signUp('stripe-plan-late-retry');
    const { subscription } = await buyPlan(user);
    api.clock.set(new Date(NOVEMBER_26.getTime() + 60_000));
    await stripe.renew(subscription.id, { fail: true });
    expect(await current(user)).toMatchObject({ planId: 'plus', paidThrough: '2026-11' });
    api.clock.set(new Date(NOVEMBER_RESET.getTime() + 5 * 60_000));
    expect(await current(user)).toMatchObject({ planId: 'free' });
    // Past the reset, Stripe's retries decide: the job leaves the subscription to them.
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ canceled: 0 });
    expect(stripe.subscription(subscription.id).status).toBe('past_due');
    // Stripe's retry of December's invoice succeeds: December is the account's, the plan back at once.
    await stripe.renew(subscription.id);
    expect(await current(user)).toMatchObject({ planId: 'plus', paidThrough: '2026-12' });
    expect(await subscriptions(user)).toMatchObject([{ status: 'ACTIVE', currentPeriodEnd: DECEMBER_RESET.toISOString() }]);
    expect((await harness.verify(admin)).ok).toBe(true);
  });
});
