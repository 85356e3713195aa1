import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTossServer } from '../testing/fake-toss-server.js';
import { idempotencyKey, paymentHarness, tossApp } from '../testing/payment-harness.js';
import type { TestApp } from '../testing/test-app.js';

// A burst of purchases on two API instances (one database) while the fake Toss answers 500s,
// times out and declines cards: the browser's confirmation, its retry on the other instance and
// Toss's webhooks race for every order. Afterwards the reconciler settles what is left. No order
// is granted twice, every order ends paid or failed, and an order is paid exactly when Toss took the money.
const BUYERS = 30;
const ABANDONED = 5;

let toss: FakeTossServer;
let a: TestApp;
let b: TestApp;

beforeAll(async () => {
  toss = await new FakeTossServer().start();
  a = await tossApp(toss, { PAYMENT_TIMEOUT_MS: '300' });
  b = await tossApp(toss, { PAYMENT_TIMEOUT_MS: '300' }, a);
});
afterAll(async () => {
  await b?.close();
  await a?.close();
  await toss?.stop();
});

describe('payments under provider faults', () => {
  it('grants each paid order once and settles every order, through 500s, timeouts and declines', async () => {
    const harness = paymentHarness(a);
    const admin = await a.signUpAdmin();
    const users = await Promise.all(Array.from({ length: BUYERS + ABANDONED }, () => a.signUp('burst')));
    const orders = await Promise.all(
      users.map(async (user) => {
        const response = await a.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers: idempotencyKey() });
        expect(response.status).toBe(200);
        return { user, order: response.body.order as { id: string; amount: number } };
      }),
    );
    const buyers = orders.slice(0, BUYERS).map((entry) => ({ ...entry, paymentKey: toss.authorize({ orderId: entry.order.id, amount: entry.order.amount }) }));
    // Toss misbehaves for the first calls of the burst, in whatever order they come.
    toss.failNext('status500', 12);
    toss.failNext('timeout', 6);
    toss.failNext('decline', 4);
    const webhookStatuses: number[] = [];
    const webhook = async (app: TestApp, paymentKey: string) => {
      const { status } = await toss.sendWebhook(`${app.baseUrl}/api/payments/webhooks/toss`, toss.webhookEvent(paymentKey));
      webhookStatuses.push(status);
      return { status };
    };
    await Promise.all(
      buyers.map(async ({ user, order, paymentKey }, index) => {
        const body = { paymentKey, orderId: order.id, amount: String(order.amount) };
        const confirm = (app: TestApp) => app.request('POST', `/api/payments/orders/${order.id}/confirm`, { token: user.token, body });
        const results = await Promise.all([confirm(a), confirm(b), webhook(index % 2 ? a : b, paymentKey)]);
        // A confirmation answers the order as it stands (pending while Toss is down), never an error.
        for (const result of results.slice(0, 2)) expect(result.status).toBe(200);
        // A webhook after the confirmations, as Toss sends once the payment is done.
        await webhook(index % 2 ? b : a, paymentKey);
      }),
    );
    // A webhook whose re-read Toss did not answer is refused with 503, so Toss delivers it again.
    expect(new Set(webhookStatuses)).toSatisfy((statuses: Set<number>) => [...statuses].every((status) => status === 200 || status === 503));
    toss.reset();
    // Each instance's clock moves together; the reconciler runs until no order is pending.
    for (let round = 0; round < 4; round += 1) {
      a.clock.advance(31 * 60_000);
      b.clock.set(a.clock.now());
      await harness.runJob(admin, 'payments-reconcile');
    }
    for (const { order } of orders.slice(BUYERS)) expect((await harness.order(order.id)).status, 'an abandoned order').toBe('FAILED');
    let paid = 0;
    for (const { order, paymentKey } of buyers) {
      const stored = await harness.order(order.id);
      const charged = toss.payment(paymentKey).status === 'DONE';
      expect(['PAID', 'FAILED'], order.id).toContain(stored.status);
      expect(stored.status === 'PAID', `order ${order.id} paid ⇔ Toss took the money`).toBe(charged);
      expect(await harness.grants(order.id)).toBe(stored.status === 'PAID' ? 1 : 0);
      if (stored.status === 'PAID') paid += 1;
    }
    expect(paid).toBeGreaterThan(0);
    const verify = await harness.verify(admin);
    expect(verify).toMatchObject({ ok: true, payments: [] });
    console.log(`payments burst: ${paid} of ${BUYERS} paid, ${BUYERS - paid} declined, ${ABANDONED} abandoned; every order settled, each paid one granted once`);
  });
});
