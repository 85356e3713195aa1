import { describe, expect, it } from 'vitest';
import { periodFromKey, periodOf } from '@consult-on/quota-policy';
import { planOrderUpdate, planRenewalDue, PROVIDER_PLAN_RENEWAL_DAY, renewalDueAt, statusAfterRefunds, tokensForRefundedAmount, type OrderFacts } from './order-rules.js';
import { addMonth, renewalPeriodStart } from './orders.service.js';
import type { ProviderPayment } from './providers/payment-provider.js';
import { amountForTokens, vatBreakdown } from './token-packages.js';

const order: OrderFacts = { status: 'PENDING', amount: 18_000, currency: 'KRW', tokens: 200_000, refundedAmount: 0, refundedTokens: 0 };
const truth = (patch: Partial<ProviderPayment> = {}): ProviderPayment => ({
  orderId: 'o',
  providerPaymentId: 'p',
  status: 'paid',
  amount: 18_000,
  currency: 'KRW',
  refundedAmount: 0,
  method: '카드',
  paidAt: new Date(),
  failure: null,
  savedMethod: null,
  ...patch,
});

describe('planOrderUpdate', () => {
  it('grants a pending or failed order the provider says is paid, once', () => {
    expect(planOrderUpdate(order, truth(), 0)).toMatchObject({ grant: true, fail: null, mismatch: null, providerRefundAmount: 0 });
    expect(planOrderUpdate({ ...order, status: 'FAILED' }, truth(), 0).grant).toBe(true);
    for (const status of ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const) expect(planOrderUpdate({ ...order, status }, truth(), 0).grant).toBe(false);
  });

  it('never grants when the amount or the currency differs, and flags only an order not yet granted', () => {
    expect(planOrderUpdate(order, truth({ amount: 1_800 }), 0).mismatch).toMatch(/1800 KRW/);
    expect(planOrderUpdate(order, truth({ currency: 'usd' }), 0)).toMatchObject({ grant: false, mismatch: expect.any(String) });
    expect(planOrderUpdate(order, truth({ currency: 'krw' }), 0).grant).toBe(true);
    expect(planOrderUpdate({ ...order, status: 'PAID' }, truth({ amount: 1 }), 0)).toMatchObject({ grant: false, mismatch: null });
    expect(planOrderUpdate(order, truth({ amount: 1, status: 'pending' }), 0).mismatch).toBeNull();
  });

  it('fails only a pending order, with the provider reason or a generic one', () => {
    expect(planOrderUpdate(order, truth({ status: 'failed', failure: { code: 'REJECT_CARD_PAYMENT', message: '거절' } }), 0).fail).toEqual({ code: 'REJECT_CARD_PAYMENT', message: '거절' });
    expect(planOrderUpdate(order, truth({ status: 'failed' }), 0).fail?.code).toBe('FAILED');
    expect(planOrderUpdate({ ...order, status: 'PAID' }, truth({ status: 'failed' }), 0).fail).toBeNull();
    expect(planOrderUpdate(order, truth({ status: 'pending' }), 0)).toMatchObject({ grant: false, fail: null });
  });

  it('takes a refund made at the provider as the money no refund of ours accounts for', () => {
    const paid = { ...order, status: 'PAID' as const };
    expect(planOrderUpdate(paid, truth({ status: 'partially_canceled', refundedAmount: 4_500 }), 0).providerRefundAmount).toBe(4_500);
    // Our own refund, not yet confirmed, or already recorded: not the provider's.
    expect(planOrderUpdate(paid, truth({ status: 'partially_canceled', refundedAmount: 4_500 }), 4_500).providerRefundAmount).toBe(0);
    expect(planOrderUpdate({ ...paid, refundedAmount: 4_500 }, truth({ status: 'partially_canceled', refundedAmount: 6_000 }), 0).providerRefundAmount).toBe(1_500);
    // Canceled before we ever granted it: granted, then taken back in the same step.
    expect(planOrderUpdate(order, truth({ status: 'canceled', refundedAmount: 18_000 }), 0)).toMatchObject({ grant: true, providerRefundAmount: 18_000 });
  });
});

