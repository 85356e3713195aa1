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
 * When a subscription's renewal is charged: a paid plan's `planLeadMs` before the reset its period
 * ends at (a failure is then known, and told, while the plan still runs); any other monthly
 * product's when its period ends.
 */
export function renewalDueAt(subscription: { productId: string; currentPeriodEnd: Date }, planLeadMs: number): Date {
  if (planOfProduct(subscription.productId) === null) return subscription.currentPeriodEnd;
  return new Date(subscription.currentPeriodEnd.getTime() - planLeadMs);
}
