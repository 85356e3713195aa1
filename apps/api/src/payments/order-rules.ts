import { dayOfPeriod, periodOf, type QuotaPeriod } from '@consult-on/quota-policy';
import type { PaymentStatus } from '../database/schema.js';
import type { ProviderPayment } from './providers/payment-provider.js';
import { planOfProduct } from './token-packages.js';

/** What our order knows, for deciding what the provider's truth does to it. */
export interface OrderFacts {
  status: PaymentStatus;
  amount: number;
  currency: string;
  tokens: number;
  refundedAmount: number;
  refundedTokens: number;
}

/** What to do with an order, given what its provider says. Pure: the service applies it. */
export interface OrderUpdate {
  /** Mark paid and grant the tokens (once: the ledger's unique index on the payment holds it too). */
  grant: boolean;
  /** Mark failed, with the provider's reason. */
  fail: { code: string; message: string } | null;
  /** The provider's payment does not match the order (amount, currency): never granted; logged and counted. */
  mismatch: string | null;
  /** Money the provider refunded that no refund of ours accounts for (a refund made in its dashboard). */
  providerRefundAmount: number;
}

const NOTHING: OrderUpdate = { grant: false, fail: null, mismatch: null, providerRefundAmount: 0 };

/** Was the payment ever approved? Canceled (fully refunded) and partially canceled ones were. */
function wasPaid(truth: ProviderPayment): boolean {
  return truth.status === 'paid' || truth.status === 'partially_canceled' || truth.status === 'canceled';
}

/**
 * The provider's truth applied to an order. `pendingRefundAmount` is money of our own refunds the
 * provider may already count but we have not confirmed yet: it is not a dashboard refund.
 */
export function planOrderUpdate(order: OrderFacts, truth: ProviderPayment, pendingRefundAmount: number): OrderUpdate {
  const open = order.status === 'PENDING' || order.status === 'FAILED';
  if (truth.amount !== order.amount || truth.currency.toUpperCase() !== order.currency.toUpperCase()) {
    // Only an order not yet granted can be harmed; a paid one keeps its grant and the alarm is for the reconciler to raise.
    return open && wasPaid(truth)
      ? { ...NOTHING, mismatch: `provider charged ${truth.amount} ${truth.currency.toUpperCase()}, the order is ${order.amount} ${order.currency}` }
      : NOTHING;
  }
  if (truth.status === 'failed') {
    return order.status === 'PENDING' ? { ...NOTHING, fail: truth.failure ?? { code: 'FAILED', message: 'The payment failed.' } } : NOTHING;
  }
  if (!wasPaid(truth)) return NOTHING;
  const known = order.refundedAmount + pendingRefundAmount;
  return { ...NOTHING, grant: open, providerRefundAmount: Math.max(0, truth.refundedAmount - known) };
}

/** Tokens to take back for money the provider refunded: the same share of the order's tokens, rounded up, never more than are left. */
export function tokensForRefundedAmount(order: OrderFacts, amount: number): number {
  const share = Math.ceil((order.tokens * amount) / order.amount);
  return Math.min(share, order.tokens - order.refundedTokens);
}

/** A paid order's status from the money refunded so far. */
export function statusAfterRefunds(order: { amount: number }, refundedAmount: number): PaymentStatus {
  if (refundedAmount >= order.amount) return 'REFUNDED';
  return refundedAmount > 0 ? 'PARTIALLY_REFUNDED' : 'PAID';
}

/**
 * When a subscription's renewal is charged: a paid plan's period ends at a reset, and its renewal
 * falls due before it (planRenewalDue); any other monthly product's when its period ends.
 */
export function renewalDueAt(
  subscription: { productId: string; currentPeriodEnd: Date },
  renewals: 'merchant' | 'provider',
  planLeadMs: number,
  timeZone: string,
): Date {
  if (planOfProduct(subscription.productId) === null) return subscription.currentPeriodEnd;
  return planRenewalDue(periodEndingAt(subscription.currentPeriodEnd, timeZone), renewals, planLeadMs, timeZone);
}

/**
 * The day of the month a plan renewed by its provider (Stripe) renews on, 00:00 in the quota's
 * time zone: a monthly billing anchor keeps its day of the month, and the 26th is in every month,
 * 3–6 days before the reset (a failure is known, and told, while the plan still runs).
 */
export const PROVIDER_PLAN_RENEWAL_DAY = 26;

/**
 * When the renewal of a plan paid through `period` (paying the period after it) falls due: the
 * merchant (Toss, instant) charges `planLeadMs` before the reset; a provider that renews by itself
 * (Stripe) bills on PROVIDER_PLAN_RENEWAL_DAY. A first month bought after that moment pays through
 * the next period too: one charge, not a second one days later.
 */
export function planRenewalDue(period: QuotaPeriod, renewals: 'merchant' | 'provider', planLeadMs: number, timeZone: string): Date {
  if (renewals === 'provider') return dayOfPeriod(period, PROVIDER_PLAN_RENEWAL_DAY, timeZone);
  return new Date(period.end.getTime() - planLeadMs);
}

/**
 * The period a plan's first month, paid at `now`, pays through: the current one, or the next as
 * well once the current one's renewal fell due (planRenewalDue).
 */
export function firstPaidPeriod(now: Date, renewals: 'merchant' | 'provider', planLeadMs: number, timeZone: string): QuotaPeriod {
  const current = periodOf(now, timeZone);
  return now >= planRenewalDue(current, renewals, planLeadMs, timeZone) ? periodOf(current.end, timeZone) : current;
}

/** The quota period that ends at (or, for a provider's service period, runs through) `end`: the one holding its last instant. */
export function periodEndingAt(end: Date, timeZone: string): QuotaPeriod {
  return periodOf(new Date(end.getTime() - 1), timeZone);
}
