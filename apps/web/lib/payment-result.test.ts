import { describe, expect, it } from 'vitest';
import type { OrderView, UsageView } from '@consult-on/api-contract';
import { ApiError } from './api';
import { decideResult, parseResultQuery, pollDelayMs, POLL_LIMIT_MS, shouldConfirm } from './payment-result';

const ORDER_ID = '3f2a91c0-1b2c-4d5e-8f90-a1b2c3d4e5f6';

function order(status: OrderView['status'], patch: Partial<OrderView> = {}): OrderView {
  return {
    id: ORDER_ID,
    kind: 'package',
    productId: 'tokens-50k',
    organizationId: null,
    orderName: '라이트 5만 토큰',
    tokens: 50_000,
    amount: 5_000,
    currency: 'KRW',
    provider: 'toss',
    status,
    method: status === 'PENDING' ? null : '카드',
    failure: null,
    refundedAmount: 0,
    refundedTokens: 0,
    settledOverageTokens: 0,
    createdAt: '2025-06-01T00:00:00.000Z',
    paidAt: status === 'PAID' ? '2025-06-01T00:00:05.000Z' : null,
    receipt: null,
    refunds: [],
    ...patch,
  };
}

const usage = { remainingTokens: 150_000 } as UsageView;

describe('parseResultQuery', () => {
  it('passes on exactly the provider parameters the API accepts (Toss payment success)', () => {
    const query = parseResultQuery(`?order=${ORDER_ID}&paymentType=NORMAL&orderId=${ORDER_ID}&paymentKey=tgen_123&amount=5000`);
    expect(query).toEqual({ orderId: ORDER_ID, failed: false, failureCode: null, failureMessage: null, confirm: { paymentKey: 'tgen_123', orderId: ORDER_ID, amount: '5000' } });
    expect(shouldConfirm(query)).toBe(true);
  });

  it('reads Toss billing and Stripe success returns', () => {
    expect(parseResultQuery(`?order=${ORDER_ID}&customerKey=u1&authKey=bln_1`).confirm).toEqual({ customerKey: 'u1', authKey: 'bln_1' });
    expect(parseResultQuery(`?order=${ORDER_ID}&sessionId=cs_test_1`).confirm).toEqual({ sessionId: 'cs_test_1' });
  });

  it('reads a fail return, whose parameters are not for confirming', () => {
    const toss = parseResultQuery(`?order=${ORDER_ID}&failed=1&code=REJECT_CARD_PAYMENT&message=${encodeURIComponent('한도초과')}&orderId=${ORDER_ID}`);
    expect(toss).toMatchObject({ failed: true, failureCode: 'REJECT_CARD_PAYMENT', failureMessage: '한도초과' });
    expect(shouldConfirm(toss)).toBe(false);
    const stripe = parseResultQuery(`?order=${ORDER_ID}&failed=1`);
    expect(stripe).toMatchObject({ failed: true, failureCode: null, confirm: {} });
  });

  it('does not confirm without provider parameters (the provider would refuse and fail the order)', () => {
    expect(shouldConfirm(parseResultQuery(`?order=${ORDER_ID}`))).toBe(false);
  });

  it('ignores an order id that is not one', () => {
    expect(parseResultQuery('?order=../../admin').orderId).toBeNull();
    expect(parseResultQuery('').orderId).toBeNull();
  });
});

