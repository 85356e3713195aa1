/** How orders, refunds and subscriptions read on the purchases, receipt and admin pages. */

import type { OrderView, RefundView, SubscriptionView } from '@consult-on/api-contract';
import type { Key } from './i18n';

export type OrderStatus = OrderView['status'];

export const orderStatusKey: Record<OrderStatus, Key> = {
  PENDING: 'orderStatusPENDING',
  PAID: 'orderStatusPAID',
  FAILED: 'orderStatusFAILED',
  REFUNDED: 'orderStatusREFUNDED',
  PARTIALLY_REFUNDED: 'orderStatusPARTIALLY_REFUNDED',
};

/** Badge colours, each readable at AA on its background. */
export const orderStatusTone: Record<OrderStatus, string> = {
  PENDING: 'bg-amber-100 text-amber-900',
  PAID: 'bg-green-100 text-green-900',
  FAILED: 'bg-red-100 text-red-900',
  REFUNDED: 'bg-slate-200 text-slate-800',
  PARTIALLY_REFUNDED: 'bg-blue-100 text-blue-900',
};

export const refundStatusKey: Record<RefundView['status'], Key> = {
  PENDING: 'refundStatusPENDING',
  SUCCEEDED: 'refundStatusSUCCEEDED',
  FAILED: 'refundStatusFAILED',
};

export const subscriptionStatusKey: Record<SubscriptionView['status'], Key> = {
  ACTIVE: 'subscriptionStatusACTIVE',
  PAST_DUE: 'subscriptionStatusPAST_DUE',
  CANCELED: 'subscriptionStatusCANCELED',
};

export function providerKey(provider: string): Key | null {
  if (provider === 'toss') return 'providerToss';
  if (provider === 'stripe') return 'providerStripe';
  if (provider === 'instant') return 'providerInstant';
  return null;
}

/** The payment method as the provider named it: Toss says '카드', Stripe 'card'. */
export function methodKey(method: string | null): Key | null {
  if (method === null) return null;
  if (method === '카드' || method.toLowerCase() === 'card') return 'methodCard';
  return null;
}

/** An admin may refund an order that was paid and has tokens not refunded yet. */
export function isRefundable(order: Pick<OrderView, 'status' | 'tokens' | 'refundedTokens'>): boolean {
  return (order.status === 'PAID' || order.status === 'PARTIALLY_REFUNDED') && order.refundedTokens < order.tokens;
}

/**
 * The money `tokens` more of an order's tokens are worth, by the API's refund rule (README:
 * ⌊price × (refunded + n) / tokens⌋ − ⌊price × refunded / tokens⌋): a preview, the API decides.
 */
export function refundAmountFor(order: Pick<OrderView, 'amount' | 'tokens' | 'refundedTokens'>, tokens: number): number {
  const worth = (count: number) => (count >= order.tokens ? order.amount : Math.floor((order.amount * count) / order.tokens));
  return worth(Math.min(order.tokens, order.refundedTokens + tokens)) - worth(order.refundedTokens);
}
