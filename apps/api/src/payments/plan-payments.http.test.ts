import { and, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakeTossServer } from '../../testing/fake-toss-server.js';
import { idempotencyKey, paymentHarness, tossApp } from '../../testing/payment-harness.js';
import type { TestApp } from '../../testing/test-app.js';
import { ledgerEntries } from '../database/schema.js';

// Paying for a plan through Toss's billing key: the first month applies the plan at once, a
// renewal charged before each reset keeps it, and a declined or cancelled renewal drops the
// account to free at the reset — told before, and never charged once the account moved on.
let toss: FakeTossServer;
let api: TestApp;
let harness: ReturnType<typeof paymentHarness>;
let admin: { id: string; token: string };

// The test clock starts on 2026-11-10; November ends (in Seoul) at this instant.
const NOVEMBER_RESET = new Date('2026-11-30T15:00:00.000Z');
const DECEMBER_RESET = new Date('2026-12-31T15:00:00.000Z');
const HOUR = 3_600_000;

beforeAll(async () => {
  toss = await new FakeTossServer().start();
  api = await tossApp(toss);
  harness = paymentHarness(api);
  admin = await api.signUpAdmin();
});
afterAll(async () => {
  await toss?.stop();
  await api?.close();
});
afterEach(() => toss.reset());

type User = { id: string; token: string };

/** Buys `planId` in Toss's billing window: the card is registered and the first month charged. */
async function buyPlan(user: User, planId = 'plus') {
  const start = await api.request('POST', '/api/plans/subscribe', { token: user.token, body: { planId }, headers: idempotencyKey() });
  expect(start.status, JSON.stringify(start.body)).toBe(200);
  expect(start.body.checkout).toMatchObject({ type: 'toss', flow: 'billing', customerKey: user.id });
  const authKey = toss.issueAuthKey(user.id);
  const paid = await api.request('POST', `/api/payments/orders/${start.body.order.id}/confirm`, { token: user.token, body: { authKey, customerKey: user.id } });
  expect(paid.body.order, JSON.stringify(paid.body)).toMatchObject({ status: 'PAID' });
  return paid.body.order as { id: string; amount: number };
}

const plans = async (user: User) => (await api.request('GET', '/api/plans', { token: user.token })).body;
const usage = async (user: User) => (await api.request('GET', '/api/ai-usage', { token: user.token })).body;
const subscriptions = async (user: User) => (await api.request('GET', '/api/payments/subscriptions', { token: user.token })).body;
const notificationKinds = async (user: User) =>
  ((await api.request('GET', '/api/notifications', { token: user.token })).body.items as { kind: string; planFreeFrom: string | null; link: string; title: string }[]).filter((item) =>
    item.kind.startsWith('PLAN_'),
  );