describe('decideResult', () => {
  const success = parseResultQuery(`?order=${ORDER_ID}&paymentKey=k&orderId=${ORDER_ID}&amount=5000`);
  const cancelReturn = parseResultQuery(`?order=${ORDER_ID}&failed=1`);

  it('asks for nothing without an order, and shows checking before the first answer', () => {
    expect(decideResult(parseResultQuery(''), null)).toEqual({ kind: 'missing' });
    expect(decideResult(success, null)).toEqual({ kind: 'checking' });
  });

  it('is paid for a paid order, with the new balance, and stays so once refunded', () => {
    expect(decideResult(success, { order: order('PAID'), usage })).toEqual({ kind: 'paid', order: order('PAID'), usage });
    expect(decideResult(success, { order: order('PARTIALLY_REFUNDED'), usage: null }).kind).toBe('paid');
    expect(decideResult(success, { order: order('REFUNDED'), usage: null }).kind).toBe('paid');
  });

  it('is pending while the provider has not reported, and says so honestly once polling gave up', () => {
    expect(decideResult(success, { order: order('PENDING'), usage })).toEqual({ kind: 'pending', order: order('PENDING'), slow: false });
    expect(decideResult(success, { order: order('PENDING'), usage }, true)).toMatchObject({ kind: 'pending', slow: true });
  });

  it("shows a declined order's reason", () => {
    const failed = order('FAILED', { failure: { code: 'REJECT_CARD_PAYMENT', message: '한도초과 혹은 잔액부족' } });
    expect(decideResult(success, { order: failed, usage })).toEqual({ kind: 'failed', order: failed, code: 'REJECT_CARD_PAYMENT', message: '한도초과 혹은 잔액부족' });
  });

  it('is cancelled for a fail return without a code (Stripe) or with Toss\'s cancel code', () => {
    expect(decideResult(cancelReturn, { order: order('PENDING'), usage: null })).toEqual({ kind: 'canceled', order: order('PENDING') });
    const tossCancel = parseResultQuery(`?order=${ORDER_ID}&failed=1&code=PAY_PROCESS_CANCELED&message=x`);
    expect(decideResult(tossCancel, { order: order('PENDING'), usage: null }).kind).toBe('canceled');
    const failedAsCancel = order('FAILED', { failure: { code: 'PAY_PROCESS_CANCELED', message: '사용자에 의해 결제가 취소되었습니다.' } });
    expect(decideResult(success, { order: failedAsCancel, usage: null }).kind).toBe('canceled');
    // What the API records for Stripe's cancel page (a fail return without a code).
    const abandoned = order('FAILED', { failure: { code: 'USER_CANCELED', message: 'The payment window was left without paying.' } });
    expect(decideResult(cancelReturn, { order: abandoned, usage: null }).kind).toBe('canceled');
  });

  it("is failed for a fail return with the provider's code and message", () => {
    const rejected = parseResultQuery(`?order=${ORDER_ID}&failed=1&code=REJECT_CARD_PAYMENT&message=${encodeURIComponent('잔액부족')}`);
    expect(decideResult(rejected, { order: order('PENDING'), usage: null })).toEqual({ kind: 'failed', order: order('PENDING'), code: 'REJECT_CARD_PAYMENT', message: '잔액부족' });
  });

  it('trusts the order over the return: a payment completed by the webhook is paid even after a fail return', () => {
    expect(decideResult(cancelReturn, { order: order('PAID'), usage: null }).kind).toBe('paid');
  });

  it('still reports a fail return when the order could not be read', () => {
    expect(decideResult(cancelReturn, { error: new TypeError('Failed to fetch') })).toEqual({ kind: 'canceled', order: null });
  });

  it('maps each error to what the page can offer', () => {
    const mismatch = new ApiError(400, 'AMOUNT_MISMATCH', '결제 금액이 주문 금액과 다릅니다.');
    expect(decideResult(success, { error: mismatch })).toEqual({ kind: 'error', reason: 'amount-mismatch', message: '결제 금액이 주문 금액과 다릅니다.' });
    const unavailable = new ApiError(503, 'PAYMENT_PROVIDER_UNAVAILABLE', '결제사가 응답하지 않습니다.');
    expect(decideResult(success, { error: unavailable })).toEqual({ kind: 'error', reason: 'unavailable', message: '결제사가 응답하지 않습니다.' });
    expect(decideResult(success, { error: new ApiError(404, 'NOT_FOUND', 'Not found') })).toEqual({ kind: 'error', reason: 'not-found', message: null });
    expect(decideResult(success, { error: new TypeError('Failed to fetch') })).toEqual({ kind: 'error', reason: 'network', message: null });
    expect(decideResult(success, { error: new ApiError(500, 'INTERNAL', 'Boom') })).toEqual({ kind: 'error', reason: 'other', message: 'Boom' });
  });
});

describe('pollDelayMs', () => {
  it('backs off 2 s, 3 s, 5 s, 8 s, then every 10 s, and polls for about two minutes', () => {
    expect([0, 1, 2, 3, 4, 9].map(pollDelayMs)).toEqual([2_000, 3_000, 5_000, 8_000, 10_000, 10_000]);
    let waited = 0;
    let attempts = 0;
    while (waited + pollDelayMs(attempts) <= POLL_LIMIT_MS) waited += pollDelayMs(attempts++);
    expect(attempts).toBeGreaterThanOrEqual(12);
    expect(waited).toBeLessThanOrEqual(POLL_LIMIT_MS);
  });
});
