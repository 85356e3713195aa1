import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../testing/test-app.js';
import { signWebhook } from './webhook-signature.js';

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
    expect(korean.body[0]).toEqual({ id: 'tokens-50k', name: '라이트 5만 토큰', tokens: 50_000, priceKrw: 5_000, krwPer1kTokens: 100 });
    const english = await api.request('GET', '/api/ai-usage/packages', { token: user.token, headers: { 'accept-language': 'en' } });
    expect(english.body[0].name).toBe('Light 50K tokens');
  });
});

describe('POST /api/ai-usage/purchase (instant provider)', () => {
  it('credits purchased tokens at once and shows the new balance', async () => {
    const user = await api.signUp();
    const response = await api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-200k' }, headers: { 'idempotency-key': 'buy-1' } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'PAID', tokens: 200_000, amountKrw: 18_000, usage: { purchasedTokens: 200_000, totalAvailable: 300_000 } });
  });

  it('credits once for the same Idempotency-Key, even when sent twice at the same moment', async () => {
    const user = await api.signUp();
    const send = () =>
      api.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers: { 'idempotency-key': 'double-click-1' } });
    const [first, second] = await Promise.all([send(), send()]);
    const third = await send();
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    expect(second.body.paymentId).toBe(first.body.paymentId);
    expect(third.body.paymentId).toBe(first.body.paymentId);
    expect(third.body.usage.purchasedTokens).toBe(50_000);
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
    expect(b.body.paymentId).not.toBe(a.body.paymentId);
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

describe('POST /api/payments/webhook (webhook provider)', () => {
  let hooked: TestApp;
  const secret = 'webhook-secret-for-tests-0123';

  beforeAll(async () => {
    hooked = await createTestApp({ PAYMENT_PROVIDER: 'webhook', PAYMENT_WEBHOOK_SECRET: secret });
  });
  afterAll(async () => {
    await hooked?.close();
  });

  function deliver(event: object, options: { secret?: string; timestamp?: number } = {}) {
    const rawBody = JSON.stringify(event);
    const timestamp = options.timestamp ?? Math.floor(hooked.clock.now().getTime() / 1000);
    return hooked.request('POST', '/api/payments/webhook', {
      rawBody,
      headers: { 'consult-on-signature': signWebhook(options.secret ?? secret, rawBody, timestamp) },
    });
  }

  async function pendingPurchase() {
    const user = await hooked.signUp();
    const purchase = await hooked.request('POST', '/api/ai-usage/purchase', { token: user.token, body: { packageId: 'tokens-50k' }, headers: { 'idempotency-key': `pending-${Date.now()}-${Math.random()}` } });
    expect(purchase.body).toMatchObject({ status: 'PENDING', usage: { purchasedTokens: 0 } });
    return { user, paymentId: purchase.body.paymentId as string };
  }

  it('credits a pending payment once its signed confirmation arrives, and once only', async () => {
    const { user, paymentId } = await pendingPurchase();
    const event = { eventId: `evt-${paymentId}`, type: 'payment.paid', paymentId };
    expect((await deliver(event)).body).toEqual({ result: 'applied', paymentStatus: 'PAID' });
    expect((await deliver(event)).body).toEqual({ result: 'duplicate', paymentStatus: 'PAID' });
    const another = await deliver({ ...event, eventId: `evt-2-${paymentId}` });
    expect(another.body).toEqual({ result: 'ignored', paymentStatus: 'PAID' });
    expect((await hooked.request('GET', '/api/ai-usage', { token: user.token })).body.purchasedTokens).toBe(50_000);
  });

  it('refuses a bad signature, an old timestamp and a missing signature', async () => {
    const { user, paymentId } = await pendingPurchase();
    const event = { eventId: `evt-bad-${paymentId}`, type: 'payment.paid', paymentId };
    expect((await deliver(event, { secret: 'wrong-secret-wrong-secret' })).status).toBe(401);
    const old = Math.floor(hooked.clock.now().getTime() / 1000) - 3_600;
    expect((await deliver(event, { timestamp: old })).status).toBe(401);
    const unsigned = await hooked.request('POST', '/api/payments/webhook', { body: event });
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.code).toBe('INVALID_SIGNATURE');
    expect((await hooked.request('GET', '/api/ai-usage', { token: user.token })).body.purchasedTokens).toBe(0);
  });

  it('refuses a signature of another body (tampered amount or payment)', async () => {
    const { paymentId } = await pendingPurchase();
    const timestamp = Math.floor(hooked.clock.now().getTime() / 1000);
    const signed = JSON.stringify({ eventId: 'evt-x', type: 'payment.failed', paymentId });
    const tampered = JSON.stringify({ eventId: 'evt-x', type: 'payment.paid', paymentId });
    const response = await hooked.request('POST', '/api/payments/webhook', {
      rawBody: tampered,
      headers: { 'consult-on-signature': signWebhook(secret, signed, timestamp) },
    });
    expect(response.status).toBe(401);
  });

  it('asks for a refund that arrives before its payment to be delivered again, and applies it then', async () => {
    const { user, paymentId } = await pendingPurchase();
    const refund = { eventId: `early-refund-${paymentId}`, type: 'payment.refunded', paymentId };
    const early = await deliver(refund);
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('PAYMENT_NOT_READY');
    await deliver({ eventId: `paid-${paymentId}`, type: 'payment.paid', paymentId });
    expect((await deliver(refund)).body).toEqual({ result: 'applied', paymentStatus: 'REFUNDED' });
    expect((await hooked.request('GET', '/api/ai-usage', { token: user.token })).body.purchasedTokens).toBe(0);
  });

  it('credits a payment confirmed after an earlier failure', async () => {
    const { user, paymentId } = await pendingPurchase();
    await deliver({ eventId: `failed-${paymentId}`, type: 'payment.failed', paymentId });
    expect((await deliver({ eventId: `paid-late-${paymentId}`, type: 'payment.paid', paymentId })).body).toEqual({ result: 'applied', paymentStatus: 'PAID' });
    expect((await hooked.request('GET', '/api/ai-usage', { token: user.token })).body.purchasedTokens).toBe(50_000);
  });

  it('takes back the tokens of a refunded payment that are still there', async () => {
    const { user, paymentId } = await pendingPurchase();
    await deliver({ eventId: `paid-${paymentId}`, type: 'payment.paid', paymentId });
    const refund = await deliver({ eventId: `refund-${paymentId}`, type: 'payment.refunded', paymentId });
    expect(refund.body).toEqual({ result: 'applied', paymentStatus: 'REFUNDED' });
    const usage = (await hooked.request('GET', '/api/ai-usage', { token: user.token })).body;
    expect(usage).toMatchObject({ purchasedTokens: 0, totalAvailable: 100_000 });
  });
});
