import { describe, expect, it } from 'vitest';
import { isRefundable, methodKey, providerKey, refundAmountFor } from './orders';

describe('refundAmountFor (the README refund rule, as a preview)', () => {
  const order = { amount: 5_000, tokens: 50_000, refundedTokens: 0 };

  it('is the whole price for every token and a floor share for part of them', () => {
    expect(refundAmountFor(order, 50_000)).toBe(5_000);
    expect(refundAmountFor(order, 10_000)).toBe(1_000);
    expect(refundAmountFor(order, 9)).toBe(0);
    expect(refundAmountFor(order, 10)).toBe(1);
  });

  it('adds up to the price over partial refunds', () => {
    const awkward = { amount: 18_000, tokens: 200_000 };
    let refundedTokens = 0;
    let total = 0;
    for (const part of [33_333, 66_667, 1, 99_999]) {
      total += refundAmountFor({ ...awkward, refundedTokens }, part);
      refundedTokens += part;
    }
    expect(refundedTokens).toBe(200_000);
    expect(total).toBe(18_000);
  });

  it('never goes past the tokens left', () => {
    expect(refundAmountFor({ ...order, refundedTokens: 40_000 }, 50_000)).toBe(1_000);
  });
});

describe('isRefundable', () => {
  it('is true for paid orders with tokens left only', () => {
    expect(isRefundable({ status: 'PAID', tokens: 10, refundedTokens: 0 })).toBe(true);
    expect(isRefundable({ status: 'PARTIALLY_REFUNDED', tokens: 10, refundedTokens: 5 })).toBe(true);
    expect(isRefundable({ status: 'PARTIALLY_REFUNDED', tokens: 10, refundedTokens: 10 })).toBe(false);
    expect(isRefundable({ status: 'REFUNDED', tokens: 10, refundedTokens: 10 })).toBe(false);
    expect(isRefundable({ status: 'PENDING', tokens: 10, refundedTokens: 0 })).toBe(false);
    expect(isRefundable({ status: 'FAILED', tokens: 10, refundedTokens: 0 })).toBe(false);
  });
});

describe('labels', () => {
  it('names the providers and the card method however the provider spells it', () => {
    expect(providerKey('toss')).toBe('providerToss');
    expect(providerKey('stripe')).toBe('providerStripe');
    expect(providerKey('instant')).toBe('providerInstant');
    expect(providerKey('paypal')).toBeNull();
    expect(methodKey('카드')).toBe('methodCard');
    expect(methodKey('card')).toBe('methodCard');
    expect(methodKey('가상계좌')).toBeNull();
    expect(methodKey(null)).toBeNull();
  });
});
