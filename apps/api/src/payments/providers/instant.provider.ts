import type { Checkout, OrderKind, OrderRef, PaymentProvider, ProviderPayment, ProviderRefund, SavedMethod } from './payment-provider.js';
import { InvalidWebhookError } from './payment-provider.js';

/**
 * Development and tests without a provider: every payment succeeds at once, nothing is charged.
 * Refused in production (config). Keeps the whole order → grant → refund path exercised offline.
 */
export class InstantProvider implements PaymentProvider {
  readonly name = 'instant' as const;
  readonly renewals = 'merchant' as const;

  constructor(readonly currency = 'KRW') {}

  createCheckout(): Promise<Checkout> {
    return Promise.resolve({ type: 'instant' });
  }

  confirm(order: OrderRef & { kind: OrderKind }): Promise<ProviderPayment> {
    return Promise.resolve(this.paid(order.orderId, order.amount, order.kind === 'subscription' ? { reference: `instant-${order.orderId}`, customerKey: order.customerKey } : null));
  }

  lookup(order: OrderRef): Promise<ProviderPayment | null> {
    return Promise.resolve(this.paid(order.orderId, order.amount, null));
  }

  parseWebhook(): Promise<never> {
    return Promise.reject(new InvalidWebhookError('the instant provider sends no webhooks'));
  }

  refund(_order: OrderRef, refund: { amount: number; idempotencyKey: string }): Promise<ProviderRefund> {
    return Promise.resolve({ refundId: `instant-${refund.idempotencyKey}`, amount: refund.amount, status: 'succeeded' });
  }

  refundStatus(_order: OrderRef, refund: { refundId: string; amount: number }): Promise<ProviderRefund> {
    return Promise.resolve({ refundId: refund.refundId, amount: refund.amount, status: 'succeeded' });
  }

  chargeSaved(saved: SavedMethod, charge: { orderId: string; amount: number }): Promise<ProviderPayment> {
    return Promise.resolve(this.paid(charge.orderId, charge.amount, saved));
  }

  cancelSaved(): Promise<void> {
    return Promise.resolve();
  }

  private paid(orderId: string, amount: number, savedMethod: SavedMethod | null): ProviderPayment {
    return {
      orderId,
      providerPaymentId: `instant-${orderId}`,
      status: 'paid',
      amount,
      currency: this.currency,
      refundedAmount: 0,
      method: 'instant',
      paidAt: new Date(),
      failure: null,
      savedMethod,
    };
  }
}