describe('refund arithmetic', () => {
  it('prices n tokens pro rata, rounded down, and the parts add up to the price', () => {
    expect(amountForTokens(order, 50_000)).toBe(4_500);
    expect(amountForTokens(order, 200_000)).toBe(18_000);
    expect(amountForTokens(order, 300_000)).toBe(18_000);
    expect(amountForTokens({ amount: 5_000, tokens: 50_000 }, 9)).toBe(0);
    let refunded = 0;
    let money = 0;
    for (const part of [1, 33_333, 66_666, 99_999, 1]) {
      money += amountForTokens(order, refunded + part) - amountForTokens(order, refunded);
      refunded += part;
    }
    expect(refunded).toBe(200_000);
    expect(money).toBe(18_000);
  });

  it("takes back the same share of tokens for the provider's refund, rounded up, never more than are left", () => {
    expect(tokensForRefundedAmount(order, 1_800)).toBe(20_000);
    expect(tokensForRefundedAmount(order, 1)).toBe(12);
    expect(tokensForRefundedAmount({ ...order, refundedTokens: 199_990 }, 18_000)).toBe(10);
  });

  it('names the status from the money refunded', () => {
    expect(statusAfterRefunds(order, 0)).toBe('PAID');
    expect(statusAfterRefunds(order, 1)).toBe('PARTIALLY_REFUNDED');
    expect(statusAfterRefunds(order, 18_000)).toBe('REFUNDED');
  });

  it('splits a VAT-included price into 공급가액 and 부가세 (10 %)', () => {
    expect(vatBreakdown(5_000)).toEqual({ supplyAmount: 4_545, vatAmount: 455 });
    expect(vatBreakdown(18_000)).toEqual({ supplyAmount: 16_364, vatAmount: 1_636 });
    expect(vatBreakdown(11)).toEqual({ supplyAmount: 10, vatAmount: 1 });
    for (const amount of [1, 9_900, 80_000, 123_457]) {
      const { supplyAmount, vatAmount } = vatBreakdown(amount);
      expect(supplyAmount + vatAmount).toBe(amount);
    }
  });
});

describe('monthly periods', () => {
  const at = (iso: string) => new Date(iso);
  it('renews on the anchor day, or the last day of a shorter month, without drifting', () => {
    const jan31 = at('2026-01-31T03:00:00Z');
    const feb = addMonth(jan31);
    expect(feb.toISOString()).toBe('2026-02-28T03:00:00.000Z');
    expect(addMonth(feb, 31).toISOString()).toBe('2026-03-31T03:00:00.000Z');
    expect(addMonth(at('2026-12-15T00:00:00Z')).toISOString()).toBe('2027-01-15T00:00:00.000Z');
    expect(addMonth(at('2028-01-30T00:00:00Z')).toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });

  it("reads a renewal order's period from its key", () => {
    expect(renewalPeriodStart('2026-12-10T03:00:00.000Z#2')?.toISOString()).toBe('2026-12-10T03:00:00.000Z');
    expect(renewalPeriodStart('in_123')).toBeNull();
    expect(renewalPeriodStart(null)).toBeNull();
  });
});

describe('renewalDueAt', () => {
  const end = new Date('2026-11-30T15:00:00Z');
  const zone = 'Asia/Seoul';
  it('charges a paid plan its lead before the reset, another monthly product when its period ends', () => {
    expect(renewalDueAt({ productId: 'plan-plus', currentPeriodEnd: end }, 'merchant', 72 * 3_600_000, zone).toISOString()).toBe('2026-11-27T15:00:00.000Z');
    expect(renewalDueAt({ productId: 'monthly-test', currentPeriodEnd: end }, 'merchant', 72 * 3_600_000, zone)).toEqual(end);
    expect(renewalDueAt({ productId: 'monthly-test', currentPeriodEnd: end }, 'provider', 72 * 3_600_000, zone)).toEqual(end);
  });

  it('renews a plan through its provider on the 26th, 00:00 KST, of the month it paid for', () => {
    expect(renewalDueAt({ productId: 'plan-plus', currentPeriodEnd: end }, 'provider', 72 * 3_600_000, zone).toISOString()).toBe('2026-11-25T15:00:00.000Z');
  });
});

describe('planRenewalDue', () => {
  const zone = 'Asia/Seoul';
  it('is on the 26th in every month for a provider, 3 to 6 days before the reset', () => {
    for (let month = 1; month <= 24; month += 1) {
      const period = periodFromKey(`${2027 + Math.floor((month - 1) / 12)}-${String(((month - 1) % 12) + 1).padStart(2, '0')}`, zone);
      const due = planRenewalDue(period, 'provider', 0, zone);
      expect(periodOf(due, zone).key).toBe(period.key);
      expect(new Date(due.getTime() + 9 * 3_600_000).getUTCDate()).toBe(PROVIDER_PLAN_RENEWAL_DAY);
      const lead = (period.end.getTime() - due.getTime()) / 86_400_000;
      expect(lead).toBeGreaterThanOrEqual(3);
      expect(lead).toBeLessThanOrEqual(6);
    }
  });

  it("is the lead before the reset for the merchant", () => {
    const period = periodFromKey('2027-02', zone);
    expect(planRenewalDue(period, 'merchant', 72 * 3_600_000, zone).toISOString()).toBe('2027-02-25T15:00:00.000Z');
  });
});