describe('paying for a plan', () => {
  it('applies the plan at once, renews it before each reset, and drops to free at the reset after the renewals are declined', async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const user = await api.signUp('plan-buyer');
    const order = await buyPlan(user);
    expect(order.amount).toBe(9_900);

    // At once: plus, this period paid, the allowances' difference in the ledger — not as purchased tokens.
    expect((await plans(user)).current).toMatchObject({ planId: 'plus', paidThrough: '2026-11', endsUnpaidAtReset: true });
    expect(await usage(user)).toMatchObject({ freeTokens: 1_000_000, purchasedTokens: 0 });
    const entries = await api.database.db.select().from(ledgerEntries).where(and(eq(ledgerEntries.userId, user.id), eq(ledgerEntries.kind, 'PLAN_CHANGE')));
    expect(entries.map((entry) => entry.amountTokens)).toEqual([900_000]);
    const [subscription] = await subscriptions(user);
    expect(subscription).toMatchObject({ planId: 'plus', status: 'ACTIVE', currentPeriodEnd: NOVEMBER_RESET.toISOString(), productName: '플러스 요금제 (월간)' });

    // The same plan again this month would buy nothing.
    const again = await api.request('POST', '/api/plans/subscribe', { token: user.token, body: { planId: 'plus' }, headers: idempotencyKey() });
    expect(again).toMatchObject({ status: 409, body: { code: 'PLAN_ALREADY_PAID' } });

    // Not due before the lead; charged once within it (72 hours before the reset), however often the job runs.
    api.clock.set(new Date(NOVEMBER_RESET.getTime() - 73 * HOUR));
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ due: 0 });
    api.clock.set(new Date(NOVEMBER_RESET.getTime() - 71 * HOUR));
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ due: 1, paid: 1 });
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ due: 0 });
    expect((await plans(user)).current).toMatchObject({ planId: 'plus', paidThrough: '2026-12', endsUnpaidAtReset: false });
    expect((await subscriptions(user))[0]).toMatchObject({ status: 'ACTIVE', currentPeriodEnd: DECEMBER_RESET.toISOString() });

    // December starts on plus with its full allowance.
    api.clock.set(new Date(NOVEMBER_RESET.getTime() + HOUR));
    expect(await usage(user)).toMatchObject({ freeTokens: 1_000_000 });
    expect((await plans(user)).current.planId).toBe('plus');

    // The December renewal is declined three times, a day apart: told at once, ended after the third.
    toss.declineCard();
    api.clock.set(new Date(DECEMBER_RESET.getTime() - 72 * HOUR + 60_000));
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ due: 1, failed: 1 });
    const [failed] = await notificationKinds(user);
    expect(failed).toMatchObject({ kind: 'PLAN_RENEWAL_FAILED', planFreeFrom: '2027-01-01', link: '/plans/' });
    expect(failed!.title).toContain('플러스');
    api.clock.advance(25 * HOUR);
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ failed: 1 });
    api.clock.advance(25 * HOUR);
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ canceled: 1 });
    expect((await plans(user)).current).toMatchObject({ planId: 'plus', paidThrough: '2026-12', endsUnpaidAtReset: true });

    // January: free, with the free allowance.
    api.clock.set(new Date(DECEMBER_RESET.getTime() + HOUR));
    expect(await usage(user)).toMatchObject({ freeTokens: 100_000 });
    expect((await plans(user)).current).toMatchObject({ planId: 'free', paidThrough: null, endsUnpaidAtReset: false });
    expect((await harness.verify(admin)).ok).toBe(true);
  });

  it('a cancelled plan runs to the reset, is told, and the account starts the next month on free', async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const user = await api.signUp('plan-cancel');
    await buyPlan(user);
    const [subscription] = await subscriptions(user);
    const cancel = await api.request('POST', `/api/payments/subscriptions/${subscription.id}/cancel`, { token: user.token });
    expect(cancel.body).toMatchObject({ status: 'CANCELED', planId: 'plus' });
    expect(await notificationKinds(user)).toMatchObject([{ kind: 'PLAN_ENDING', planFreeFrom: '2026-12-01' }]);
    expect((await plans(user)).current).toMatchObject({ planId: 'plus', endsUnpaidAtReset: true });

    const before = await harness.orderCount(user);
    api.clock.set(new Date(NOVEMBER_RESET.getTime() - 71 * HOUR));
    await harness.runJob(admin, 'payments-renew');
    expect(await harness.orderCount(user)).toBe(before);
    api.clock.set(new Date(NOVEMBER_RESET.getTime() + HOUR));
    expect((await plans(user)).current.planId).toBe('free');
    expect(await usage(user)).toMatchObject({ freeTokens: 100_000 });
  });

  it('moving back to free waits without charging or ending; changing one’s mind before the reset renews as before', async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const user = await api.signUp('plan-mind');
    await buyPlan(user);
    const choose = (planId: string) => api.request('POST', '/api/plans/choose', { token: user.token, body: { planId } });
    expect((await choose('free')).body).toMatchObject({ change: 'downgrade', current: { nextPlanId: 'free' } });
    const before = await harness.orderCount(user);
    api.clock.set(new Date(NOVEMBER_RESET.getTime() - 71 * HOUR));
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ due: 0 });
    expect(await harness.orderCount(user)).toBe(before);
    expect((await subscriptions(user))[0].status).toBe('ACTIVE');
    // Staying on the paid plan after all: the move is dropped, and the renewal is charged.
    expect((await choose('plus')).body).toMatchObject({ change: 'same', current: { nextPlanId: null } });
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ due: 1, paid: 1 });
    expect((await plans(user)).current).toMatchObject({ planId: 'plus', paidThrough: '2026-12' });
  });

  it('moving back to free for good: free at the reset, and the subscription then ends uncharged', async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const user = await api.signUp('plan-leave');
    await buyPlan(user);
    await api.request('POST', '/api/plans/choose', { token: user.token, body: { planId: 'free' } });
    const before = await harness.orderCount(user);
    api.clock.set(new Date(NOVEMBER_RESET.getTime() + HOUR));
    expect((await plans(user)).current).toMatchObject({ planId: 'free', paidThrough: null });
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ canceled: 1 });
    expect(await harness.orderCount(user)).toBe(before);
  });

  it('a renewal never charged before the reset cannot keep the plan: free at the reset, and the subscription ends uncharged', async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const user = await api.signUp('plan-missed');
    await buyPlan(user);
    const before = await harness.orderCount(user);
    // The renewal job did not run in time (down for three days): the new month starts on free all the same.
    api.clock.set(new Date(NOVEMBER_RESET.getTime() + HOUR));
    expect(await usage(user)).toMatchObject({ freeTokens: 100_000 });
    expect((await plans(user)).current.planId).toBe('free');
    // When it runs, the account is no longer on the plan: the subscription ends, the card is not charged.
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ canceled: 1 });
    expect(await harness.orderCount(user)).toBe(before);
    expect((await subscriptions(user))[0].status).toBe('CANCELED');
    // And the plan can be bought again, from free, at once.
    await buyPlan(user);
    expect((await plans(user)).current).toMatchObject({ planId: 'plus', paidThrough: '2026-12' });
    expect((await harness.verify(admin)).ok).toBe(true);
  });

  it('an admin moving the account to another plan ends the paid plan’s renewals uncharged', async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const user = await api.signUp('plan-contract');
    await buyPlan(user);
    expect((await api.request('PUT', `/api/admin/users/${user.id}/plan`, { token: admin.token, body: { planId: 'pro' } })).status).toBe(200);
    // Under an admin's contract the plan no longer depends on payments.
    expect((await plans(user)).current).toMatchObject({ planId: 'pro', paidThrough: null, endsUnpaidAtReset: false });
    const before = await harness.orderCount(user);
    api.clock.set(new Date(NOVEMBER_RESET.getTime() - 71 * HOUR));
    expect(await harness.runJob(admin, 'payments-renew')).toMatchObject({ canceled: 1 });
    expect(await harness.orderCount(user)).toBe(before);
    api.clock.set(new Date(NOVEMBER_RESET.getTime() + HOUR));
    expect((await plans(user)).current.planId).toBe('pro');
  });

  it('back to free chosen after the renewal was paid: the paid month is kept, free starts the month after', async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const user = await api.signUp('plan-paid-month');
    await buyPlan(user);
    api.clock.set(new Date(NOVEMBER_RESET.getTime() - 71 * HOUR));
    await harness.runJob(admin, 'payments-renew');
    expect((await plans(user)).current.paidThrough).toBe('2026-12');
    await api.request('POST', '/api/plans/choose', { token: user.token, body: { planId: 'free' } });
    api.clock.set(new Date(NOVEMBER_RESET.getTime() + HOUR));
    expect((await plans(user)).current).toMatchObject({ planId: 'plus', nextPlanId: 'free', paidThrough: '2026-12' });
    expect(await usage(user)).toMatchObject({ freeTokens: 1_000_000 });
    // December's renewal is not charged while free is chosen; January starts on free.
    const before = await harness.orderCount(user);
    api.clock.set(new Date(DECEMBER_RESET.getTime() - 71 * HOUR));
    await harness.runJob(admin, 'payments-renew');
    api.clock.set(new Date(DECEMBER_RESET.getTime() + HOUR));
    expect((await plans(user)).current).toMatchObject({ planId: 'free', nextPlanId: null, paidThrough: null });
    await harness.runJob(admin, 'payments-renew');
    expect((await subscriptions(user))[0].status).toBe('CANCELED');
    expect(await harness.orderCount(user)).toBe(before);
  });

  it('one paid plan at a time: buying it again after a lapse ends the old subscription, which is never charged', async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const user = await api.signUp('plan-twice');
    await buyPlan(user);
    api.clock.set(new Date(NOVEMBER_RESET.getTime() + HOUR));
    expect((await plans(user)).current.planId).toBe('free');
    await buyPlan(user);
    const open = ((await subscriptions(user)) as { status: string }[]).filter((item) => item.status !== 'CANCELED');
    expect(open).toHaveLength(1);
    const before = await harness.orderCount(user);
    api.clock.set(new Date(DECEMBER_RESET.getTime() - 71 * HOUR));
    await harness.runJob(admin, 'payments-renew');
    expect(await harness.orderCount(user)).toBe(before + 1);
  });

  it('a plan bought inside the lead before the reset pays through the next month: one charge, not two', async () => {
    api.clock.set(new Date(NOVEMBER_RESET.getTime() - 10 * HOUR));
    const user = await api.signUp('plan-late');
    await buyPlan(user);
    expect((await plans(user)).current).toMatchObject({ planId: 'plus', paidThrough: '2026-12', endsUnpaidAtReset: false });
    expect((await subscriptions(user))[0]).toMatchObject({ currentPeriodEnd: DECEMBER_RESET.toISOString() });
    const before = await harness.orderCount(user);
    await harness.runJob(admin, 'payments-renew');
    expect(await harness.orderCount(user)).toBe(before);
    api.clock.set(new Date(NOVEMBER_RESET.getTime() + HOUR));
    expect(await usage(user)).toMatchObject({ freeTokens: 1_000_000 });
  });

  it('an admin putting a subscriber on the plan they pay for makes it a contract: the card is not charged again', async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const user = await api.signUp('plan-same-contract');
    await buyPlan(user);
    expect((await api.request('PUT', `/api/admin/users/${user.id}/plan`, { token: admin.token, body: { planId: 'plus' } })).status).toBe(200);
    const before = await harness.orderCount(user);
    api.clock.set(new Date(NOVEMBER_RESET.getTime() - 71 * HOUR));
    await harness.runJob(admin, 'payments-renew');
    expect((await subscriptions(user))[0].status).toBe('CANCELED');
    expect(await harness.orderCount(user)).toBe(before);
    api.clock.set(new Date(NOVEMBER_RESET.getTime() + HOUR));
    expect((await plans(user)).current).toMatchObject({ planId: 'plus', paidThrough: null });
  });

  it('a plan payment refunded at Toss ends its subscription, and the plan ends at the reset', async () => {
    api.clock.set(new Date('2026-11-10T03:00:00Z'));
    const user = await api.signUp('plan-refunded');
    const order = await buyPlan(user);
    const paymentKey = (await harness.order(order.id)).providerPaymentId!;
    toss.cancel(paymentKey, order.amount);
    expect((await toss.sendWebhook(`${api.baseUrl}/api/payments/webhooks/toss`, toss.webhookEvent(paymentKey))).status).toBe(200);
    expect(await harness.order(order.id)).toMatchObject({ status: 'REFUNDED' });
    expect((await subscriptions(user))[0].status).toBe('CANCELED');
    expect((await plans(user)).current).toMatchObject({ planId: 'plus', paidThrough: '2026-10', endsUnpaidAtReset: true });
    api.clock.set(new Date(NOVEMBER_RESET.getTime() + HOUR));
    expect((await plans(user)).current.planId).toBe('free');
    expect((await harness.verify(admin)).ok).toBe(true);
  });

  it('refuses a free plan, a plan not for sale and an unknown plan; without an Idempotency-Key; to nobody signed in', async () => {
    const user = await api.signUp('plan-refused');
    const subscribe = (planId: string, headers: Record<string, string> = idempotencyKey()) => api.request('POST', '/api/plans/subscribe', { token: user.token, body: { planId }, headers });
    expect((await subscribe('free')).body.code).toBe('PLAN_NOT_OFFERED');
    expect((await subscribe('enterprise')).body.code).toBe('PLAN_NOT_OFFERED');
    expect((await subscribe('nothing-like-it')).status).toBe(404);
    expect((await subscribe('plus', {})).body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
    expect((await api.request('POST', '/api/plans/subscribe', { body: { planId: 'plus' }, headers: idempotencyKey() })).status).toBe(401);
  });
});
