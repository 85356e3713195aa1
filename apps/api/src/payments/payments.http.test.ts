import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payments } from '../database/schema.js';
import { appLedger } from '../../testing/ledger-harness.js';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

let api: TestApp;

beforeAll(async () => {
  api = await createTestApp();
});
afterAll(async () => {
  await api?.close();
});

describe('token packages', () => {
  it('lists packages with KRW prices in the client language', async () => {
    const user = await api.signUp();
    const korean = await api.request('GET', '/api/ai-usage/packages', { token: user.token });
    expect(korean.status).toBe(200);
    expect(korean.body[0]).toEqual({ id: 'tokens-50k', kind: 'package', name: '라이트 5만 토큰', tokens: 50_000, price: 5_000, currency: 'KRW', pricePer1kTokens: 100 });
    const english = await api.request('GET', '/api/ai-usage/packages', { token: user.token, headers: { 'accept-language': 'en' } });
    expect(english.body[0].name).toBe('Light 50K tokens');
  });
});

describe('POST /api/ai-usage/purchase (instant provider)', () => {
  it('credits purchased tokens at once and shows the new balance', async () => {
    const user = await api.signUp();
    const response = await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-200k' }, headers: { 'idempotency-key': 'buy-1' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      order: { status: 'PAID', tokens: 200_000, amount: 18_000, currency: 'KRW', provider: 'instant', receipt: { supplyAmount: 16_364, vatAmount: 1_636 } },
      checkout: { type: 'instant' },
      usage: { purchasedTokens: 200_000, totalAvailable: 300_000 },
    });
  });

  it('credits once for the same Idempotency-Key, even when sent twice at the same moment', async () => {
    const user = await api.signUp();
    const send = () =>
      api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers: { 'idempotency-key': 'double-click-1' } });
    const [first, second] = await Promise.all([send(), send()]);
    const third = await send();
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    expect(second.body.order.id).toBe(first.body.order.id);
    expect(third.body.order.id).toBe(first.body.order.id);
    expect(third.body.usage.purchasedTokens).toBe(50_000);
    expect((await api.request('GET', '/api/payments/orders', { token: user.token })).body).toHaveLength(1);
  });

  it('refuses a purchase without an Idempotency-Key', async () => {
    const user = await api.signUp();
    const response = await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' } });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('IDEMPOTENCY_KEY_REQUIRED');
  });

  it('refuses the same key with another package', async () => {
    const user = await api.signUp();
    const headers = { 'idempotency-key': 'k-2' };
    await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers });
    const conflict = await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-1m' }, headers });
    expect(conflict.status).toBe(409);
    expect(conflict.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('keeps keys apart between users', async () => {
    const [alice, bob] = [await api.signUp(), await api.signUp()];
    const headers = { 'idempotency-key': 'same-key' };
    const a = await api.request('POST', '/api/ai-usage/purchase', { token: alice.token, body: { packageId: 'tokens-50k' }, headers });
    const b = await api.request('POST', '/api/ai-usage/purchase', { token: bob.token, body: { packageId: 'tokens-1m' }, headers });
    expect(b.status).toBe(200);
    expect(b.body.order.id).not.toBe(a.body.order.id);
  });

  it('rejects unknown packages, extra fields and malformed keys', async () => {
    const user = await api.signUp();
    const headers = { 'idempotency-key': 'bad-input' };
    expect((await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'free-money' }, headers })).status).toBe(400);
    const massAssignment = await api.request('POST', '/api/ai-usage/purchase', {
      token: user.token,
      headers,
      body: { packageId: 'tokens-50k', tokens: 99_999_999, userId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(massAssignment.status).toBe(400);
    const badKey = await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers: { 'idempotency-key': 'has spaces' } });
    expect(badKey.status).toBe(400);
    expect((await api.request('GET', '/api/ai-usage', { token: user.token })).body.purchasedTokens).toBe(0);
  });
});


describe('orders, receipts and refunds (instant provider)', () => {
  async function buy(user: { token: string }, packageId = 'tokens-50k') {
    const response = await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId }, headers: { 'idempotency-key': `buy-${Math.random()}` } });
    expect(response.status).toBe(200);
    return response.body.order as { id: string; amount: number; tokens: number };
  }

  it("lists a user's orders with a receipt, and hides them from everyone else", async () => {
    const [alice, bob] = [await api.signUp(), await api.signUp()];
    const order = await buy(alice);
    const list = await api.request('GET', '/api/payments/orders', { token: alice.token });
    expect(list.body).toEqual([expect.objectContaining({ id: order.id, status: 'PAID', receipt: expect.objectContaining({ orderNumber: `CO-${order.id.slice(0, 8).toUpperCase()}`, supplyAmount: 4_545, vatAmount: 455 }) })]);
    expect((await api.request('GET', `/api/payments/orders/${order.id}`, { token: alice.token })).status).toBe(200);
    expect((await api.request('GET', `/api/payments/orders/${order.id}`, { token: bob.token })).status).toBe(404);
    expect((await api.request('POST', `/api/payments/orders/${order.id}/confirm`, { token: bob.token, body: {} })).status).toBe(404);
    expect((await api.request('GET', '/api/payments/orders/not-a-uuid', { token: alice.token })).status).toBe(404);
  });

  it('refunds unspent tokens pro rata, never more than are left, and never twice', async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const order = await buy(user, 'tokens-200k');
    const refund = (body: object, key = `refund-${Math.random()}`) =>
      api.request('POST', `/api/admin/orders/${order.id}/refunds`, { token: admin.token, body, headers: { 'idempotency-key': key } });
    const part = await refund({ tokens: 50_000, reason: '고객 요청 일부 환불' }, 'refund-part');
    expect(part.status).toBe(200);
    expect(part.body).toMatchObject({ refund: { tokens: 50_000, amount: 4_500, status: 'SUCCEEDED' }, order: { status: 'PARTIALLY_REFUNDED', refundedAmount: 4_500, refundedTokens: 50_000 } });
    // The same key again is the same refund, not a second one.
    expect((await refund({ tokens: 50_000, reason: '고객 요청 일부 환불' }, 'refund-part')).body.refund.id).toBe(part.body.refund.id);
    expect((await api.request('GET', '/api/ai-usage', { token: user.token })).body.purchasedTokens).toBe(150_000);
    // More tokens than the order has left: refused, nothing taken.
    expect((await refund({ tokens: 150_001, reason: 'too many' })).body.code).toBe('NOT_REFUNDABLE');
    const rest = await refund({ reason: '나머지 전액 환불' });
    expect(rest.body).toMatchObject({ refund: { tokens: 150_000, amount: 13_500 }, order: { status: 'REFUNDED', refundedAmount: 18_000 } });
    expect((await refund({ reason: 'again' })).body.code).toBe('NOT_REFUNDABLE');
    expect((await api.request('GET', '/api/ai-usage', { token: user.token })).body.purchasedTokens).toBe(0);
    const verify = await api.request('GET', '/api/admin/ledger/verify', { token: admin.token });
    expect(verify.body.ok).toBe(true);
  });

  it('refunds only what is unspent: spent purchased tokens are never refunded as money', async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const order = await buy(user, 'tokens-50k');
    // The user spends 30,000 of the purchased tokens (purchased-first): 20,000 are left.
    await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId: user.id, usagePercent: 20 } });
    const usage = (await api.request('GET', '/api/ai-usage', { token: user.token })).body;
    const exact = await api.request('POST', `/api/admin/orders/${order.id}/refunds`, { token: admin.token, body: { tokens: 50_000, reason: 'all of it' }, headers: { 'idempotency-key': 'exact-too-many' } });
    expect(exact.status).toBe(409);
    const all = await api.request('POST', `/api/admin/orders/${order.id}/refunds`, { token: admin.token, body: { reason: 'what is left' }, headers: { 'idempotency-key': 'what-is-left' } });
    expect(all.body.refund).toMatchObject({ tokens: usage.purchasedTokens, amount: Math.floor((5_000 * usage.purchasedTokens) / 50_000) });
    expect(all.body.order.status).toBe('PARTIALLY_REFUNDED');
    expect((await api.request('GET', '/api/ai-usage', { token: user.token })).body.purchasedTokens).toBe(0);
  });

  it('lists a user\'s orders for the admin and refuses refunds to non-admins', async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const order = await buy(user);
    const list = await api.request('GET', `/api/admin/users/${user.id}/orders`, { token: admin.token });
    expect(list.body.map((item: { id: string }) => item.id)).toEqual([order.id]);
    const forbidden = await api.request('POST', `/api/admin/orders/${order.id}/refunds`, { token: user.token, body: { reason: 'self refund' }, headers: { 'idempotency-key': 'self' } });
    expect(forbidden.status).toBe(403);
  });
});

describe('orders and grants agree (ledger verification and /metrics)', () => {
  it('reports a grant whose order is not paid, and a paid order without its grant', async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const bought = await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers: { 'idempotency-key': 'verify-1' } });
    const orderId = bought.body.order.id as string;
    const gauge = async () => /consult_on_payment_grant_mismatches (\d+)/.exec((await api.request('GET', '/metrics')).body as string)?.[1];
    expect((await api.request('GET', '/api/admin/ledger/verify', { token: admin.token })).body).toMatchObject({ ok: true, payments: [] });
    expect(await gauge()).toBe('0');
    // Break it on purpose: the order says pending while the ledger holds its grant.
    await api.database.db.update(payments).set({ status: 'PENDING' }).where(eq(payments.id, orderId));
    const broken = (await api.request('GET', '/api/admin/ledger/verify', { token: admin.token })).body;
    expect(broken.ok).toBe(false);
    expect(broken.payments).toEqual([{ orderId, problem: 'grant without a paid order' }]);
    expect(await gauge()).toBe('1');
    // A paid order without a grant (a second paid order faked in) is reported too.
    await api.database.db.update(payments).set({ status: 'PAID' }).where(eq(payments.id, orderId));
    const [copy] = await api.database.db.insert(payments).values({ userId: user.id, packageId: 'tokens-50k', tokens: 50_000, amount: 5_000, provider: 'instant', status: 'PAID' }).returning();
    expect((await api.request('GET', '/api/admin/ledger/verify', { token: admin.token })).body.payments).toEqual([{ orderId: copy!.id, problem: 'paid order with 0 grants' }]);
    await api.database.db.delete(payments).where(eq(payments.id, copy!.id));
  });
});

describe('which tokens a refund may take back', () => {
  const buy = async (user: { token: string }, packageId: string) =>
    (await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId }, headers: { 'idempotency-key': `buy-${Math.random()}` } })).body.order as { id: string };

  it('leaves the tokens an open hold (a turn in flight) may still spend', async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const order = await buy(user, 'tokens-50k');
    const ledger = appLedger(api.app);
    const hold = await ledger.reserve(user.id, { tokens: 20_000, purpose: 'a turn in flight' });
    const refund = await api.request('POST', `/api/admin/orders/${order.id}/refunds`, { token: admin.token, body: { reason: '환불 요청' }, headers: { 'idempotency-key': 'held-1' } });
    expect(refund.body.refund).toMatchObject({ tokens: 30_000, amount: 3_000 });
    const exact = await api.request('POST', `/api/admin/orders/${order.id}/refunds`, { token: admin.token, body: { tokens: 20_000, reason: '나머지' }, headers: { 'idempotency-key': 'held-2' } });
    expect(exact.status).toBe(409);
    // The turn settles from the 20,000 left: no overage, nothing refunded as money was spent.
    await ledger.settle(hold.holdId, 20_000);
    const usage = (await api.request('GET', '/api/ai-usage', { token: user.token })).body;
    expect(usage).toMatchObject({ purchasedTokens: 0, overageTokens: 0 });
    expect((await api.request('GET', '/api/admin/ledger/verify', { token: admin.token })).body.ok).toBe(true);
  });

  it('spends purchased tokens oldest order first: the money back does not depend on which order is refunded first', async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    const older = await buy(user, 'tokens-50k');
    api.clock.advance(60_000);
    const newer = await buy(user, 'tokens-200k');
    // 59,990 tokens spent (purchased first): all of the older order and 9,990 of the newer one.
    await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId: user.id, usagePercent: 17.14 } });
    const refund = (orderId: string, key: string) => api.request('POST', `/api/admin/orders/${orderId}/refunds`, { token: admin.token, body: { reason: '환불 요청' }, headers: { 'idempotency-key': key } });
    const first = await refund(older.id, 'fifo-older');
    expect(first.status).toBe(409);
    expect(first.body.code).toBe('NOT_REFUNDABLE');
    const second = await refund(newer.id, 'fifo-newer');
    expect(second.body.refund).toMatchObject({ tokens: 190_010, amount: Math.floor((18_000 * 190_010) / 200_000) });
    expect((await refund(older.id, 'fifo-older-again')).status).toBe(409);
  });
});

describe('a purchase in overage', () => {
  it('says how many of its tokens settled the overage and how many were added', async () => {
    const admin = await api.signUpAdmin();
    const user = await api.signUp();
    await api.request('POST', '/api/ai-usage/test-usage', { token: admin.token, body: { userId: user.id, usagePercent: 102 } });
    const bought = await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers: { 'idempotency-key': 'overage-1' } });
    expect(bought.body.order).toMatchObject({ status: 'PAID', tokens: 50_000, settledOverageTokens: 2_000 });
    expect(bought.body.usage).toMatchObject({ overageTokens: 0, purchasedTokens: 48_000 });
    const calm = await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers: { 'idempotency-key': 'overage-2' } });
    expect(calm.body.order.settledOverageTokens).toBe(0);
  });
});
